"""Write stage: black-formats the emitted files and writes or checks the output folder.

Takes {relative path: text}; returns what changed. The folder records what it holds in a
manifest, so regeneration removes only files it wrote and `--check` can skip generation.
"""

from __future__ import annotations

import ast
import ctypes
import difflib
import errno
import gc
import hashlib
import json
import logging
import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from asyncapi_gen.cache import cache_dir, content_key, read_entry, write_entry
from asyncapi_gen.config import Config
from asyncapi_gen.errors import FormatError, OutputError

logger = logging.getLogger(__name__)

MANIFEST = ".asyncapi-gen.json"

# Version of what the generator writes, not of the generator: bump it whenever any generated
# file would change for the same input and options. A manifest recording another value only
# turns off the `--check` shortcut; it never makes an output look stale by itself.
OUTPUT_FORMAT = 1

LINE_LENGTH = 88


@dataclass(frozen=True, slots=True)
class Manifest:
    """What one run wrote into the output folder, and from which inputs and options."""

    output_format: int
    options: dict[str, Any]
    # Input file (relative to the root document's folder) -> sha256; None when unknown.
    inputs: dict[str, str] | None
    files: dict[str, str]

    def to_text(self) -> str:
        """Render as JSON with sorted keys, so the same run gives the same bytes."""
        body = {
            "generator": "asyncapi-gen",
            "output_format": self.output_format,
            "options": self.options,
            "inputs": self.inputs,
            "files": self.files,
        }
        return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file that differs between the output folder and what the spec gives."""

    path: str
    kind: str  # "changed", "added" or "removed"
    diff: str


@dataclass(slots=True)
class WriteResult:
    """What `write_package` did; `unchanged` when the folder was already up to date."""

    unchanged: bool = False
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    # The previous tree, left in place because it holds files added during the run that
    # could not be moved into the new output; None when it was removed.
    stranded: Path | None = None


def format_files(files: Mapping[str, str], *, black: bool = True) -> dict[str, str]:
    """Run every `.py` file through black with the one fixed mode; other files pass as-is.

    black's result for a text is kept in the user's cache (see cache.py), keyed by the black
    version, our fixed mode and the text, so unchanged files are not formatted again. Every
    `.py` file is parsed by CPython first, so a generator bug stops the run instead of
    reaching the output, also with `black` off (`--no-format`).

    Raises:
        FormatError: a file holds a character UTF-8 cannot encode, or CPython's parser or
            black rejected it; the error names the file and keeps its raw text.
    """
    formatter = _Formatter() if black else None
    formatted = {}
    for path in sorted(files):
        text = _encodable(path, files[path])
        if path.endswith((".py", ".pyi")):
            # black's own parser accepts some text CPython rejects (an identifier that
            # starts with a combining mark): CPython's parser decides what is Python.
            text = _parse(path, text)
            text = formatter.format(path, text) if formatter else text
        formatted[path] = text
    return formatted


def _encodable(path: str, text: str) -> str:
    """Return `text` if UTF-8 can hold it (a lone surrogate it cannot).

    Raises:
        FormatError: a character cannot be written; a generator bug, named by line.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        message = f"line {line} holds {text[exc.start]!r}, which UTF-8 cannot encode"
        raise FormatError(path, message, text) from exc
    return text


def _parse(path: str, text: str) -> str:
    """Return `text` if CPython parses it.

    Raises:
        FormatError: the text is not valid Python.
    """
    try:
        ast.parse(text, filename=path)
    except (SyntaxError, ValueError) as exc:
        raise FormatError(path, f"not valid Python: {exc}", text) from exc
    return text


class _Formatter:
    """black with one fixed mode, imported only when a text is not in the cache."""

    def __init__(self) -> None:
        # black's own version module is tiny; importing black itself is not.
        from _black_version import version as black_version  # type: ignore[import-untyped]

        self.folder = cache_dir("black")
        # One fixed mode, never read from the user's configuration: same input, same bytes.
        self.mode_key = f"black {black_version} py310 {LINE_LENGTH}"

    def format(self, path: str, text: str) -> str:
        key = content_key(self.mode_key, text)
        cached = _FORMATTED.get(key)
        if cached is None and self.folder is not None:
            cached = read_entry(self.folder, key)
        if cached is None:
            cached = self._run_black(path, text)
            if self.folder is not None:
                write_entry(self.folder, key, cached)
        _FORMATTED[key] = cached
        return cached

    def _run_black(self, path: str, text: str) -> str:
        # Imported here: black is slow to import and a cached or up-to-date run needs none.
        import black
        from black.mode import Mode, TargetVersion

        mode = Mode(target_versions={TargetVersion.PY310}, line_length=LINE_LENGTH)
        # black's syntax tree is full of parent/child cycles: with the collector running,
        # every full collection walks the whole tree and formatting grows faster than the
        # file. Pause it for one file and collect once after.
        collecting = gc.isenabled()
        gc.disable()
        try:
            result: str = black.format_str(text, mode=mode)
        except Exception as exc:  # black signals bad input with several exception types
            first = str(exc).splitlines()[0] if str(exc) else ""
            raise FormatError(path, f"black: {first}", text) from exc
        finally:
            if collecting:
                gc.enable()
            gc.collect()
        return result


