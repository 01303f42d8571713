"""Diagnostics and the exception family shared by every stage.

A diagnostic points at the input (file, line, column, pointer); an exception owns its exit code.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation:
    """A place in an input file: 1-based line and column, and the JSON pointer there."""

    file: str
    line: int
    column: int
    pointer: str = "#"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the input, shown to the user."""

    severity: Severity
    message: str
    location: SourceLocation | None = None
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        if loc is None:
            return ("", 0, 0, self.message)
        return (loc.file, loc.line, loc.column, self.message)

    def render(self) -> str:
        """Render as `file:line:col: severity: message`, then pointer and hint lines."""
        head = f"{self.severity.value}: {self.message}"
        if self.location is None:
            return head
        lines = [f"{self.location}: {head}", f"  at {self.location.pointer}"]
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class AsyncapiGenError(Exception):
    """Base of every error the generator reports; carries the process exit code."""

    exit_code = 3


class DocumentError(AsyncapiGenError):
    """The input documents are broken; holds every error diagnostic found."""

    exit_code = 1

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__("\n".join(d.render() for d in self.diagnostics))


class TemplateError(AsyncapiGenError):
    """A template failed to render: a generator bug, named by template and line."""

    def __init__(self, template: str, line: int | None, message: str) -> None:
        self.template = template
        self.line = line
        where = f"{template}:{line}" if line else template
        super().__init__(f"template {where}: {message}")


class FormatError(AsyncapiGenError):
    """Generated text cannot be written (black or CPython rejects it, UTF-8 cannot hold it).

    A generator bug, named by output file.
    """

    def __init__(self, path: str, message: str, source: str = "") -> None:
        self.path = path
        self.source = source
        super().__init__(f"generated {path} cannot be written: {message}")


class OutputError(AsyncapiGenError):
    """The output folder cannot be written safely (not ours, a symlink, a stale check)."""

    exit_code = 1


@dataclass(slots=True)
class DiagnosticSink:
    """Collects diagnostics while a stage keeps going; raises once at the end."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(
        self, message: str, location: SourceLocation | None, hint: str | None = None
    ) -> None:
        self.items.append(Diagnostic(Severity.ERROR, message, location, hint))

    def warning(
        self, message: str, location: SourceLocation | None, hint: str | None = None
    ) -> None:
        self.items.append(Diagnostic(Severity.WARNING, message, location, hint))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def raise_if_errors(self) -> None:
        """Raise DocumentError with every diagnostic collected so far if any is an error."""
        if self.errors:
            raise DocumentError(self.items)
