"""Command line: flags and `[tool.asyncapi-gen]` -> one Config per spec -> the pipeline.

Diagnostics and verdicts go to stderr, summaries and diffs to stdout; the exit code is the
worst of the runs (0 fine, 1 broken document or stale output, 2 usage, 3 internal error).
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from asyncapi_gen import __version__
from asyncapi_gen.config import (
    Config,
    ConfigError,
    Perspective,
    Settings,
    find_project_settings,
    parse_ref_map,
)
from asyncapi_gen.errors import (
    AsyncapiGenError,
    Diagnostic,
    DiagnosticSink,
    DocumentError,
    FormatError,
    Severity,
)
from asyncapi_gen.write import (
    FileChange,
    WriteResult,
    build_manifest,
    check_package,
    format_files,
    is_up_to_date,
    write_package,
)

logger = logging.getLogger(__name__)

ROOT_LOGGER = "asyncapi_gen"


@dataclass(frozen=True, slots=True)
class _Mode:
    """What to do with each spec, and how loud to be."""

    check: bool
    diff: bool
    force: bool
    verbose: int
    quiet: bool

    @property
    def writes(self) -> bool:
        return not (self.check or self.diff)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("spec", required=False, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Output folder: a project folder that `pip install` accepts.",
)
@click.option("--package-name", help="Python package name (default: from info.title).")
@click.option(
    "--perspective",
    type=click.Choice([p.value for p in Perspective]),
    help="Whose side of the document to take (default: client).",
)
@click.option(
    "--allow-outside-root/--no-allow-outside-root",
    default=None,
    help="Follow references to files outside the root document's folder.",
)
@click.option(
    "--allow-remote/--no-allow-remote",
    default=None,
    help="Follow http(s) references.",
)
@click.option(
    "--ref-map",
    multiple=True,
    metavar="PREFIX=DIR",
    help="Read references starting with PREFIX from the local folder DIR (repeatable).",
)
@click.option(
    "--format/--no-format",
    "format_",
    default=None,
    help="--no-format writes the emitted code without running black (for very large"
    " documents, where black takes minutes; the code is still valid and close to"
    " black's style).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into a folder asyncapi-gen did not create, replace files in the way,"
    " and regenerate even when the manifest says nothing changed.",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 if the output is stale."
)
@click.option("--diff", is_flag=True, help="Write nothing; print what would change.")
@click.option("-v", "--verbose", count=True, help="-v: one line per stage; -vv: debug.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.version_option(__version__, "--version", prog_name="asyncapi-gen")
@click.pass_context
def main(
    ctx: click.Context,
    spec: Path | None,
    output: Path | None,
    package_name: str | None,
    perspective: str | None,
    allow_outside_root: bool | None,
    allow_remote: bool | None,
    ref_map: tuple[str, ...],
    format_: bool | None,
    force: bool,
    check: bool,
    diff: bool,
    verbose: int,
    quiet: bool,
) -> None:
    """Generate a typed, validating Python package from an AsyncAPI 2.x document.

    SPEC and -o come from [tool.asyncapi-gen] in pyproject.toml when not given; flags
    override it. With neither, every spec listed there is generated.
    """
    mode = _Mode(check, diff, force, 0 if quiet else verbose, quiet)
    overrides = Settings(
        package_name=package_name,
        perspective=Perspective(perspective) if perspective else None,
        allow_outside_root=allow_outside_root,
        allow_remote=allow_remote,
        ref_map=_parse_ref_map_flags(ref_map) if ref_map else None,
        format=format_,
    )
    with _logging(mode.verbose):
        try:
            configs = build_configs(spec, output, overrides, Path.cwd())
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        ctx.exit(max(run(config, mode) for config in configs))


def build_configs(
    spec: Path | None, output: Path | None, overrides: Settings, cwd: Path
) -> list[Config]:
    """Merge the flags over `[tool.asyncapi-gen]` into one Config per spec to generate.

    Raises:
        ConfigError: nothing names a spec or an output folder, a flag that applies to one
            spec meets several, or the pyproject.toml table is invalid.
    """
    project = find_project_settings(cwd)
    entries = project.entries if project else ()
    where = _shown(project.path) if project else "pyproject.toml"
    root = project.path.parent if project else None
    source = f"from {where}" if project else "pass SPEC and -o OUT"
    if spec is not None:
        matching = [e for e in entries if e.spec and _same_path(e.spec, spec)]
        base = matching[0] if matching else Settings()
        given = overrides.merged(Settings(spec=spec, output=output))
        return [_relative_to(base.merged(given), cwd, root).to_config(source)]
    if not entries:
        raise ConfigError(
            "no spec given: pass SPEC and -o OUT, or add [tool.asyncapi-gen] to"
            " pyproject.toml"
        )
    if len(entries) > 1 and (output is not None or overrides.package_name is not None):
        raise ConfigError(
            f"-o and --package-name apply to one spec and {where} lists"
            f" {len(entries)}; pass SPEC too"
        )
    given = overrides.merged(Settings(output=output))
    return [_relative_to(e.merged(given), cwd, root).to_config(source) for e in entries]


def run(config: Config, mode: _Mode) -> int:
    """Generate, check or diff one spec; print what happened; return the exit code."""
    try:
        return _run(config, mode)
    except DocumentError as exc:
        _print_diagnostics(exc.diagnostics, mode)
        count = sum(d.severity is Severity.ERROR for d in exc.diagnostics)
        what = "nothing checked" if not mode.writes else "nothing written"
        click.echo(
            f"error: {_shown(config.spec)} is not a valid AsyncAPI document"
            f" ({count} error{'s' if count != 1 else ''}); {what}",
            err=True,
        )
        _debug_traceback(mode)
        return exc.exit_code
    except AsyncapiGenError as exc:
        click.echo(f"error: {exc}", err=True)
        if isinstance(exc, FormatError):
            _show_unformatted(exc, mode)
        _debug_traceback(mode)
        return exc.exit_code
    except Exception:
        click.echo(
            "internal error: please report it with the traceback below", err=True
        )
        click.echo(traceback.format_exc().rstrip(), err=True)
        return 3


def _run(config: Config, mode: _Mode) -> int:
    shown = _shown(config.output)
    # --force regenerates even when the manifest says nothing changed.
    if not (mode.force and mode.writes) and is_up_to_date(config):
        logger.info("%s: manifest matches inputs and files; generation skipped", shown)
        _up_to_date(shown, mode)
        return 0
    files, inputs = _generate(config, mode)
    if not mode.writes:
        changes = _timed("check", check_package, files, config.output, shown)
        logger.info("check: %d files compared, %d differ", len(files), len(changes))
        return _report_changes(changes, shown, mode)
    manifest = build_manifest(config, files, inputs)
    result = _timed(
        "write", write_package, files, config.output, manifest, force=mode.force
    )
    _report_write(result, shown, mode)
    return 0


def _generate(config: Config, mode: _Mode) -> tuple[dict[str, str], Any]:
    """Run the generation stages and black; return the files and the inputs read."""
    # Imported here: a run the manifest settles never loads the generation stages.
    from asyncapi_gen.generate import generate_files

    sink = DiagnosticSink()
    try:
        package = generate_files(config, sink)
    except DocumentError as exc:
        seen = [*exc.diagnostics, *_unseen(sink.items, exc.diagnostics)]
        raise DocumentError(seen) from exc
    _print_diagnostics(sink.items, mode)
    files = _timed("format", format_files, package.files, black=config.format)
    # Inputs let the manifest settle later runs without generating; None turns that off.
    return files, getattr(package, "inputs", None)


def _report_write(result: WriteResult, shown: str, mode: _Mode) -> None:
    logger.info(
        "write: %d changed, %d removed, %d kept",
        len(result.written),
        len(result.removed),
        len(result.kept),
    )
    for path in result.kept:
        _warn(
            f"kept '{shown}/{path}': asyncapi-gen wrote it and no longer generates it,"
            " but it was edited since; delete it by hand if it is not needed",
            mode,
        )
    if result.stranded is not None:
        _warn(
            f"files added to '{shown}' during the run were not moved into the new tree;"
            f" they are in '{_shown(result.stranded)}'",
            mode,
        )
    if result.unchanged:
        _up_to_date(shown, mode)
        return
    removed = (
        f", removed {_count(len(result.removed), 'file')}" if result.removed else ""
    )
    _summary(f"wrote {_count(len(result.written), 'file')} to {shown}{removed}", mode)


def _up_to_date(shown: str, mode: _Mode) -> None:
    if mode.writes:
        _summary(f"{shown} is up to date", mode)
    else:
        _verdict(f"{shown} is up to date", mode)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _report_changes(changes: Sequence[FileChange], shown: str, mode: _Mode) -> int:
    for change in changes:
        click.echo(change.diff, nl=False)
    if not changes:
        _up_to_date(shown, mode)
        return 0
    counts = {
        kind: sum(c.kind == kind for c in changes)
        for kind in ("changed", "added", "removed")
    }
    detail = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    hint = "; run asyncapi-gen to regenerate" if mode.check else ""
    _verdict(f"{shown} is stale: {detail}{hint}", mode)
    return 1 if mode.check else 0


# Printing.


def _print_diagnostics(diagnostics: Iterable[Diagnostic], mode: _Mode) -> None:
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        if mode.quiet and diagnostic.severity is Severity.WARNING:
            continue
        click.echo(diagnostic.render(), err=True)


def _unseen(
    items: Iterable[Diagnostic], seen: Iterable[Diagnostic]
) -> list[Diagnostic]:
    known = set(seen)
    return [d for d in items if d not in known]


def _summary(message: str, mode: _Mode) -> None:
    if not mode.quiet:
        click.echo(message)


def _verdict(message: str, mode: _Mode) -> None:
    # On stderr, so that the diff on stdout stays a patch.
    if not mode.quiet:
        click.echo(message, err=True)


def _warn(message: str, mode: _Mode) -> None:
    if not mode.quiet:
        click.echo(f"warning: {message}", err=True)


def _debug_traceback(mode: _Mode) -> None:
    # User errors show a traceback only at -vv.
    if mode.verbose >= 2:
        click.echo(traceback.format_exc().rstrip(), err=True)


def _show_unformatted(exc: FormatError, mode: _Mode) -> None:
    if mode.verbose < 2:
        click.echo(
            "  this is a bug in asyncapi-gen; -vv shows the unformatted text", err=True
        )
        return
    numbered = (f"{n:5} | {line}" for n, line in enumerate(exc.source.splitlines(), 1))
    logger.debug("unformatted %s:\n%s", exc.path, "\n".join(numbered))


# Logging: only the command line installs a handler.


class _LowerLevelFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


class _logging:
    """Send asyncapi_gen's log records to stderr at the level -v/-vv ask for, then undo it."""

    def __init__(self, verbose: int) -> None:
        self.level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
        self.root = logging.getLogger(ROOT_LOGGER)

    def __enter__(self) -> None:
        self.saved = (self.root.level, self.root.propagate)
        self.handler = logging.StreamHandler(sys.stderr)
        self.handler.setFormatter(_LowerLevelFormatter())
        self.root.addHandler(self.handler)
        self.root.setLevel(self.level)
        self.root.propagate = False

    def __exit__(self, *exc: object) -> None:
        self.root.removeHandler(self.handler)
        self.root.level, self.root.propagate = self.saved


