"""Command line: flags and pyproject.toml, exit codes, output streams, check and diff.

The generation stages are replaced by a fake `asyncapi_gen.generate` module, so these tests
pin the command's own behaviour whatever the templates produce.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from asyncapi_gen import __version__
from asyncapi_gen.cli import main
from asyncapi_gen.config import Config, Perspective
from asyncapi_gen.errors import DiagnosticSink, DocumentError, SourceLocation
from asyncapi_gen.write import MANIFEST

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class FakePackage:
    package_name: str
    files: dict[str, str]
    inputs: tuple[Path, ...] | None = None


@dataclass
class FakeGenerator:
    """Stands in for generate_files: output depends on the spec text and the perspective."""

    calls: list[Config] = field(default_factory=list)
    fail_with: BaseException | None = None
    report_inputs: bool = True
    extra_line: str = ""

    def generate_files(self, config: Config, sink: DiagnosticSink) -> FakePackage:
        self.calls.append(config)
        if self.fail_with is not None:
            raise self.fail_with
        text = config.spec.read_text(encoding="utf-8")
        where = SourceLocation(config.spec.as_posix(), 3, 5, "#/info")
        if "broken" in text:
            sink.error("missing required field 'title'", where, "add 'title: ...'")
            sink.error(
                "expected a mapping, found a string",
                SourceLocation(config.spec.as_posix(), 1, 1, "#"),
            )
            sink.raise_if_errors()
        if "odd" in text:
            sink.warning("unknown field 'odd'", where)
        name = config.package_name or "shop"
        body = "" if "unformattable" not in text else "def (:\n"
        files = {
            "README.md": f"# {name}\n{self.extra_line}",
            "pyproject.toml": f'[project]\nname = "{name}"\n',
            f"{name}/__init__.py": f"PERSPECTIVE='{config.perspective.value}'\n{body}",
            f"{name}/models.py": f"SPEC_LINES={len(text.splitlines())}\n",
            f"{name}/py.typed": "",
        }
        return FakePackage(name, files, (config.spec,) if self.report_inputs else None)


@pytest.fixture()
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeGenerator:
    generator = FakeGenerator()
    module = types.ModuleType("asyncapi_gen.generate")
    module.generate_files = generator.generate_files  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "asyncapi_gen.generate", module)
    return generator


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "shop.yaml").write_text("asyncapi: 2.6.0\ninfo: {}\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="asyncapi-gen")


# Writing


def test_writes_formatted_package_and_prints_summary(
    fake: FakeGenerator, project: Path
) -> None:
    result = invoke("specs/shop.yaml", "-o", "out")

    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote 5 files to out\n"
    assert result.stderr == ""
    assert (
        project / "out" / "shop" / "__init__.py"
    ).read_text() == 'PERSPECTIVE = "client"\n'
    assert (project / "out" / MANIFEST).is_file()


def test_no_format_writes_the_emitted_text_and_records_the_option(
    fake: FakeGenerator, project: Path
) -> None:
    result = invoke("specs/shop.yaml", "-o", "out", "--no-format")
    written = (project / "out" / "shop" / "__init__.py").read_text()
    manifest = json.loads((project / "out" / MANIFEST).read_text())
    rerun = invoke("specs/shop.yaml", "-o", "out")

    assert result.exit_code == 0, result.output
    assert fake.calls[0].format is False
    assert written == "PERSPECTIVE='client'\n"
    assert manifest["options"]["format"] is False
    # The manifest records the option: a formatted run is not settled by it.
    assert rerun.stdout == "wrote 2 files to out\n"
    assert json.loads((project / "out" / MANIFEST).read_text())["options"]["format"]


def test_no_format_still_stops_on_code_that_does_not_parse(
    fake: FakeGenerator, project: Path
) -> None:
    (project / "specs" / "shop.yaml").write_text("unformattable\n")

    result = invoke("specs/shop.yaml", "-o", "out", "--no-format")

    assert result.exit_code == 3
    assert (
        "generated shop/__init__.py cannot be written: not valid Python"
        in result.stderr
    )
    assert not (project / "out").exists()


def test_pyproject_format_false_is_overridden_by_the_flag(
    fake: FakeGenerator, project: Path
) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.asyncapi-gen]\nspec = "specs/shop.yaml"\noutput = "out"\nformat = false\n'
    )

    invoke()
    invoke("--format")

    assert [c.format for c in fake.calls] == [False, True]


def test_second_run_is_settled_by_the_manifest(
    fake: FakeGenerator, project: Path
) -> None:
    invoke("specs/shop.yaml", "-o", "out")

    result = invoke("specs/shop.yaml", "-o", "out")

    assert result.exit_code == 0
    assert result.stdout == "out is up to date\n"
    assert result.stderr == ""
    assert len(fake.calls) == 1


def test_without_known_inputs_every_run_generates_and_compares(
    fake: FakeGenerator, project: Path
) -> None:
    fake.report_inputs = False
    invoke("specs/shop.yaml", "-o", "out")

    result = invoke("specs/shop.yaml", "-o", "out", "-v")
    check = invoke("specs/shop.yaml", "-o", "out", "--check")

    assert result.exit_code == check.exit_code == 0
    assert result.stdout == "out is up to date\n"
    assert "info: write: 0 changed, 0 removed, 0 kept\n" in result.stderr
    assert check.stderr == "out is up to date\n"
    assert len(fake.calls) == 3


def test_force_regenerates_even_when_the_manifest_matches(
    fake: FakeGenerator, project: Path
) -> None:
    invoke("specs/shop.yaml", "-o", "out")
    fake.extra_line = "generated by a newer generator\n"

    settled = invoke("specs/shop.yaml", "-o", "out")
    forced = invoke("specs/shop.yaml", "-o", "out", "--force")

    assert settled.stdout == "out is up to date\n"
    assert forced.stdout == "wrote 1 file to out\n"
    assert "newer generator" in (project / "out" / "README.md").read_text()


@pytest.mark.parametrize("report_inputs", [True, False])
def test_patch_release_with_same_output_is_not_stale(
    fake: FakeGenerator,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    report_inputs: bool,
) -> None:
    import asyncapi_gen

    fake.report_inputs = report_inputs
    invoke("specs/shop.yaml", "-o", "out")
    manifest = (project / "out" / MANIFEST).read_bytes()
    monkeypatch.setattr(asyncapi_gen, "__version__", "0.1.1")

    check = invoke("specs/shop.yaml", "-o", "out", "--check")
    rerun = invoke("specs/shop.yaml", "-o", "out")

    assert check.exit_code == 0
    assert rerun.stdout == "out is up to date\n"
    assert (project / "out" / MANIFEST).read_bytes() == manifest
    assert b"0.1.0" not in manifest


def test_spec_change_regenerates(fake: FakeGenerator, project: Path) -> None:
    invoke("specs/shop.yaml", "-o", "out")
    (project / "specs" / "shop.yaml").write_text(
        "asyncapi: 2.6.0\ninfo: {}\nchannels: {}\n"
    )

    result = invoke("specs/shop.yaml", "-o", "out")

    assert result.stdout == "wrote 1 file to out\n"
    assert (project / "out" / "shop" / "models.py").read_text() == "SPEC_LINES = 3\n"


def test_package_name_and_perspective_flags_reach_the_config(
    fake: FakeGenerator, project: Path
) -> None:
    result = invoke(
        "specs/shop.yaml",
        "-o",
        "out",
        "--package-name",
        "events",
        "--perspective",
        "application",
        "--allow-outside-root",
        "--ref-map",
        "https://example.com/a=b/=vendor",
    )

    assert result.exit_code == 0, result.output
    config = fake.calls[0]
    assert config.package_name == "events"
    assert config.perspective is Perspective.APPLICATION
    assert config.allow_outside_root is True
    assert config.allow_remote is False
    assert config.ref_map == (("https://example.com/a=b/", Path("vendor")),)
    assert (project / "out" / "events" / "py.typed").exists()


def test_refuses_foreign_folder_then_force_writes(
    fake: FakeGenerator, project: Path
) -> None:
    (project / "out").mkdir()
    (project / "out" / "mine.txt").write_text("mine\n")

    refused = invoke("specs/shop.yaml", "-o", "out")
    forced = invoke("specs/shop.yaml", "-o", "out", "--force")

    assert refused.exit_code == 1
    assert "error: output folder 'out' is not empty" in refused.stderr
    assert "--force" in refused.stderr
    assert forced.exit_code == 0
    assert (project / "out" / "mine.txt").read_text() == "mine\n"


def test_edited_stale_file_is_kept_with_a_warning(
    fake: FakeGenerator, project: Path
) -> None:
    invoke("specs/shop.yaml", "-o", "out", "--package-name", "old")
    (project / "out" / "old" / "models.py").write_text("edited = 1\n")

    result = invoke("specs/shop.yaml", "-o", "out")

    assert result.exit_code == 0
    assert "warning: kept 'out/old/models.py'" in result.stderr
    assert not (project / "out" / "old" / "__init__.py").exists()
    assert result.stdout == "wrote 5 files to out, removed 2 files\n"


def test_file_added_during_the_run_and_left_beside_is_reported(
    fake: FakeGenerator, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asyncapi_gen import write

    invoke("specs/shop.yaml", "-o", "out", "--package-name", "one")
    original = write._swap

    def swap(staging: Path, output: Path) -> None:
        (output / "two").mkdir()
        (output / "two" / "models.py").write_text("mine = 1\n")
        original(staging, output)

    monkeypatch.setattr(write, "_swap", swap)

    result = invoke("specs/shop.yaml", "-o", "out", "--package-name", "two")

    assert result.exit_code == 0
    assert (
        "warning: files added to 'out' during the run were not moved" in result.stderr
    )
    assert "'.out.asyncapi-gen-" in result.stderr


# --check and --diff


def test_check_up_to_date_exits_0(fake: FakeGenerator, project: Path) -> None:
    invoke("specs/shop.yaml", "-o", "out")

    result = invoke("specs/shop.yaml", "-o", "out", "--check")

    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "out is up to date\n"


def test_check_detects_a_hand_edit_and_prints_the_diff(
    fake: FakeGenerator, project: Path
) -> None:
    invoke("specs/shop.yaml", "-o", "out")
    models = project / "out" / "shop" / "models.py"
    models.write_text("SPEC_LINES = 99\n")

    result = invoke("specs/shop.yaml", "-o", "out", "--check")

    assert result.exit_code == 1
    assert result.stdout == (
        "--- a/out/shop/models.py\n+++ b/out/shop/models.py\n@@ -1 +1 @@\n"
        "-SPEC_LINES = 99\n+SPEC_LINES = 2\n"
    )
    assert result.stderr == (
        "out is stale: 1 changed, 0 added, 0 removed; run asyncapi-gen to regenerate\n"
    )
    assert models.read_text() == "SPEC_LINES = 99\n"


def test_check_detects_spec_change_with_added_and_removed_files(
    fake: FakeGenerator, project: Path
) -> None:
    invoke("specs/shop.yaml", "-o", "out")
    before = sorted(p.as_posix() for p in (project / "out").rglob("*"))

    result = invoke(
        "specs/shop.yaml", "-o", "out", "--check", "--package-name", "other"
    )

    assert result.exit_code == 1
    assert "+++ b/out/other/models.py" in result.stdout
    assert "--- a/out/shop/models.py\n+++ /dev/null" in result.stdout
    assert "2 changed, 3 added, 3 removed" in result.stderr
    assert sorted(p.as_posix() for p in (project / "out").rglob("*")) == before


def test_check_of_a_broken_document_says_so(fake: FakeGenerator, project: Path) -> None:
    invoke("specs/shop.yaml", "-o", "out")
    (project / "specs" / "shop.yaml").write_text("broken\n")

    result = invoke("specs/shop.yaml", "-o", "out", "--check")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "specs/shop.yaml:1:1: error: expected a mapping, found a string\n  at #\n"
        "specs/shop.yaml:3:5: error: missing required field 'title'\n  at #/info\n"
        "  hint: add 'title: ...'\n"
        "error: specs/shop.yaml is not a valid AsyncAPI document (2 errors); nothing checked\n"
    )


def test_diff_prints_the_diff_and_exits_0(fake: FakeGenerator, project: Path) -> None:
    invoke("specs/shop.yaml", "-o", "out")
    (project / "out" / "README.md").write_text("# edited\n")

    result = invoke("specs/shop.yaml", "-o", "out", "--diff")

    assert result.exit_code == 0
    assert result.stdout.startswith("--- a/out/README.md\n+++ b/out/README.md\n")
    assert "out is stale: 1 changed" in result.stderr
    assert (project / "out" / "README.md").read_text() == "# edited\n"


def test_check_with_diff_still_fails_when_stale(
    fake: FakeGenerator, project: Path
) -> None:
    result = invoke("specs/shop.yaml", "-o", "out", "--check", "--diff")

    assert result.exit_code == 1
    assert "+++ b/out/shop/models.py" in result.stdout
    assert not (project / "out").exists()


# Diagnostics, verbosity, exit codes


def test_broken_document_exits_1_without_traceback(
    fake: FakeGenerator, project: Path
) -> None:
    (project / "specs" / "shop.yaml").write_text("broken\n")

    result = invoke("specs/shop.yaml", "-o", "out")

    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.endswith("(2 errors); nothing written\n")
    assert not (project / "out").exists()


def test_broken_document_shows_traceback_at_vv(
    fake: FakeGenerator, project: Path
) -> None:
    (project / "specs" / "shop.yaml").write_text("broken\n")

    result = invoke("specs/shop.yaml", "-o", "out", "-vv")

    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert "DocumentError" in result.stderr


def test_warnings_go_to_stderr_and_exit_0(fake: FakeGenerator, project: Path) -> None:
    (project / "specs" / "shop.yaml").write_text("odd\n")

    result = invoke("specs/shop.yaml", "-o", "out")
    quiet = invoke("specs/shop.yaml", "-o", "out2", "--quiet")

    assert result.exit_code == 0
    assert (
        result.stderr
        == "specs/shop.yaml:3:5: warning: unknown field 'odd'\n  at #/info\n"
    )
    assert result.stdout == "wrote 5 files to out\n"
    assert quiet.exit_code == 0
    assert quiet.stdout == quiet.stderr == ""


def test_quiet_still_prints_errors(fake: FakeGenerator, project: Path) -> None:
    (project / "specs" / "shop.yaml").write_text("broken\n")

    result = invoke("specs/shop.yaml", "-o", "out", "-q")

    assert result.exit_code == 1
    assert "error: missing required field 'title'" in result.stderr


def test_unexpected_exception_is_an_internal_error(
    fake: FakeGenerator, project: Path
) -> None:
    fake.fail_with = RuntimeError("boom")

    result = invoke("specs/shop.yaml", "-o", "out")

    assert result.exit_code == 3
    assert result.stderr.startswith("internal error")
    assert "Traceback" in result.stderr
    assert "RuntimeError: boom" in result.stderr


def test_black_failure_names_the_file_and_shows_raw_text_at_vv(
    fake: FakeGenerator, project: Path
) -> None:
    (project / "specs" / "shop.yaml").write_text("unformattable\n")

    plain = invoke("specs/shop.yaml", "-o", "out")
    loud = invoke("specs/shop.yaml", "-o", "out", "-vv")

    assert plain.exit_code == loud.exit_code == 3
    assert (
        "error: generated shop/__init__.py cannot be written: not valid Python"
        in plain.stderr
    )
    assert "def (:" not in plain.stderr
    assert "    2 | def (:" in loud.stderr
    assert not (project / "out").exists()


def test_vv_shows_stage_timings_and_default_does_not(
    fake: FakeGenerator, project: Path
) -> None:
    loud = invoke("specs/shop.yaml", "-o", "out", "-vv")
    again = invoke("specs/shop.yaml", "-o", "out", "-v")

    assert "debug: stage format: " in loud.stderr
    assert "debug: stage write: " in loud.stderr
    assert again.stderr == (
        "info: out: manifest matches inputs and files; generation skipped\n"
    )
    assert again.stdout == "out is up to date\n"


def test_logging_handler_is_removed_after_the_run(
    fake: FakeGenerator, project: Path
) -> None:
    root = logging.getLogger("asyncapi_gen")
    before = list(root.handlers), root.propagate

    invoke("specs/shop.yaml", "-o", "out", "-vv")

    assert (list(root.handlers), root.propagate) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "no spec given: pass SPEC and -o OUT"),
        (["specs/shop.yaml"], "no output folder given for 'specs/shop.yaml'"),
        (["specs/shop.yaml", "-o", "out", "--perspective", "server"], "Invalid value"),
        (
            ["specs/shop.yaml", "-o", "out", "--ref-map", "nofolder"],
            "expected PREFIX=DIR",
        ),
        (["specs/shop.yaml", "-o", "out", "--bogus"], "No such option"),
    ],
)
def test_usage_errors_exit_2(
    fake: FakeGenerator, project: Path, args: list[str], message: str
) -> None:
    result = invoke(*args)

    assert result.exit_code == 2
    assert message in result.stderr
    assert fake.calls == []


def test_version() -> None:
    result = invoke("--version")

    assert result.exit_code == 0
    assert result.stdout == f"asyncapi-gen, version {__version__}\n"


def test_python_dash_m_runs_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "asyncapi_gen", "--version"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )

    assert done.returncode == 0
    assert done.stdout == f"asyncapi-gen, version {__version__}\n"


# pyproject.toml


SEVERAL = """
[tool.asyncapi-gen]
perspective = "application"

