"""The README's two commands, run as written on a fresh virtual environment."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

README = REPO / "README.md"


def fresh_machine_commands() -> list[str]:
    """The indented commands of the README's 'On a fresh machine' section, in order."""
    section = README.read_text(encoding="utf-8").split("## On a fresh machine", 1)[1]
    section = section.split("\n## ", 1)[0]
    return [m.group(1) for m in re.finditer(r"^    (\S.*)$", section, re.MULTILINE)]


def test_readme_gives_exactly_two_commands() -> None:
    commands = fresh_machine_commands()

    assert len(commands) == 2
    assert "specs/connectx.yaml" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    assert fresh_machine_commands()[1] in (REPO / ".ci" / "run").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def clean_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tracked files, as a fresh clone would have them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    target = tmp_path_factory.mktemp("clone") / "asyncapi-gen"
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def run(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
    environment["PATH"] = os.pathsep.join(
        p for p in environment.get("PATH", "").split(os.pathsep) if ".venv" not in p
    )
    environment.update(env)
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_readme_commands_work_on_a_fresh_venv(clean_copy: Path) -> None:
    install_and_generate, run_tests = fresh_machine_commands()

    generated = run(install_and_generate, clean_copy)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    package = clean_copy / "out" / "amdocs_connect_x_bss_event_api"
    assert (package / "models.py").is_file() and (package / "py.typed").is_file()
    imported = run(
        f"{sys.executable} -c 'import amdocs_connect_x_bss_event_api as p; print(len(p.MESSAGES))'",
        clean_copy / "out",
    )
    assert imported.stdout.strip() == "5", imported.stderr

    # The test command as written; PYTEST_ADDOPTS narrows it to one small file so the suite
    # does not run itself again.
    tested = run(run_tests, clean_copy, PYTEST_ADDOPTS="tests/unit/test_naming.py -q")
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]
    assert re.search(r"\d+ passed", tested.stdout), tested.stdout[-2000:]
