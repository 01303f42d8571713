"""Config: what one generation run needs to know, built from flags and pyproject.toml.

`find_project_settings` reads `[tool.asyncapi-gen]`; `Settings` merges it with the flags into a
`Config` per spec.
"""

from __future__ import annotations

import difflib
import enum
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from asyncapi_gen.errors import AsyncapiGenError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

TABLE = "asyncapi-gen"


class Perspective(enum.Enum):
    """Whose side of a 2.x document the generated code takes.

    AsyncAPI 2.x describes the application: its `publish` operations are what the application
    receives. A client of that application receives the `subscribe` operations instead.
    """

    CLIENT = "client"
    APPLICATION = "application"


@dataclass(frozen=True, slots=True)
class Config:
    """Options of one generation run."""

    spec: Path
    output: Path
    package_name: str | None = None
    perspective: Perspective = Perspective.CLIENT
    allow_outside_root: bool = False
    allow_remote: bool = False
    remote_timeout: float = 10.0
    remote_max_bytes: int = 10 * 1024 * 1024
    # False writes the emitted code without running black (very large documents, where black
    # takes minutes); the code is still valid Python close to black's style.
    format: bool = True
    # Prefix -> local folder: a reference whose URI starts with the prefix reads the file there.
    ref_map: tuple[tuple[str, Path], ...] = field(default_factory=tuple)


class ConfigError(AsyncapiGenError):
    """`[tool.asyncapi-gen]` or the flags do not describe a run; a usage error."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Settings:
    """Options of one run as far as they are known; None means "not given here"."""

    spec: Path | None = None
    output: Path | None = None
    package_name: str | None = None
    perspective: Perspective | None = None
    allow_outside_root: bool | None = None
    allow_remote: bool | None = None
    ref_map: tuple[tuple[str, Path], ...] | None = None
    format: bool | None = None

    def merged(self, override: Settings) -> Settings:
        """Return these settings with every value `override` gives replaced."""
        given = {
            f.name: getattr(override, f.name)
            for f in fields(override)
            if getattr(override, f.name) is not None
        }
        return replace(self, **given)

    def to_config(self, source: str) -> Config:
        """Build the Config, naming `source` when the spec or the output is missing.

        Raises:
            ConfigError: no spec or no output folder was given.
        """
        if self.spec is None:
            raise ConfigError(f"no spec given ({source})")
        if self.output is None:
            raise ConfigError(f"no output folder given for '{self.spec}' ({source})")
        return Config(
            spec=self.spec,
            output=self.output,
            package_name=self.package_name,
            perspective=self.perspective or Perspective.CLIENT,
            allow_outside_root=bool(self.allow_outside_root),
            allow_remote=bool(self.allow_remote),
            ref_map=self.ref_map or (),
            format=self.format is not False,
        )


@dataclass(frozen=True, slots=True)
class ProjectSettings:
    """What `[tool.asyncapi-gen]` of one pyproject.toml says: one Settings per spec."""

    path: Path
    entries: tuple[Settings, ...]


# Keys of an entry, as written in pyproject.toml, and the Settings field each one fills.
_KEYS = {
    "spec": "spec",
    "output": "output",
    "package-name": "package_name",
    "perspective": "perspective",
    "allow-outside-root": "allow_outside_root",
    "allow-remote": "allow_remote",
    "ref-map": "ref_map",
    "format": "format",
}


def find_pyproject(start: Path) -> Path | None:
    """Return the nearest pyproject.toml with a `[tool.asyncapi-gen]` table, from `start` up.

    The search stops at the root of the git repository holding `start`, so a pyproject.toml
    above the repository never applies.
    """
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_table(candidate):
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def find_project_settings(start: Path) -> ProjectSettings | None:
    """Read `[tool.asyncapi-gen]` from the nearest pyproject.toml that has one.

    Raises:
        ConfigError: the file is not valid TOML or the table has unknown keys or wrong types.
    """
    path = find_pyproject(start)
    if path is None:
        return None
    return read_project_settings(path)


def read_project_settings(path: Path) -> ProjectSettings:
    """Read `[tool.asyncapi-gen]` of one pyproject.toml; paths become relative to its folder.

    A table without `specs` is one entry. With `specs` (an array of tables), each item is an
    entry and the other keys of the table are defaults for every item.

    Raises:
        ConfigError: the file is not valid TOML or the table has unknown keys or wrong types.
    """
    table = _read_table(path)
    where = f"{path}: [tool.{TABLE}]"
    base = path.parent
    shared = _parse_entry({k: v for k, v in table.items() if k != "specs"}, base, where)
    specs = table.get("specs")
    if specs is None:
        return ProjectSettings(path, (shared,))
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
        raise ConfigError(f"{where}: 'specs' must be an array of tables")
    entries = tuple(
        shared.merged(_parse_entry(item, base, f"{where} specs[{index}]"))
        for index, item in enumerate(specs)
    )
    return ProjectSettings(path, entries)


def parse_ref_map(items: Mapping[str, str], base: Path) -> tuple[tuple[str, Path], ...]:
    """Turn prefix -> folder pairs into the Config form, sorted by prefix, longest first.

    Longest first, so that a reference matching two prefixes uses the more specific folder.
    """
    pairs = [(prefix, base / folder) for prefix, folder in items.items()]
    return tuple(sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0])))


def _has_table(path: Path) -> bool:
    try:
        return TABLE in _read_toml(path).get("tool", {})
    except ConfigError:
        # A broken pyproject.toml that mentions our table must still be reported.
        return f"tool.{TABLE}" in path.read_text(encoding="utf-8", errors="replace")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read file: {exc.strerror}") from exc


def _read_table(path: Path) -> dict[str, Any]:
    table = _read_toml(path).get("tool", {}).get(TABLE)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TABLE}] must be a table")
    return table


def _parse_entry(raw: Mapping[str, Any], base: Path, where: str) -> Settings:
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _KEYS:
            raise ConfigError(_unknown_key(key, where))
        values[_KEYS[key]] = _parse_value(key, value, base, where)
    return Settings(**values)


def _unknown_key(key: str, where: str) -> str:
    known = [*_KEYS, "specs"]
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of {known}"
    return f"{where}: unknown key '{key}'{hint}"


def _parse_value(key: str, value: Any, base: Path, where: str) -> Any:
    if key in ("spec", "output"):
        return base / _expect(str, key, value, where)
    if key == "package-name":
        return _expect(str, key, value, where)
    if key == "perspective":
        return _parse_perspective(_expect(str, key, value, where), where)
    if key == "ref-map":
        items = _expect(dict, key, value, where)
        for folder in items.values():
            _expect(str, key, folder, where)
        return parse_ref_map(items, base)
    return _expect(bool, key, value, where)


def _expect(kind: type[Any], key: str, value: Any, where: str) -> Any:
    if not isinstance(value, kind):
        names = {str: "a string", bool: "true or false", dict: "a table"}
        found = type(value).__name__
        raise ConfigError(f"{where}: '{key}' must be {names[kind]}, found {found}")
    return value


def _parse_perspective(value: str, where: str) -> Perspective:
    try:
        return Perspective(value)
    except ValueError:
        choices = [p.value for p in Perspective]
        message = f"'perspective' must be one of {choices}, found '{value}'"
        raise ConfigError(f"{where}: {message}") from None