def _timed(stage: str, function: Any, *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    logger.debug("stage %s: %.3f", stage, time.perf_counter() - started)
    return result


# Paths and flags.


def _parse_ref_map_flags(items: Iterable[str]) -> tuple[tuple[str, Path], ...]:
    pairs = {}
    for item in items:
        prefix, sep, folder = item.rpartition("=")
        if not sep or not prefix or not folder:
            raise click.BadParameter(
                f"expected PREFIX=DIR, found '{item}'", param_hint="'--ref-map'"
            )
        pairs[prefix] = folder
    return parse_ref_map(pairs, Path())


def _relative_to(settings: Settings, cwd: Path, root: Path | None) -> Settings:
    # Paths from pyproject.toml are absolute; they are passed on relative to the working
    # folder when both are in the project, so diagnostics and logs name short paths.
    def short(path: Path | None) -> Path | None:
        return None if path is None else _short_path(path, cwd, root)

    return replace(settings, spec=short(settings.spec), output=short(settings.output))


def _short_path(path: Path, cwd: Path, root: Path | None = None) -> Path:
    if path.is_relative_to(cwd):
        return path.relative_to(cwd)
    if root is not None and path.is_relative_to(root) and cwd.is_relative_to(root):
        return Path(os.path.relpath(path, cwd))
    return path


def _shown(path: Path) -> str:
    if path.is_absolute():
        return _short_path(path, Path.cwd()).as_posix()
    return path.as_posix()


def _same_path(first: Path, second: Path) -> bool:
    return first.absolute() == second.absolute() or first.resolve() == second.resolve()
