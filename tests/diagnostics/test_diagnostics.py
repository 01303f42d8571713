"""Broken documents through the whole command, each with its exact expected stderr.

errors/<case>.stderr goes with the input errors/<case>.yaml, errors/<case>.json or the
folder errors/<case>/ (its spec/asyncapi.yaml, else its asyncapi.yaml); every such case exits 1,
writes nothing and shows no traceback. warnings/<case> cases exit 0 and write the package.
The command runs from the case's folder, so stderr names the input as the case does; the
absolute path of that folder, where one is shown, is written {here}.
Rewrite the .stderr files with `pytest tests/diagnostics --update-golden`; review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from asyncapi_gen.cli import main

HERE = Path(__file__).resolve().parent
ERRORS = sorted((HERE / "errors").glob("*.stderr"))
WARNINGS = sorted((HERE / "warnings").glob("*.stderr"))


def spec_of(expected: Path) -> str:
    """The input of a case, relative to the case's folder."""
    stem = expected.with_suffix("")
    for candidate in (
        stem.with_suffix(".yaml"),
        stem.with_suffix(".json"),
        stem / "spec" / "asyncapi.yaml",
        stem / "asyncapi.yaml",
    ):
        if candidate.is_file():
            return candidate.relative_to(expected.parent).as_posix()
    raise AssertionError(f"no input for {expected.name}")


def run_case(
    expected: Path, out: Path, monkeypatch: pytest.MonkeyPatch, *flags: str
) -> tuple[int, str, str]:
    monkeypatch.chdir(expected.parent)
    result = CliRunner().invoke(
        main, [spec_of(expected), "-o", str(out), *flags], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def compare(expected: Path, stderr: str, request: pytest.FixtureRequest) -> None:
    # An absolute path of the case's folder is written as {here}: the files stay portable.
    stderr = stderr.replace(str(expected.parent), "{here}")
    if request.config.getoption("--update-golden"):
        expected.write_text(stderr, encoding="utf-8")
    assert stderr == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("expected", ERRORS, ids=lambda p: p.stem)
def test_broken_document_gives_exactly_the_expected_stderr(
    expected: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    out = tmp_path / "out"

    code, stdout, stderr = run_case(expected, out, monkeypatch)

    compare(expected, stderr, request)
    assert code == 1
    assert stdout == ""
    assert "Traceback" not in stderr
    assert not out.exists()


@pytest.mark.parametrize("expected", WARNINGS, ids=lambda p: p.stem)
def test_warnings_alone_exit_0_and_write_the_package(
    expected: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    out = tmp_path / "out"

    code, stdout, stderr = run_case(expected, out, monkeypatch)

    compare(expected, stderr, request)
    assert code == 0
    assert stdout.startswith("wrote ")
    assert (out / ".asyncapi-gen.json").is_file()


def test_every_case_has_an_input_and_an_expected_stderr() -> None:
    inputs = {
        p.with_suffix("").name if p.is_file() else p.name
        for folder in ("errors", "warnings")
        for p in (HERE / folder).iterdir()
    }
    expected = {p.stem for p in (*ERRORS, *WARNINGS)}

    assert inputs == expected
    assert all(spec_of(p) for p in (*ERRORS, *WARNINGS))


def test_errors_are_sorted_by_line_and_column() -> None:
    for expected in ERRORS:
        heads = [
            line.split(": ", 1)[0]
            for line in expected.read_text(encoding="utf-8").splitlines()
            if not line.startswith((" ", "error: "))
        ]
        places = [tuple(int(n) for n in head.rsplit(":", 2)[1:]) for head in heads]
        assert places == sorted(places), expected.name


def test_warnings_are_not_shown_with_quiet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = HERE / "warnings" / "unknown-fields.stderr"

    code, stdout, stderr = run_case(case, tmp_path / "out", monkeypatch, "-q")

    assert (code, stdout, stderr) == (0, "", "")


def test_vv_adds_the_traceback_and_keeps_the_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = HERE / "errors" / "ref-unknown-target.stderr"

    code, _, stderr = run_case(case, tmp_path / "out", monkeypatch, "-vv")

    assert code == 1
    assert case.read_text(encoding="utf-8").splitlines()[0] in stderr
    assert "Traceback (most recent call last)" in stderr
    assert "DocumentError" in stderr


def test_missing_spec_file_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(main, ["nothere.yaml", "-o", "out"])

    assert result.exit_code == 1
    assert result.stderr == (
        "nothere.yaml:1:1: error: file not found\n"
        "  at #\n"
        "error: nothere.yaml is not a valid AsyncAPI document (1 error);"
        " nothing written\n"
    )


def test_usage_error_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()

    result = CliRunner().invoke(main, ["spec.yaml"])

    assert result.exit_code == 2
    assert (
        result.stderr
        == "error: no output folder given for 'spec.yaml' (pass SPEC and -o OUT)\n"
    )


def test_internal_error_exits_3_with_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncapi_gen.generate as generate

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(generate, "build_ir", broken)
    case = HERE / "warnings" / "unknown-fields.stderr"

    code, _, stderr = run_case(case, tmp_path / "out", monkeypatch)

    assert code == 3
    assert stderr.splitlines()[-1] == "RuntimeError: boom"
    assert "internal error: please report it with the traceback below" in stderr


def test_broken_referenced_file_names_the_reference_that_reached_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = HERE / "errors" / "ref-into-other-file.stderr"

    _, _, stderr = run_case(case, tmp_path / "out", monkeypatch)

    # broken.yaml is reached by the reference at line 14 of the root document.
    assert "ref-into-other-file/asyncapi.yaml:14:9" in stderr


def test_known_limitation_reference_errors_wait_for_a_valid_structure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "both.yaml"
    spec.write_text(
        "asyncapi: 2.6.0\n"
        "info: {title: Shop, version: 1}\n"
        "channels:\n"
        "  orders:\n"
        "    subscribe:\n"
        "      message:\n"
        "        payload: {$ref: '#/components/schemas/Nothing'}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(main, ["both.yaml", "-o", "out"])

    assert result.exit_code == 1
    assert "'version' must be a string" in result.stderr
    assert "Nothing" not in result.stderr


def test_diagnostics_show_no_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = HERE / "errors" / "ref-missing-file.stderr"

    _, _, stderr = run_case(case, tmp_path / "out", monkeypatch)

    assert str(case.parent) not in stderr
