"""The pre-commit hook, driven by real git and real pre-commit in temporary repositories.

The hook repository is a fresh git repository holding this working tree's files, named by
its local path in `.pre-commit-config.yaml`, so pre-commit clones it without any network;
only its `language: python` install reaches the package index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "specs" / "connectx.yaml"

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None, reason="git is not installed"
)


def git(cwd: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def run(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment with its own pre-commit cache, shared by the tests of this module."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))
    }
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {
        **clean,
        "PRE_COMMIT_HOME": str(home),
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }


@pytest.fixture(scope="module")
def hook_repo(
    tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]
) -> tuple[Path, str]:
    """A git repository with this working tree's files (tracked and new), one commit."""
    target = tmp_path_factory.mktemp("hook-repo")
    listed = git(
        REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard", env=env
    )
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git(target, "init", "-q", env=env)
    git(target, "add", "-A", env=env)
    git(target, "commit", "-q", "-m", "hook repository under test", env=env)
    return target, git(target, "rev-parse", "HEAD", env=env).strip()


@pytest.fixture(scope="module")
def baseline(
    tmp_path_factory: pytest.TempPathFactory,
    env: dict[str, str],
    hook_repo: tuple[Path, str],
) -> Path:
    """A user repository whose spec and generated package are committed, hook installed."""
    repo = tmp_path_factory.mktemp("user-repo")
    (repo / "specs").mkdir()
    shutil.copy(SPEC, repo / "specs" / "connectx.yaml")
    (repo / "pyproject.toml").write_text(
        '[tool.asyncapi-gen]\nspec = "specs/connectx.yaml"\noutput = "out"\n'
        'package-name = "connectx"\n'
    )
    path, rev = hook_repo
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {path}\n    rev: {rev}\n    hooks:\n      - id: asyncapi-gen\n"
    )
    (repo / "NOTES.md").write_text("notes\n")
    git(repo, "init", "-q", env=env)
    git(repo, "add", "-A", env=env)
    first = run(repo, sys.executable, "-m", "pre_commit", "run", env=env)
    # The first run installs the hook's environment and writes the package. pre-commit
    # only sees changes to tracked files, so new files alone pass; later runs also rewrite
    # the tracked manifest, and that makes pre-commit fail.
    assert first.returncode == 0, first.stdout + first.stderr
    assert (repo / "out" / "connectx" / "__init__.py").is_file(), first.stdout
    installed = run(repo, sys.executable, "-m", "pre_commit", "install", env=env)
    assert installed.returncode == 0, installed.stderr
    git(repo, "add", "-A", env=env)
    return repo


@pytest.fixture()
def user_repo(tmp_path: Path, baseline: Path) -> Iterator[Path]:
    repo = tmp_path / "repo"
    shutil.copytree(baseline, repo, symlinks=True)
    yield repo


def commit(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run(repo, "git", "commit", "-q", "-m", "change", env=env)


def test_commit_with_up_to_date_output_passes(
    user_repo: Path, env: dict[str, str]
) -> None:
    done = commit(user_repo, env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout + done.stderr
    assert git(user_repo, "status", "--porcelain", env=env) == ""


def test_commit_changing_the_spec_fails_until_new_output_is_staged(
    user_repo: Path, env: dict[str, str]
) -> None:
    assert commit(user_repo, env).returncode == 0
    spec = user_repo / "specs" / "connectx.yaml"
    old = "enum: [CreditCard, BankTransfer, DirectDebit, Cash]"
    assert old in spec.read_text()
    spec.write_text(spec.read_text().replace(old, old[:-1] + ", Voucher]"))
    git(user_repo, "add", "specs/connectx.yaml", env=env)

    failed = commit(user_repo, env)
    changed = git(user_repo, "diff", "--name-only", env=env).split()
    again = commit(user_repo, env)
    git(user_repo, "add", "out", env=env)
    passed = commit(user_repo, env)

    assert failed.returncode == 1
    assert "files were modified by this hook" in failed.stdout + failed.stderr
    assert any(name.startswith("out/connectx/") for name in changed), changed
    assert "out/.asyncapi-gen.json" in changed
    assert again.returncode == 1
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Voucher" in "".join(
        p.read_text() for p in (user_repo / "out" / "connectx").glob("*.py")
    )
    assert git(user_repo, "status", "--porcelain", env=env) == ""


def test_commit_touching_neither_spec_nor_output_passes_fast(
    user_repo: Path, env: dict[str, str]
) -> None:
    assert commit(user_repo, env).returncode == 0
    (user_repo / "NOTES.md").write_text("more notes\n")
    git(user_repo, "add", "NOTES.md", env=env)

    started = time.perf_counter()
    done = commit(user_repo, env)
    elapsed = time.perf_counter() - started

    assert done.returncode == 0, done.stdout + done.stderr
    assert "(no files to check)Skipped" in done.stdout + done.stderr
    assert elapsed < 5.0


def test_hook_regenerates_after_a_hand_edit_to_the_output_when_spec_is_staged(
    user_repo: Path, env: dict[str, str]
) -> None:
    assert commit(user_repo, env).returncode == 0
    init = user_repo / "out" / "connectx" / "__init__.py"
    original = init.read_text()
    init.write_text(original + "hand_edit = 1\n")
    spec = user_repo / "specs" / "connectx.yaml"
    spec.write_text(spec.read_text() + "\n")
    git(user_repo, "add", "-A", env=env)

    failed = commit(user_repo, env)

    assert failed.returncode == 1
    assert init.read_text() == original