# Texts formatted in this process, by cache key: generating twice formats once.
_FORMATTED: dict[str, str] = {}


def describe_options(config: Config) -> dict[str, Any]:
    """Return the options of `config` that shape the output, with paths relative to the spec."""
    spec_dir = _absolute(config.spec).parent
    ref_map = [
        [prefix, _relative(folder, spec_dir)] for prefix, folder in config.ref_map
    ]
    return {
        "package_name": config.package_name,
        "perspective": config.perspective.value,
        "allow_outside_root": config.allow_outside_root,
        "allow_remote": config.allow_remote,
        "ref_map": ref_map,
        "format": config.format,
    }


def build_manifest(
    config: Config, files: Mapping[str, str], inputs: Iterable[Path] | None
) -> Manifest:
    """Describe a run: file hashes, input hashes (None when unknown) and options."""
    hashes = {path: _digest(_encode(files[path])) for path in sorted(files)}
    return Manifest(
        output_format=OUTPUT_FORMAT,
        options=describe_options(config),
        inputs=_hash_inputs(config, inputs),
        files=hashes,
    )


def read_manifest(output: Path) -> Manifest | None:
    """Read the manifest of an output folder; None when there is none or it is not ours."""
    data = _read_regular(output, MANIFEST)
    if not isinstance(data, bytes):
        return None
    try:
        body = json.loads(data.decode("utf-8"))
        if body.get("generator") != "asyncapi-gen":
            return None
        files = {str(k): str(v) for k, v in body["files"].items()}
        if not all(_is_plain(path) for path in files):
            # Only a tampered manifest names a path outside the folder: not ours.
            return None
        inputs = body.get("inputs")
        return Manifest(
            int(body["output_format"]), dict(body["options"]), inputs, files
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def is_up_to_date(config: Config) -> bool:
    """Tell, without generating, whether the output certainly matches the spec.

    True only when the manifest records this output format, these options and inputs with
    the same hashes as now, and every file it lists is on disk with its recorded hash (so a
    hand edit is noticed). False means "generate and compare", not "stale".
    """
    started = time.perf_counter()
    manifest = read_manifest(config.output)
    fresh = (
        manifest is not None
        and not config.allow_remote
        and manifest.output_format == OUTPUT_FORMAT
        and manifest.options == describe_options(config)
        and _inputs_match(config, manifest.inputs)
        and _files_match(config.output, manifest.files)
    )
    logger.debug("stage manifest check: %.3f", time.perf_counter() - started)
    return fresh


def check_package(
    files: Mapping[str, str], output: Path, display: str | None = None
) -> list[FileChange]:
    """Compare formatted files with the output folder without writing anything.

    Returns one change per changed, added or removed file (removed: listed in the manifest,
    still on disk, no longer generated), each with a unified diff, in path order.
    """
    shown = display or str(output)
    old = read_manifest(output)
    changes = [
        change
        for path in sorted(files)
        if (change := _compare(output, path, files[path], shown)) is not None
    ]
    for path in sorted(set(old.files) - set(files) if old else ()):
        current = _read_regular(output, path)
        if current is not None:
            changes.append(_change(shown, path, current, None))
    if old is None and _read_regular(output, MANIFEST) is None and files:
        changes.append(_change(shown, MANIFEST, None, b""))
    return sorted(changes, key=lambda change: change.path)


def write_package(
    files: Mapping[str, str], output: Path, manifest: Manifest, *, force: bool = False
) -> WriteResult:
    """Write formatted files into `output`: built aside, then swapped in whole.

    Files the old manifest lists and the new run no longer gives are removed; everything
    else already in the folder is kept as it is. Nothing is written when the folder is up to
    date.

    Raises:
        OutputError: the folder (or a path inside it) is a symlink or not a folder, it is
            not empty and has no manifest, or a file asyncapi-gen did not write is in the
            way, and `force` is off; or the file system refused a write.
    """
    _check_paths(files)
    contents = {path: _encode(files[path]) for path in sorted(files)}
    contents[MANIFEST] = _encode(manifest.to_text())
    _check_output(output)
    # The temporary tree goes beside the output: an absolute path has a real parent.
    target = _absolute(output)
    if not output.exists():
        return _write_new(target, contents)
    plan = _plan(output, contents, force)
    if plan.unchanged:
        return WriteResult(unchanged=True, kept=plan.kept)
    return _replace(target, contents, plan)


def _check_output(output: Path) -> None:
    if output.is_symlink():
        raise OutputError(f"output folder '{output}' is a symlink; give a real folder")
    if output.exists() and not output.is_dir():
        raise OutputError(f"output '{output}' exists and is not a folder")
    if Path.cwd().resolve().is_relative_to(output.resolve()):
        # Swapping in a new tree would pull the working folder (a repository?) out from
        # under the user; the output must be a folder of its own.
        raise OutputError(
            f"output folder '{output}' holds the working folder; give a folder of its own"
        )


# Reading the output folder without following symlinks.


class _NotRegular(bytes):
    """Marks a path that exists but is a symlink, a folder or a special file."""


def _read_regular(output: Path, path: str) -> bytes | None:
    """Return the bytes of a regular file under `output`, never following a symlink.

    None when the path does not exist; a `_NotRegular` value when something else is there
    (a symlink anywhere on the way, a folder, a device).
    """
    current = output
    for part in PurePosixPath(path).parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            return _NotRegular()
        if stat.S_ISLNK(mode):
            return _NotRegular()
    if not stat.S_ISREG(mode):
        return _NotRegular()
    return current.read_bytes()


def _walk(output: Path) -> dict[str, int]:
    """Map each path under `output` (relative, POSIX) to its lstat mode; never enters links."""
    found: dict[str, int] = {}
    pending = [("", output)]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = f"{prefix}{entry.name}"
                mode = entry.stat(follow_symlinks=False).st_mode
                found[rel] = mode
                if stat.S_ISDIR(mode):
                    pending.append((f"{rel}/", Path(entry.path)))
    return found


# Comparing.


def _compare(output: Path, path: str, text: str, shown: str) -> FileChange | None:
    new = _encode(text)
    current = _read_regular(output, path)
    if current == new and not isinstance(current, _NotRegular):
        return None
    return _change(shown, path, current, new)


def _change(shown: str, path: str, old: bytes | None, new: bytes | None) -> FileChange:
    kind = "added" if old is None else "removed" if new is None else "changed"
    where = f"{shown.rstrip('/')}/{path}"
    before = "/dev/null" if old is None else f"a/{where}"
    after = "/dev/null" if new is None else f"b/{where}"
    if isinstance(old, _NotRegular):
        before += " (not a regular file)"
    old_lines = _lines(old or b"")
    new_lines = _lines(new or b"")
    diff = "".join(difflib.unified_diff(old_lines, new_lines, before, after))
    return FileChange(path, kind, diff)


def _lines(data: bytes) -> list[str]:
    lines = data.decode("utf-8", errors="replace").splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def _files_match(output: Path, files: Mapping[str, str]) -> bool:
    for path, digest in files.items():
        current = _read_regular(output, path)
        if current is None or isinstance(current, _NotRegular):
            return False
        if _digest(current) != digest:
            return False
    return True


def _inputs_match(config: Config, inputs: Mapping[str, str] | None) -> bool:
    if not inputs or config.spec.name not in inputs:
        return False
    spec_dir = _absolute(config.spec).parent
    for name, digest in inputs.items():
        try:
            if _digest((spec_dir / name).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True


def _hash_inputs(
    config: Config, inputs: Iterable[Path] | None
) -> dict[str, str] | None:
    """Hash each input file, keyed by its path relative to the root document's folder.

    Relative keys keep the manifest the same from any working folder and for an absolute or
    relative spec path. None when inputs are unknown or remote (their content can change
    without any local file changing).
    """
    if inputs is None or config.allow_remote:
        return None
    spec_dir = _absolute(config.spec).parent
    hashes = {}
    for path in {_absolute(config.spec), *(_absolute(p) for p in inputs)}:
        try:
            hashes[_relative(path, spec_dir)] = _digest(path.read_bytes())
        except OSError:
            return None
    return dict(sorted(hashes.items()))


# Writing.


@dataclass(slots=True)
class _Plan:
    """What happens to each entry already in the output folder, and which files differ.

    keep: carried into the new tree as it is; kept: written by asyncapi-gen, no longer
    generated, edited since (so kept too); removed: written by asyncapi-gen, no longer
    generated; conflicts: not ours and in the way; differs: new bytes differ from the old.
    """

    keep: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    differs: list[str] = field(default_factory=list)
    # Every entry other than a folder found while planning: what the swap may discard.
    seen: set[str] = field(default_factory=set)

    @property
    def unchanged(self) -> bool:
        return not self.removed and not self.differs and not self.conflicts


def _plan(output: Path, contents: Mapping[str, bytes], force: bool) -> _Plan:
    old = read_manifest(output)
    entries = _walk(output)
    if old is None and entries and not force:
        raise OutputError(
            f"output folder '{output}' is not empty and was not written by asyncapi-gen"
            " (no manifest); pass --force to write into it (files asyncapi-gen does not"
            " write are kept)"
        )
    plan = _sort_entries(output, entries, old.files if old else {}, contents)
    _refuse_conflicts(output, plan.conflicts, force)
    # With --force a conflicting entry is replaced, and what it held goes with it.
    plan.keep = [p for p in plan.keep if not _under_any(p, plan.conflicts)]
    plan.differs = _differing(output, contents)
    return plan


def _sort_entries(
    output: Path,
    entries: Mapping[str, int],
    owned: Mapping[str, str],
    contents: Mapping[str, bytes],
) -> _Plan:
    plan = _Plan()
    buckets = {
        "keep": [plan.keep],
        "kept": [plan.keep, plan.kept],
        "removed": [plan.removed],
        "conflicts": [plan.conflicts],
        "ours": [],
    }
    for path, mode in sorted(entries.items()):
        for bucket in buckets[_classify(output, path, mode, owned, contents)]:
            bucket.append(path)
    plan.seen = {path for path, mode in entries.items() if not stat.S_ISDIR(mode)}
    return plan


def _differing(output: Path, contents: Mapping[str, bytes]) -> list[str]:
    """Generated files whose bytes change; the manifest only when nothing else does."""
    differs = [
        path
        for path, data in contents.items()
        if path != MANIFEST and not _same_file(output, path, data)
    ]
    if not differs and not _same_file(output, MANIFEST, contents[MANIFEST]):
        differs.append(MANIFEST)
    return differs


def _classify(
    output: Path,
    path: str,
    mode: int,
    owned: Mapping[str, str],
    contents: Mapping[str, bytes],
) -> str:
    """Decide one existing entry: "ours", "removed", "keep", "kept" or "conflicts".

    "ours" entries are replaced by the new tree; "removed" ones are files asyncapi-gen wrote
    that no longer apply; "kept" ones are such files edited since (kept, with a warning).
    """
    needs_folder = any(p.startswith(f"{path}/") for p in contents)
    if stat.S_ISDIR(mode):
        if path in contents:
            return "conflicts"
        holds_ours = any(p.startswith(f"{path}/") for p in owned)
        return "ours" if needs_folder or holds_ours else "keep"
    if path == MANIFEST or (stat.S_ISREG(mode) and path in owned and path in contents):
        return "ours"
    if stat.S_ISREG(mode) and path in owned:
        data = (output / path).read_bytes()
        return "removed" if _digest(data) == owned[path] else "kept"
    if path in contents or needs_folder:
        return "conflicts"
    return "keep"


def _under_any(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(f"{root}/") for root in roots)


def _same_file(output: Path, path: str, data: bytes) -> bool:
    current = _read_regular(output, path)
    return current == data and not isinstance(current, _NotRegular)


def _refuse_conflicts(output: Path, conflicts: list[str], force: bool) -> None:
    if not conflicts or force:
        return
    shown = ", ".join(f"'{output / p}'" for p in conflicts[:3])
    more = f" and {len(conflicts) - 3} more" if len(conflicts) > 3 else ""
    raise OutputError(
        f"{shown}{more}: not written by asyncapi-gen and in the way of generated files;"
        " pass --force to replace"
    )


def _write_new(output: Path, contents: Mapping[str, bytes]) -> WriteResult:
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = _build(output, contents, _Plan())
    try:
        os.rename(staging, output)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot move the new tree into '{output}': {exc}") from exc
    return WriteResult(written=[p for p in contents if p != MANIFEST])


def _replace(output: Path, contents: Mapping[str, bytes], plan: _Plan) -> WriteResult:
    staging = _build(output, contents, plan, source=output)
    try:
        _swap(staging, output)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot move the new tree into '{output}': {exc}") from exc
    # After the swap `staging` holds the previous tree.
    stranded = _discard_previous(staging, output, plan)
    written = [p for p in plan.differs if p != MANIFEST]
    return WriteResult(
        written=written,
        removed=plan.removed,
        kept=plan.kept,
        stranded=staging if stranded else None,
    )


def _discard_previous(previous: Path, output: Path, plan: _Plan) -> bool:
    """Delete the previous tree, moving into the new output what appeared during the run.

    Returns True when something could not be moved and the previous tree was left.
    """
    stranded = False
    # Reverse path order: a folder's entries come before the folder.
    for path, mode in sorted(_walk(previous).items(), reverse=True):
        entry = previous / path
        if stat.S_ISDIR(mode):
            _remove_if_empty(entry)
        elif _discardable(previous, output, path, plan):
            entry.unlink()
        else:
            stranded |= not _move_into(entry, output, path)
    _remove_if_empty(previous)
    return stranded


def _discardable(previous: Path, output: Path, path: str, plan: _Plan) -> bool:
    # A kept entry may go only if the new tree holds the very same file (its hard link);
    # other entries seen while planning were replaced or removed on purpose.
    if path not in plan.seen:
        return False
    if path not in plan.keep:
        return True
    try:
        return os.lstat(previous / path).st_ino == os.lstat(output / path).st_ino
    except OSError:
        return False


def _move_into(entry: Path, output: Path, path: str) -> bool:
    """Move an entry of the previous tree to the same place in the new one, if free."""
    current = output
    for part in PurePosixPath(path).parent.parts:
        current = current / part
        if not current.exists() and not current.is_symlink():
            current.mkdir()
        elif current.is_symlink() or not current.is_dir():
            return False
    target = output / path
    if target.exists() or target.is_symlink():
        return False
    os.rename(entry, target)
    return True


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _build(
    output: Path, contents: Mapping[str, bytes], plan: _Plan, source: Path | None = None
) -> Path:
    """Make the complete new tree in a temporary folder beside `output`."""
    staging = Path(
        tempfile.mkdtemp(prefix=f".{output.name}.asyncapi-gen-", dir=output.parent)
    )
    try:
        _set_folder_mode(staging, source)
        for path in sorted(contents):
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(contents[path])
        if source is not None:
            _carry(source, staging, plan.keep)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(
                f"cannot write the new tree beside '{output}': {exc}"
            ) from exc
        raise
    return staging


def _carry(source: Path, staging: Path, keep: Iterable[str]) -> None:
    """Hard-link what is kept into the new tree: same files, nothing copied or followed."""
    for path in sorted(keep):
        old = source / path
        new = staging / path
        new.parent.mkdir(parents=True, exist_ok=True)
        if stat.S_ISDIR(os.lstat(old).st_mode):
            new.mkdir(exist_ok=True)
            os.chmod(new, stat.S_IMODE(os.lstat(old).st_mode))
            continue
        try:
            os.link(old, new, follow_symlinks=False)
        except OSError as exc:
            # Known limitation: an entry that cannot be hard-linked (another file system
            # mounted inside the output folder) stops the run; nothing is written.
            raise OutputError(
                f"cannot keep '{old}' in the new output tree ({exc.strerror}); move it"
                " out of the output folder"
            ) from exc


def _set_folder_mode(staging: Path, source: Path | None) -> None:
    # mkdtemp makes a private folder; the output keeps the mode it had or gets the usual one.
    if source is not None:
        os.chmod(staging, stat.S_IMODE(os.stat(source).st_mode))
        return
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _swap(staging: Path, output: Path) -> None:
    """Swap two folders in one step where the system can, else by two renames."""
    if sys.platform.startswith("linux") and _exchange(staging, output):
        return
    # Known limitation: without an atomic exchange (not Linux, or a file system without
    # RENAME_EXCHANGE) two renames are used; an interruption between them leaves no output
    # folder, and the previous tree in the temporary folder beside it.
    aside = staging.with_name(staging.name + "-old")
    os.rename(output, aside)
    os.rename(staging, output)
    os.rename(aside, staging)


def _exchange(first: Path, second: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


# Small helpers.


def _check_paths(files: Iterable[str]) -> None:
    for path in files:
        if not _is_plain(path) or path == MANIFEST:
            raise ValueError(f"generated path {path!r} is not a plain relative path")


def _is_plain(path: str) -> bool:
    """True for a relative POSIX path with no empty, '.' or '..' part and no backslash."""
    parts = path.split("/")
    return "\\" not in path and not any(p in ("", ".", "..") for p in parts)


def _encode(text: str) -> bytes:
    # "\n" line ends and UTF-8 everywhere, whatever the platform.
    return text.replace("\r\n", "\n").encode("utf-8")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _relative(path: Path, start: Path) -> str:
    return PurePosixPath(
        Path(os.path.relpath(_absolute(path), start)).as_posix()
    ).as_posix()
