"""Byte-identical output across hash seeds, working folders and spec path spellings.

Each run is a new process (`python -m asyncapi_gen`), so `PYTHONHASHSEED` really changes set
and dict-of-set order, and nothing cached in one interpreter leaks into the next.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
CONNECTX = REPO / "specs" / "connectx.yaml"
SEEDS = ("0", "1", "4242")
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def generate(spec: str, output: Path, cwd: Path, seed: str = "0") -> dict[str, bytes]:
    """Run the command in a new process and return the tree it wrote."""
    # PYTHONPATH: the package under test is found from any working folder, installed or not.
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": path}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "asyncapi_gen",
            spec,
            "-o",
            str(output),
            "--package-name",
            "connectx",
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return read_tree(cwd / output)


def read_tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def assert_same(first: dict[str, bytes], second: dict[str, bytes]) -> None:
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_identical_under_three_hash_seeds(tmp_path: Path) -> None:
    trees = [
        generate("specs/connectx.yaml", tmp_path / f"seed-{seed}", REPO, seed)
        for seed in SEEDS
    ]

    assert len(trees[0]) > 5
    for tree in trees[1:]:
        assert_same(trees[0], tree)


def test_identical_from_two_working_folders_and_path_spellings(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    relative = generate("specs/connectx.yaml", tmp_path / "relative", REPO)
    absolute = generate(str(CONNECTX), Path("out"), elsewhere)
    inside = generate("connectx.yaml", tmp_path / "inside", CONNECTX.parent)

    assert (elsewhere / "out").is_dir()
    assert_same(relative, absolute)
    assert_same(relative, inside)


def test_output_holds_no_absolute_paths_or_timestamps(tmp_path: Path) -> None:
    tree = generate(str(CONNECTX), tmp_path / "out", tmp_path)
    spec_text = CONNECTX.read_text(encoding="utf-8")
    forbidden = {str(tmp_path), str(REPO), str(REPO.resolve())}

    for name, data in tree.items():
        text = data.decode("utf-8")
        assert not [f for f in forbidden if f in text], name
        # A date-time in the output must come from the document (an example), not the clock.
        assert [s for s in DATE_TIME.findall(text) if s not in spec_text] == [], name
        assert "\r" not in text, name


def test_shared_determinism_case_under_hash_seeds(tmp_path: Path) -> None:
    case = SHARED / "cases" / "32-determinism-stable-output" / "spec.yaml"
    if not case.is_file():
        pytest.skip(f"shared cases not found at {case.parent}")

    trees = [
        generate(str(case.resolve()), tmp_path / f"seed-{seed}", tmp_path, seed)
        for seed in SEEDS
    ]

    for tree in trees[1:]:
        assert_same(trees[0], tree)
