"""Shared test helpers: generate a package from a document and import it."""

from __future__ import annotations

import importlib
import itertools
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from asyncapi_gen.cli import main

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CONNECTX = REPO / "specs" / "connectx.yaml"

_counter = itertools.count()


def require_shared(*parts: str) -> Path:
    """The folder ../shared/<parts>, or skip the test when it is not beside the repository."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus lives beside the repository")
    return path


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit code, stdout, stderr."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def generated_package(
    factory: pytest.TempPathFactory,
    spec: Path,
    name: str,
    *options: str,
    submodules: tuple[str, ...] = (),
) -> Iterator[ModuleType]:
    """Generate `spec` as package `name` (once per test module), import it, clean up."""
    out = factory.mktemp(name)
    code, stdout, stderr = run_cli(
        str(spec), "-o", str(out), "--package-name", name, *options
    )
    assert code == 0, stdout + stderr
    sys.path.insert(0, str(out))
    try:
        package = importlib.import_module(name)
        for module in submodules:
            importlib.import_module(f"{name}.{module}")
        yield package
    finally:
        sys.path.remove(str(out))


GenerateFn = Callable[..., ModuleType]


@pytest.fixture
def generate(tmp_path: Path) -> Iterator[GenerateFn]:
    """Generate a package from a spec path (or YAML text) into tmp_path and import it."""
    added: list[str] = []

    def run(spec: Path | str, *options: str, name: str | None = None) -> ModuleType:
        if isinstance(spec, str):
            source = tmp_path / f"spec{next(_counter)}.yaml"
            source.write_text(textwrap.dedent(spec), encoding="utf-8")
            spec = source
        package = (
            name or f"generated_{next(_counter)}_{tmp_path.name.replace('-', '_')}"
        )
        out = tmp_path / f"out_{package}"
        code, stdout, stderr = run_cli(
            str(spec), "-o", str(out), "--package-name", package, *options
        )
        assert code == 0, f"generation failed ({code}):\n{stdout}\n{stderr}"
        sys.path.insert(0, str(out))
        added.append(str(out))
        return importlib.import_module(package)

    yield run
    for path in added:
        sys.path.remove(path)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*/expected from the current generator output",
    )
