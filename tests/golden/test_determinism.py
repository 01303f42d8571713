"""Byte-identical output across hash seeds, working folders and spec path spellings.

Each run is a new process (`python -m asyncapi_gen`), so `PYTHONHASHSEED` really changes set
and dict-of-set order, and nothing cached in one interpreter leaks into the next.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
CONNECTX = REPO / "specs" / "connectx.yaml"
SEEDS = ("0", "1", "4242")


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


@pytest.fixture(scope="module")
def connectx_runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, dict[str, bytes]]:
    """connectx generated five ways: three seeds, another working folder, relative paths."""
    base = tmp_path_factory.mktemp("determinism")
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    runs = {
        f"seed {seed}": generate(
            "specs/connectx.yaml", base / f"seed-{seed}", REPO, seed
        )
        for seed in SEEDS
    }
    # An absolute spec path from another working folder, with a relative output path.
    runs["absolute spec"] = generate(str(CONNECTX), Path("out"), elsewhere, "5")
    # A spec path relative to the spec's own folder.
    runs["spec folder"] = generate(
        "connectx.yaml", base / "inside", CONNECTX.parent, "6"
    )
    return runs


def test_identical_under_three_hash_seeds(
    connectx_runs: dict[str, dict[str, bytes]],
) -> None:
    first, *others = (connectx_runs[f"seed {seed}"] for seed in SEEDS)

    assert len(first) > 5
    for tree in others:
        assert_same(first, tree)


def test_identical_from_two_working_folders_and_path_spellings(
    connectx_runs: dict[str, dict[str, bytes]],
) -> None:
    relative = connectx_runs["seed 0"]

    assert_same(relative, connectx_runs["absolute spec"])
    assert_same(relative, connectx_runs["spec folder"])


def test_output_holds_no_absolute_paths_or_timestamps(
    connectx_runs: dict[str, dict[str, bytes]],
) -> None:
    forbidden = {str(REPO), str(REPO.resolve()), str(Path.cwd()), tempfile.gettempdir()}
    # A clock reading would show today's date or an epoch count near now; fixed sample
    # dates (and examples from the document) are fine.
    now = time.time()
    clock = {
        time.strftime("%Y-%m-%d", time.gmtime(now)),
        time.strftime("%Y-%m-%d", time.localtime(now)),
        time.strftime("%Y%m%d", time.gmtime(now)),
        str(int(now))[:7],
    }

    for name, data in connectx_runs["absolute spec"].items():
        text = data.decode("utf-8")
        assert not [f for f in forbidden if f in text], name
        assert not [c for c in clock if c in text], name
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
