"""Write stage: black formatting, manifest, atomic and safe writes, and drift checks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from asyncapi_gen import write
from asyncapi_gen.config import Config, Perspective
from asyncapi_gen.errors import FormatError, OutputError
from asyncapi_gen.write import (
    MANIFEST,
    build_manifest,
    check_package,
    format_files,
    is_up_to_date,
    read_manifest,
    write_package,
)

FILES = {
    "pyproject.toml": '[project]\nname = "shop"\n',
    "README.md": "# shop\n",
    "shop/__init__.py": "from shop.models import Order\n",
    "shop/models.py": "class Order:\n    pass\n",
    "shop/py.typed": "",
}


@pytest.fixture()
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "specs" / "shop.yaml"
    path.parent.mkdir()
    path.write_text("asyncapi: 2.6.0\n", encoding="utf-8")
    return path


def config_for(spec: Path, output: Path, **options: object) -> Config:
    return Config(spec=spec, output=output, **options)  # type: ignore[arg-type]


def generate(
    spec: Path, output: Path, files: dict[str, str] | None = None, **kw: bool
) -> write.WriteResult:
    files = FILES if files is None else files
    config = config_for(spec, output)
    manifest = build_manifest(config, files, [spec])
    return write_package(files, output, manifest, **kw)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


# format_files


def test_format_files_runs_black_on_python_only() -> None:
    files = {"a.py": "x = {'a':1}\n", "README.md": "x = {'a':1}\n"}

    formatted = format_files(files)

    assert formatted == {"a.py": 'x = {"a": 1}\n', "README.md": "x = {'a':1}\n"}


def test_format_files_ignores_user_black_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.black]\nline-length = 20\nskip-string-normalization = true\n"
    )
    monkeypatch.chdir(tmp_path)
    source = "value = call('first argument', 'second argument')\n"

    formatted = format_files({"m.py": source})

    assert formatted["m.py"] == 'value = call("first argument", "second argument")\n'


def test_format_files_wraps_at_88_columns() -> None:
    names = ", ".join(f"argument_{n}" for n in range(12))
    source = f"result = function({names})\n"

    formatted = format_files({"m.py": source})["m.py"]

    assert max(len(line) for line in formatted.splitlines()) <= 88
    assert formatted.count("\n") > 1


def test_format_error_names_the_file_and_keeps_the_raw_text() -> None:
    raw = "def broken(:\n    pass\n"

    with pytest.raises(FormatError) as caught:
        format_files({"shop/ok.py": "x = 1\n", "shop/models.py": raw})

    assert caught.value.path == "shop/models.py"
    assert caught.value.source == raw
    assert "shop/models.py" in str(caught.value)
    assert caught.value.exit_code == 3


@pytest.mark.parametrize("black", [True, False])
def test_text_black_accepts_but_python_rejects_is_a_format_error(black: bool) -> None:
    # black's parser takes a name starting with a combining mark; CPython does not.
    raw = "\u0308x = 1\n"

    with pytest.raises(FormatError) as caught:
        format_files({"shop/models.py": raw}, black=black)

    assert "shop/models.py cannot be written: not valid Python" in str(caught.value)
    assert caught.value.source == raw


def test_text_utf8_cannot_hold_is_a_format_error_naming_the_line() -> None:
    with pytest.raises(FormatError) as caught:
        format_files({"README.md": "# shop\n\nbroken \ud800\n"})

    assert str(caught.value) == (
        "generated README.md cannot be written:"
        " line 3 holds '\\ud800', which UTF-8 cannot encode"
    )


def test_without_black_python_files_pass_unchanged() -> None:
    files = {"m.py": "x=1\n", "README.md": "# t\n"}

    assert format_files(files, black=False) == files


# write_package: new folders


def test_write_new_folder_writes_files_and_manifest(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"

    result = generate(spec, out)

    assert tree(out) == {
        **{p: t.encode() for p, t in FILES.items()},
        MANIFEST: tree(out)[MANIFEST],
    }
    assert result.written == sorted(FILES)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["generator"] == "asyncapi-gen"
    assert set(manifest["files"]) == set(FILES)
    assert manifest["inputs"] == {"shop.yaml": write._digest(spec.read_bytes())}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_write_normalises_line_ends_to_lf_and_utf8(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"

    generate(spec, out, {"m.py": "s = 'é'\r\nt = 1\r\n"})

    assert (out / "m.py").read_bytes() == "s = 'é'\nt = 1\n".encode()


def test_write_creates_missing_parent_folders(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "er" / "out"

    generate(spec, out)

    assert (out / "shop" / "models.py").is_file()


def test_write_into_empty_existing_folder(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()

    generate(spec, out)

    assert (out / "README.md").is_file()


@pytest.mark.parametrize("name", [".", "..", ""])
def test_refuses_an_output_folder_holding_the_working_folder(
    name: str, spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)

    with pytest.raises(OutputError, match="holds the working folder"):
        generate(spec, Path(name), force=True)

    assert list(work.iterdir()) == []


def test_relative_output_path_builds_beside_it(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    generate(spec, Path("out"))

    generate(spec, Path("out"), {**FILES, "README.md": "# changed\n"})

    assert (tmp_path / "out" / "README.md").read_text() == "# changed\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "specs"]


def test_generated_paths_must_be_plain_relative_paths(
    spec: Path, tmp_path: Path
) -> None:
    for bad in ("../escape.py", "/abs.py", "a/./b.py", MANIFEST, "a\\b.py"):
        with pytest.raises(ValueError):
            generate(spec, tmp_path / "out", {bad: "x = 1\n"})


# write_package: regeneration and ownership


def test_rewrite_of_same_content_touches_nothing(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    before = {p: os.stat(out / p).st_ino for p in FILES}

    result = generate(spec, out)

    assert result.unchanged
    assert {p: os.stat(out / p).st_ino for p in FILES} == before


def test_regeneration_removes_only_stale_files_it_wrote(
    spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    generate(spec, out, {**FILES, "shop/old.py": "x = 1\n"})
    (out / "NOTES.txt").write_text("mine\n")
    (out / "shop" / "__pycache__").mkdir()
    (out / "shop" / "__pycache__" / "models.pyc").write_bytes(b"\x00pyc")
    (out / "empty-folder").mkdir()
    notes_inode = os.stat(out / "NOTES.txt").st_ino

    result = generate(
        spec, out, {**FILES, "shop/models.py": "class Order:\n    x: int\n"}
    )

    assert result.removed == ["shop/old.py"]
    assert result.written == ["shop/models.py"]
    assert not (out / "shop" / "old.py").exists()
    assert (out / "NOTES.txt").read_text() == "mine\n"
    assert os.stat(out / "NOTES.txt").st_ino == notes_inode
    assert (out / "shop" / "__pycache__" / "models.pyc").read_bytes() == b"\x00pyc"
    assert (out / "empty-folder").is_dir()
    assert (out / "shop" / "models.py").read_text() == "class Order:\n    x: int\n"


def test_regeneration_drops_folders_emptied_of_its_files(
    spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    generate(spec, out, {**FILES, "shop/sub/x.py": "x = 1\n"})

    generate(spec, out)

    assert not (out / "shop" / "sub").exists()


def test_edited_stale_file_is_kept_and_reported(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(spec, out, {**FILES, "shop/old.py": "x = 1\n"})
    (out / "shop" / "old.py").write_text("x = 2  # my edit\n")

    result = generate(spec, out)

    assert result.kept == ["shop/old.py"]
    assert (out / "shop" / "old.py").read_text() == "x = 2  # my edit\n"


def test_hand_edit_of_a_generated_file_is_overwritten(
    spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    (out / "shop" / "models.py").write_text("hacked = True\n")

    result = generate(spec, out)

    assert result.written == ["shop/models.py"]
    assert (out / "shop" / "models.py").read_text() == FILES["shop/models.py"]


def test_refuses_non_empty_folder_without_manifest(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "app.py").write_text("mine\n")

    with pytest.raises(
        OutputError, match="not empty and was not written by asyncapi-gen"
    ):
        generate(spec, out)

    assert tree(out) == {"app.py": b"mine\n"}


def test_force_writes_into_foreign_folder_and_keeps_its_files(
    spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "app.py").write_text("mine\n")

    generate(spec, out, force=True)

    assert (out / "app.py").read_text() == "mine\n"
    assert (out / MANIFEST).is_file()


def test_refuses_to_replace_a_file_it_did_not_write(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    (out / "shop" / "router.py").write_text("my router\n")

    with pytest.raises(OutputError, match="in the way"):
        generate(spec, out, {**FILES, "shop/router.py": "generated = 1\n"})

    assert (out / "shop" / "router.py").read_text() == "my router\n"
    generate(spec, out, {**FILES, "shop/router.py": "generated = 1\n"}, force=True)
    assert (out / "shop" / "router.py").read_text() == "generated = 1\n"


def test_manifest_written_by_someone_else_does_not_grant_ownership(
    spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text('{"files": {"app.py": "x"}}\n')
    (out / "app.py").write_text("mine\n")

    with pytest.raises(OutputError):
        generate(spec, out)


# write_package: symlinks


def test_refuses_an_output_folder_that_is_a_symlink(spec: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "out").symlink_to(target)

    with pytest.raises(OutputError, match="symlink"):
        generate(spec, tmp_path / "out", force=True)

    assert list(target.iterdir()) == []


def test_never_writes_through_a_symlinked_file(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    victim = tmp_path / "victim.py"
    victim.write_text("precious\n")
    (out / "shop" / "models.py").unlink()
    (out / "shop" / "models.py").symlink_to(victim)

    with pytest.raises(OutputError, match="in the way"):
        generate(spec, out)
    generate(spec, out, force=True)

    assert victim.read_text() == "precious\n"
    assert not (out / "shop" / "models.py").is_symlink()
    assert (out / "shop" / "models.py").read_text() == FILES["shop/models.py"]


def test_never_writes_or_deletes_through_a_symlinked_folder(
    spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    generate(spec, out, {**FILES, "shop/old.py": "x = 1\n"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "models.py").write_text("precious\n")
    (elsewhere / "old.py").write_text("x = 1\n")
    for path in (out / "shop").iterdir():
        path.unlink()
    (out / "shop").rmdir()
    (out / "shop").symlink_to(elsewhere)

    with pytest.raises(OutputError):
        generate(spec, out)
    generate(spec, out, force=True)

    assert tree(elsewhere) == {"models.py": b"precious\n", "old.py": b"x = 1\n"}
    assert not (out / "shop").is_symlink()


def test_foreign_symlink_is_kept_without_following_it(
    spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "data.txt").write_text("keep\n")
    (out / "link").symlink_to(elsewhere)

    generate(spec, out, {**FILES, "shop/models.py": "y = 2\n"})

    assert (out / "link").is_symlink()
    assert os.readlink(out / "link") == str(elsewhere)
    assert tree(elsewhere) == {"data.txt": b"keep\n"}


# write_package: atomic replacement


def test_failure_while_building_leaves_previous_output_intact(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    before = tree(out)
    calls = []

    def failing_write(self: Path, data: bytes) -> int:
        calls.append(self)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return original(self, data)

    original = Path.write_bytes
    monkeypatch.setattr(Path, "write_bytes", failing_write)

    with pytest.raises(OutputError, match="No space left"):
        generate(spec, out, {p: t + "# new\n" for p, t in FILES.items()})

    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "specs"]


def test_interruption_while_building_leaves_previous_output_intact(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    before = tree(out)

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(write, "_carry", interrupted)

    with pytest.raises(KeyboardInterrupt):
        generate(spec, out, {p: t + "# new\n" for p, t in FILES.items()})

    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "specs"]


def test_entry_that_cannot_be_linked_stops_the_run_before_any_write(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    (out / "NOTES.txt").write_text("mine\n")
    before = tree(out)

    def cross_device(*args: object, **kwargs: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)

    with pytest.raises(OutputError, match="cannot keep .*NOTES.txt"):
        generate(spec, out, {**FILES, "README.md": "# new\n"})

    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "specs"]


def late_writer(monkeypatch: pytest.MonkeyPatch, path: str, text: str) -> None:
    """Make another "process" write into the output folder just before the swap."""
    original = write._swap

    def swap(staging: Path, output: Path) -> None:
        (output / path).parent.mkdir(parents=True, exist_ok=True)
        (output / path).write_text(text)
        original(staging, output)

    monkeypatch.setattr(write, "_swap", swap)


def test_file_added_during_the_run_is_moved_into_the_new_tree(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    late_writer(monkeypatch, "logs/late.txt", "late\n")

    result = generate(spec, out, {**FILES, "README.md": "# new\n"})

    assert (out / "logs" / "late.txt").read_text() == "late\n"
    assert (out / "README.md").read_text() == "# new\n"
    assert result.stranded is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "specs"]


def test_file_added_during_the_run_in_the_way_is_left_beside(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    late_writer(monkeypatch, "shop/new.py", "mine = 1\n")

    result = generate(spec, out, {**FILES, "shop/new.py": "generated = 1\n"})

    assert (out / "shop" / "new.py").read_text() == "generated = 1\n"
    assert result.stranded is not None
    assert tree(result.stranded) == {"shop/new.py": b"mine = 1\n"}


def test_two_rename_fallback_when_exchange_is_unsupported(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    (out / "NOTES.txt").write_text("mine\n")
    monkeypatch.setattr(write, "_exchange", lambda first, second: False)

    generate(spec, out, {**FILES, "shop/models.py": "y = 2\n"})

    assert (out / "shop" / "models.py").read_text() == "y = 2\n"
    assert (out / "NOTES.txt").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "specs"]


def test_output_folder_keeps_its_mode(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    os.chmod(out, 0o750)

    generate(spec, out, {**FILES, "shop/models.py": "y = 2\n"})

    assert os.stat(out).st_mode & 0o777 == 0o750


# check_package


def test_check_reports_nothing_when_up_to_date(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(spec, out)

    assert check_package(FILES, out) == []


def test_check_reports_changed_added_and_removed_with_diffs(
    spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    generate(spec, out, {**FILES, "shop/old.py": "x = 1\n"})
    before = tree(out)
    files = {
        **FILES,
        "shop/models.py": "class Order:\n    id: int\n",
        "shop/new.py": "n = 1\n",
    }

    changes = check_package(files, out, "out")

    assert [(c.path, c.kind) for c in changes] == [
        ("shop/models.py", "changed"),
        ("shop/new.py", "added"),
        ("shop/old.py", "removed"),
    ]
    assert changes[0].diff == (
        "--- a/out/shop/models.py\n+++ b/out/shop/models.py\n@@ -1,2 +1,2 @@\n"
        " class Order:\n-    pass\n+    id: int\n"
    )
    assert changes[1].diff.startswith("--- /dev/null\n+++ b/out/shop/new.py\n")
    assert changes[2].diff.startswith("--- a/out/shop/old.py\n+++ /dev/null\n")
    assert tree(out) == before


def test_check_of_a_missing_output_lists_every_file_as_added(tmp_path: Path) -> None:
    changes = check_package(FILES, tmp_path / "out", "out")

    assert sorted(c.path for c in changes) == sorted([*FILES, MANIFEST])
    assert {c.kind for c in changes} == {"added"}
    assert not (tmp_path / "out").exists()


def test_check_reports_a_symlink_at_a_generated_path(
    spec: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    copy = tmp_path / "copy.py"
    copy.write_text(FILES["shop/models.py"])
    (out / "shop" / "models.py").unlink()
    (out / "shop" / "models.py").symlink_to(copy)

    changes = check_package(FILES, out, "out")

    assert [(c.path, c.kind) for c in changes] == [("shop/models.py", "changed")]
    assert "(not a regular file)" in changes[0].diff


# manifest and the --check shortcut


def test_manifest_is_deterministic_and_path_independent(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absolute = build_manifest(
        config_for(spec, tmp_path / "out"), FILES, [spec]
    ).to_text()
    monkeypatch.chdir(spec.parent)
    relative = build_manifest(
        config_for(Path("shop.yaml"), Path("../out")), FILES, [Path("shop.yaml")]
    ).to_text()

    assert absolute == relative
    assert str(tmp_path) not in absolute
    assert absolute.endswith("}\n")


def test_manifest_records_options_with_relative_ref_map_folders(
    spec: Path, tmp_path: Path
) -> None:
    config = Config(
        spec=spec,
        output=tmp_path / "out",
        package_name="shop",
        perspective=Perspective.APPLICATION,
        ref_map=(("https://example.com/", tmp_path / "vendor"),),
    )

    options = build_manifest(config, FILES, [spec]).options

    assert options == {
        "package_name": "shop",
        "perspective": "application",
        "allow_outside_root": False,
        "allow_remote": False,
        "ref_map": [["https://example.com/", "../vendor"]],
        "format": True,
    }


def test_manifest_inputs_are_relative_to_the_root_document(
    spec: Path, tmp_path: Path
) -> None:
    common = spec.parent / "common" / "types.yaml"
    common.parent.mkdir()
    common.write_text("Money: {type: number}\n")

    manifest = build_manifest(config_for(spec, tmp_path / "out"), FILES, [spec, common])

    assert sorted(manifest.inputs or {}) == ["common/types.yaml", "shop.yaml"]


def test_up_to_date_after_write(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(spec, out)

    assert is_up_to_date(config_for(spec, out))


@pytest.mark.parametrize(
    "change",
    [
        "edit generated file",
        "delete generated file",
        "edit spec",
        "edit referenced file",
        "change option",
        "other output format",
        "inputs unknown",
        "remote allowed",
        "no manifest",
    ],
)
def test_up_to_date_is_false_whenever_it_cannot_be_proven(
    change: str, spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    common = spec.parent / "common.yaml"
    common.write_text("Money: {type: number}\n")
    config = config_for(spec, out)
    inputs = None if change == "inputs unknown" else [spec, common]
    write_package(FILES, out, build_manifest(config, FILES, inputs))
    assert change == "inputs unknown" or is_up_to_date(config)

    if change == "edit generated file":
        (out / "shop" / "models.py").write_text("hacked = 1\n")
    elif change == "delete generated file":
        (out / "README.md").unlink()
    elif change == "edit spec":
        spec.write_text("asyncapi: 2.6.0\n# edited\n")
    elif change == "edit referenced file":
        common.write_text("Money: {type: string}\n")
    elif change == "change option":
        config = config_for(spec, out, perspective=Perspective.APPLICATION)
    elif change == "other output format":
        monkeypatch.setattr(write, "OUTPUT_FORMAT", write.OUTPUT_FORMAT + 1)
    elif change == "remote allowed":
        config = config_for(spec, out, allow_remote=True)
    elif change == "no manifest":
        (out / MANIFEST).unlink()

    assert not is_up_to_date(config)


def test_read_manifest_ignores_garbage(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for text in ("not json", "[]", '{"generator": "asyncapi-gen"}', ""):
        (out / MANIFEST).write_text(text)
        assert read_manifest(out) is None


@pytest.mark.parametrize(
    "listed", ["../secret.txt", "shop/../../secret.txt", "/SECRET"]
)
def test_manifest_listing_a_path_outside_the_folder_is_not_ours(
    spec: Path, tmp_path: Path, listed: str
) -> None:
    out = tmp_path / "out"
    generate(spec, out)
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me\n")
    listed = listed.replace("/SECRET", str(secret))
    body = json.loads((out / MANIFEST).read_text())
    body["files"][listed] = write._digest(secret.read_bytes())
    (out / MANIFEST).write_text(json.dumps(body))

    changes = check_package(FILES, out, "out")

    assert read_manifest(out) is None
    assert not is_up_to_date(config_for(spec, out))
    assert all("do not read me" not in change.diff for change in changes)
    generate(spec, out, force=True)
    assert secret.read_text() == "do not read me\n"
