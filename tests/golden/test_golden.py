"""Golden trees: the generated package compared whole with a reviewed copy.

Regenerate with `pytest tests/golden --update-golden` and review the diff before committing.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from tests.conftest import CONNECTX, run_cli

HERE = Path(__file__).resolve().parent
# case -> (spec, package name); a case folder holds `expected/`, and its own spec if any.
CASES = {
    "connectx": (CONNECTX, "connectx_events"),
    **{
        path.parent.name: (path, path.parent.name.replace("-", "_"))
        for path in sorted(HERE.glob("*/asyncapi.yaml"))
    },
}


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def describe(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    lines = []
    for path in sorted(set(expected) | set(actual)):
        if path not in actual:
            lines.append(f"missing: {path}")
        elif path not in expected:
            lines.append(f"extra: {path}")
        elif expected[path] != actual[path]:
            diff = difflib.unified_diff(
                expected[path].decode().splitlines(),
                actual[path].decode().splitlines(),
                f"expected/{path}",
                f"actual/{path}",
                lineterm="",
            )
            lines.append("\n".join(diff))
    return "\n".join(lines)


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_matches_golden_tree(
    case: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    spec, package = CASES[case]
    out = tmp_path / "out"
    code, _, stderr = run_cli(str(spec), "-o", str(out), "--package-name", package)
    assert code == 0, stderr
    expected_dir = HERE / case / "expected"

    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir)

    assert expected_dir.is_dir(), f"no golden tree for {case}: run with --update-golden"
    difference = describe(tree(expected_dir), tree(out))
    assert not difference, difference
