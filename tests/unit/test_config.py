"""Config: `[tool.asyncapi-gen]` in pyproject.toml, one table or a list of specs."""

from __future__ import annotations

from pathlib import Path

import pytest

from asyncapi_gen.config import (
    Config,
    ConfigError,
    Perspective,
    Settings,
    find_project_settings,
    find_pyproject,
    parse_ref_map,
    read_project_settings,
)


def pyproject(folder: Path, text: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_single_table_is_one_entry_with_paths_from_its_folder(tmp_path: Path) -> None:
    path = pyproject(
        tmp_path,
        """
[tool.asyncapi-gen]
spec = "specs/shop.yaml"
output = "out"
package-name = "shop"
perspective = "application"
allow-outside-root = true
allow-remote = false
ref-map = { "https://example.com/" = "vendor", "https://example.com/v2/" = "vendor2" }
format = false
""",
    )

    project = read_project_settings(path)

    assert project.entries == (
        Settings(
            spec=tmp_path / "specs/shop.yaml",
            output=tmp_path / "out",
            package_name="shop",
            perspective=Perspective.APPLICATION,
            allow_outside_root=True,
            allow_remote=False,
            ref_map=(
                ("https://example.com/v2/", tmp_path / "vendor2"),
                ("https://example.com/", tmp_path / "vendor"),
            ),
            format=False,
        ),
    )


def test_specs_list_gives_one_entry_each_with_shared_defaults(tmp_path: Path) -> None:
    path = pyproject(
        tmp_path,
        """
[tool.asyncapi-gen]
perspective = "application"

[[tool.asyncapi-gen.specs]]
spec = "specs/shop.yaml"
output = "gen/shop"

[[tool.asyncapi-gen.specs]]
spec = "specs/billing.yaml"
output = "gen/billing"
perspective = "client"
package-name = "billing_events"
""",
    )

    entries = read_project_settings(path).entries

    assert [e.spec for e in entries] == [
        tmp_path / "specs/shop.yaml",
        tmp_path / "specs/billing.yaml",
    ]
    assert [e.perspective for e in entries] == [
        Perspective.APPLICATION,
        Perspective.CLIENT,
    ]
    assert [e.package_name for e in entries] == [None, "billing_events"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'spec = "a.yaml"\nouptut = "out"',
            "unknown key 'ouptut'; did you mean 'output'?",
        ),
        ("spec = 3", "'spec' must be a string, found int"),
        (
            'spec = "a.yaml"\nallow-remote = "yes"',
            "'allow-remote' must be true or false",
        ),
        (
            'spec = "a.yaml"\nformat = "no"',
            "'format' must be true or false",
        ),
        (
            'perspective = "server"',
            "'perspective' must be one of ['client', 'application']",
        ),
        ('ref-map = "x"', "'ref-map' must be a table, found str"),
        ("ref-map = { a = 1 }", "'ref-map' must be a string, found int"),
        ('specs = "a.yaml"', "'specs' must be an array of tables"),
        (
            "[[tool.asyncapi-gen.specs]]\nsepc = 'a.yaml'",
            "specs[0]: unknown key 'sepc'",
        ),
    ],
)
def test_invalid_table_is_a_config_error(
    tmp_path: Path, body: str, message: str
) -> None:
    path = pyproject(tmp_path, f"[tool.asyncapi-gen]\n{body}\n")

    with pytest.raises(ConfigError) as caught:
        read_project_settings(path)

    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert caught.value.exit_code == 2


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    pyproject(tmp_path, "[tool.asyncapi-gen]\nspec = \n")

    with pytest.raises(ConfigError, match="not valid TOML"):
        find_project_settings(tmp_path)


def test_search_goes_upward_to_the_nearest_file_with_the_table(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    pyproject(tmp_path, '[tool.asyncapi-gen]\nspec = "a.yaml"\noutput = "out"\n')
    inner = tmp_path / "sub" / "inner"
    inner.mkdir(parents=True)
    pyproject(tmp_path / "sub", '[project]\nname = "other"\n')

    assert find_pyproject(inner) == tmp_path / "pyproject.toml"


def test_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool.asyncapi-gen]\nspec = "a.yaml"\noutput = "out"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)

    assert find_pyproject(repo) is None
    assert find_project_settings(repo) is None


def test_flags_override_only_what_they_give() -> None:
    from_file = Settings(
        spec=Path("a.yaml"), output=Path("out"), perspective=Perspective.APPLICATION
    )

    merged = from_file.merged(Settings(output=Path("elsewhere"), allow_remote=False))

    assert merged == Settings(
        spec=Path("a.yaml"),
        output=Path("elsewhere"),
        perspective=Perspective.APPLICATION,
        allow_remote=False,
    )


def test_to_config_fills_defaults() -> None:
    config = Settings(spec=Path("a.yaml"), output=Path("out")).to_config("flags")

    assert config == Config(spec=Path("a.yaml"), output=Path("out"))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (Settings(output=Path("out")), "no spec given (from pyproject.toml)"),
        (Settings(spec=Path("a.yaml")), "no output folder given for 'a.yaml'"),
    ],
)
def test_to_config_needs_spec_and_output(settings: Settings, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings.to_config("from pyproject.toml")

    assert message in str(caught.value)


def test_ref_map_longest_prefix_first() -> None:
    pairs = parse_ref_map(
        {"https://a/": "x", "https://a/b/": "y", "https://b/": "z"}, Path("base")
    )

    assert pairs == (
        ("https://a/b/", Path("base/y")),
        ("https://a/", Path("base/x")),
        ("https://b/", Path("base/z")),
    )