[[tool.asyncapi-gen.specs]]
spec = "specs/shop.yaml"
output = "gen/shop"

[[tool.asyncapi-gen.specs]]
spec = "specs/billing.yaml"
output = "gen/billing"
package-name = "billing"
"""


def test_bare_command_uses_pyproject_table(fake: FakeGenerator, project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.asyncapi-gen]\nspec = "specs/shop.yaml"\noutput = "out"\npackage-name = "shop_api"\n'
    )

    result = invoke()
    check = invoke("--check")

    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote 5 files to out\n"
    assert fake.calls[0].spec == Path("specs/shop.yaml")
    assert (project / "out" / "shop_api" / "models.py").exists()
    assert check.exit_code == 0


def test_bare_command_runs_every_listed_spec(
    fake: FakeGenerator, project: Path
) -> None:
    (project / "pyproject.toml").write_text(SEVERAL)
    (project / "specs" / "billing.yaml").write_text("asyncapi: 2.6.0\n")

    result = invoke()

    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote 5 files to gen/shop\nwrote 5 files to gen/billing\n"
    assert [c.perspective for c in fake.calls] == [Perspective.APPLICATION] * 2
    assert (project / "gen" / "billing" / "billing" / "__init__.py").exists()


def test_works_from_a_subfolder_with_paths_from_the_pyproject_folder(
    fake: FakeGenerator, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "pyproject.toml").write_text(SEVERAL)
    (project / "specs" / "billing.yaml").write_text("asyncapi: 2.6.0\n")
    (project / "src").mkdir()
    monkeypatch.chdir(project / "src")

    result = invoke()

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "wrote 5 files to ../gen/shop\nwrote 5 files to ../gen/billing\n"
    )
    assert fake.calls[0].spec == Path("../specs/shop.yaml")
    assert (project / "gen" / "shop" / "shop" / "models.py").exists()


def test_worst_exit_code_of_several_specs_wins(
    fake: FakeGenerator, project: Path
) -> None:
    (project / "pyproject.toml").write_text(SEVERAL)
    (project / "specs" / "billing.yaml").write_text("broken\n")

    result = invoke()

    assert result.exit_code == 1
    assert "wrote 5 files to gen/shop" in result.stdout
    assert "specs/billing.yaml is not a valid AsyncAPI document" in result.stderr


def test_flags_override_pyproject(fake: FakeGenerator, project: Path) -> None:
    (project / "pyproject.toml").write_text(SEVERAL)
    (project / "specs" / "billing.yaml").write_text("asyncapi: 2.6.0\n")

    result = invoke("--perspective", "client", "--no-allow-outside-root")

    assert result.exit_code == 0, result.output
    assert [c.perspective for c in fake.calls] == [Perspective.CLIENT] * 2


def test_spec_argument_picks_its_entry(fake: FakeGenerator, project: Path) -> None:
    (project / "pyproject.toml").write_text(SEVERAL)
    (project / "specs" / "billing.yaml").write_text("asyncapi: 2.6.0\n")

    result = invoke("specs/billing.yaml")

    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote 5 files to gen/billing\n"
    assert [c.package_name for c in fake.calls] == ["billing"]


def test_output_flag_with_several_specs_is_a_usage_error(
    fake: FakeGenerator, project: Path
) -> None:
    (project / "pyproject.toml").write_text(SEVERAL)

    result = invoke("-o", "out")

    assert result.exit_code == 2
    assert (
        "-o and --package-name apply to one spec and pyproject.toml lists 2"
        in result.stderr
    )


def test_invalid_pyproject_table_is_a_usage_error(
    fake: FakeGenerator, project: Path
) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.asyncapi-gen]\nspec = "a.yaml"\noutptu = "x"\n'
    )

    result = invoke()

    assert result.exit_code == 2
    assert "unknown key 'outptu'; did you mean 'output'?" in result.stderr


def test_document_error_without_diagnostics_still_exits_1(
    fake: FakeGenerator, project: Path
) -> None:
    fake.fail_with = DocumentError([])

    result = invoke("specs/shop.yaml", "-o", "out")

    assert result.exit_code == 1
    assert "(0 errors)" in result.stderr
