"""Load stage: read one YAML or JSON file into a Document.

A Document is the plain value tree (YAML 1.2 core rules) plus an index from JSON pointer to the
line and column where that key or item stands, so later stages can point at the input.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic, DiagnosticSink, DocumentError, Severity, SourceLocation

logger = logging.getLogger(__name__)

# Bounds that keep hostile input (alias bombs, deep nesting, huge files) in bounded time and memory.
MAX_DEPTH = 1000
MAX_NODES = 5_000_000
MAX_FILE_BYTES = 64 * 1024 * 1024


class _PureParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """Event parser for machines without libyaml."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


_Parser: Any
try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - libyaml is bundled in PyYAML wheels
    _Parser = _PureParser

_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
_TAG = "tag:yaml.org,2002:"


def escape_token(token: str) -> str:
    """Escape one reference token for a JSON pointer (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer_join(pointer: str, token: str | int) -> str:
    """Append one token to a pointer written with a leading '#'."""
    return f"{pointer}/{escape_token(str(token))}"


@dataclass(slots=True)
class Document:
    """One loaded input file: its value tree and where each pointer stands in the text."""

    path: Path
    display: str
    value: Any
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    _locator: Callable[[], dict[str, tuple[int, int]]] | None = None

    uri: str = ""

    def __post_init__(self) -> None:
        if not self.uri:
            self.uri = self.path.resolve().as_uri()

    def locate(self, pointer: str) -> SourceLocation:
        """Return where `pointer` (or its nearest indexed ancestor) stands in the file."""
        if self._locator is not None:
            self.positions = self._locator()
            self._locator = None
        probe = pointer
        while probe not in self.positions and "/" in probe:
            probe = probe.rsplit("/", 1)[0]
        line, column = self.positions.get(probe, (1, 1))
        return SourceLocation(self.display, line, column, pointer)


def load_document(
    path: Path, display: str | None = None, *, sink: DiagnosticSink | None = None
) -> Document:
    """Read a YAML or JSON file into a Document.

    With a `sink`, duplicate keys are reported there and the document is still returned (the
    last value of a key wins), so later checks can report their errors in the same run.

    Raises:
        DocumentError: the file is missing, unreadable, too large, malformed, has duplicate
            keys (without a sink), unsupported tags, or expands beyond the nesting and size
            bounds.
    """
    shown = display or _display_path(path)
    text = _read_text(path, shown)
    return _load_any(path, shown, text, sink)


def _load_any(
    path: Path, shown: str, text: str, sink: DiagnosticSink | None = None
) -> Document:
    if path.suffix.lower() == ".json":
        return _load_json(path, shown, text, sink)
    if _looks_like_json(text):
        # A flow-style YAML file may start like JSON; JSON is tried first because it is faster.
        try:
            return _load_json(path, shown, text, sink)
        except DocumentError:
            pass
    return _load_yaml(path, shown, text, sink)


def _report(diagnostics: list[Diagnostic], sink: DiagnosticSink | None) -> None:
    if sink is None:
        raise DocumentError(diagnostics)
    sink.items.extend(diagnostics)


def load_text(
    text: str, path: Path, display: str | None = None, uri: str = ""
) -> Document:
    """Build a Document from text already in memory (remote references, tests)."""
    document = _load_any(path, display or str(path), text)
    if uri:
        document.uri = uri
    return document


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _fail(
    shown: str, line: int, column: int, message: str, pointer: str = "#"
) -> DocumentError:
    location = SourceLocation(shown, line, column, pointer)
    return DocumentError([Diagnostic(Severity.ERROR, message, location)])


def _read_text(path: Path, shown: str) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            raise _fail(shown, 1, 1, f"file is larger than {limit} MiB ({size} bytes)")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise _fail(shown, 1, 1, "file not found") from exc
    except IsADirectoryError as exc:
        raise _fail(shown, 1, 1, "expected a file, found a folder") from exc
    except OSError as exc:
        raise _fail(shown, 1, 1, f"cannot read file: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(shown, 1, 1, f"file is not valid UTF-8 (byte {exc.start})") from exc
    if not text.strip():
        raise _fail(shown, 1, 1, "file is empty")
    return text


def _looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


# JSON


def _load_json(
    path: Path, shown: str, text: str, sink: DiagnosticSink | None = None
) -> Document:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(items)
        if len(result) != len(items):
            seen: set[str] = set()
            duplicates.extend(k for k, _ in items if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        return result

    try:
        value = json.loads(
            text, object_pairs_hook=pairs, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as exc:
        if exc.msg.startswith("Expecting") or exc.msg.startswith("Extra data"):
            message = f"malformed JSON: {exc.msg[0].lower()}{exc.msg[1:]}"
        else:
            message = f"malformed JSON: {exc.msg}"
        raise _fail(shown, exc.lineno, exc.colno, message) from exc
    except RecursionError as exc:
        raise _fail(
            shown, 1, 1, f"document is nested deeper than {MAX_DEPTH} levels"
        ) from exc
    except ValueError as exc:
        raise _fail(shown, 1, 1, f"malformed JSON: {exc}") from exc
    _check_depth(value, shown)
    document = Document(path, shown, value, _locator=lambda: _index_json(text))
    if duplicates:
        _report(_json_duplicates(document, text), sink)
    return document


def _reject_constant(name: str) -> Any:
    raise ValueError(f"'{name}' is not a JSON value")


def _check_depth(value: Any, shown: str) -> None:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _fail(
                shown, 1, 1, f"document is nested deeper than {MAX_DEPTH} levels"
            )
        if isinstance(node, dict):
            stack.extend(
                (v, depth + 1) for v in node.values() if isinstance(v, (dict, list))
            )
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))


_JSON_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<open>[\[{])|(?P<close>[\]}])|(?P<sep>[:,])'
    r"|(?P<lit>[^\s\[\]{}:,\"]+))",
    re.DOTALL,
)


def _index_json(text: str) -> dict[str, tuple[int, int]]:
    """Index pointer -> (line, column) for a JSON text already known to parse."""
    return {pointer: pos for pointer, pos, _ in _scan_json(text)}


def _scan_json(text: str) -> list[tuple[str, tuple[int, int], bool]]:
    """List (pointer, position, is_key_duplicate) for every member and item, in text order."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out: list[tuple[str, tuple[int, int], bool]] = [("#", (1, 1), False)]
    # Each frame: [pointer, is_object, next index, pending key, keys seen]
    frames: list[list[Any]] = []
    expect_key = False
    pos = 0

    def where(offset: int) -> tuple[int, int]:
        import bisect

        row = bisect.bisect_right(line_starts, offset) - 1
        return row + 1, offset - line_starts[row] + 1

    def child_pointer() -> str | None:
        if not frames:
            return None
        frame = frames[-1]
        if frame[1]:
            return pointer_join(frame[0], frame[3])
        pointer = pointer_join(frame[0], frame[2])
        return pointer

    while True:
        match = _JSON_TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            break
        pos = match.end()
        kind = match.lastgroup
        start = match.start(kind) if kind else pos
        if kind == "str" and expect_key:
            key = json.loads(match.group("str"))
            frame = frames[-1]
            duplicate = key in frame[4]
            frame[4].add(key)
            frame[3] = key
            out.append((pointer_join(frame[0], key), where(start), duplicate))
            expect_key = False
            continue
        if kind == "sep":
            if match.group("sep") == "," and frames and frames[-1][1]:
                expect_key = True
            elif match.group("sep") == "," and frames:
                frames[-1][2] += 1
            continue
        if kind == "close":
            frames.pop()
            expect_key = False
            continue
        # A value starts here.
        pointer = child_pointer()
        if frames and not frames[-1][1]:
            out.append((pointer or "#", where(start), False))
        if kind == "open":
            is_object = match.group("open") == "{"
            frames.append([pointer or "#", is_object, 0, None, set()])
            expect_key = is_object
    return out


def _json_duplicates(document: Document, text: str) -> list[Diagnostic]:
    errors = []
    first_lines: dict[str, int] = {}
    for pointer, (line, column), duplicate in _scan_json(text):
        if not duplicate:
            first_lines.setdefault(pointer, line)
            continue
        key = pointer.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
        message = f"duplicate key '{key}' (first at line {first_lines.get(pointer, 0)})"
        location = SourceLocation(document.display, line, column, pointer)
        errors.append(Diagnostic(Severity.ERROR, message, location))
    return errors


# YAML


def _load_yaml(
    path: Path, shown: str, text: str, sink: DiagnosticSink | None = None
) -> Document:
    # Positions are found by a second pass only when something asks for one: indexing every
    # value up front takes two thirds of the memory a big document needs.
    builder = _YamlBuilder(shown, record=False)
    try:
        value = builder.build(text)
    except _RuleError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise _fail(shown, line, column, exc.problem or "", exc.pointer) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "malformed YAML"
        if "nesting depth" in problem:
            # libyaml has a depth bound of its own; say it in our words.
            problem = f"document is nested deeper than {MAX_DEPTH} levels"
            raise _fail(shown, line, column, problem) from exc
        raise _fail(shown, line, column, _yaml_problem(exc, problem)) from exc
    except yaml.YAMLError as exc:
        raise _fail(shown, 1, 1, f"malformed YAML: {exc}") from exc
    if builder.duplicated:
        # Duplicate keys are reported with the line of the first one: index now.
        positions = _yaml_positions(shown, text, sink)
        return Document(path, shown, value, positions)
    return Document(
        path, shown, value, _locator=lambda: _yaml_positions(shown, text, None)
    )


def _yaml_positions(
    shown: str, text: str, sink: DiagnosticSink | None
) -> dict[str, tuple[int, int]]:
    """Index pointer -> (line, column) of a YAML text already known to load."""
    recorder = _YamlBuilder(shown, record=True)
    recorder.build(text)
    if recorder.errors and sink is not None:
        _report(recorder.errors, sink)
    elif recorder.errors:
        raise DocumentError(recorder.errors)
    return recorder.positions


def _yaml_problem(exc: yaml.MarkedYAMLError, problem: str) -> str:
    """The parser's problem, with where the construct it was reading began."""
    context, mark = exc.context, exc.context_mark
    if not context or mark is None or exc.problem is None:
        return f"malformed YAML: {problem}"
    where = f"line {mark.line + 1}, column {mark.column + 1}"
    return f"malformed YAML: {problem} ({context} at {where})"


class _RuleError(yaml.MarkedYAMLError):
    """A rule or bound of ours was broken (tags, one document, size): not a syntax error."""

    def __init__(self, message: str, mark: Any, pointer: str = "#") -> None:
        super().__init__(problem=message, problem_mark=mark)
        self.pointer = pointer


class _YamlBuilder:
    """Build values straight from parser events: no recursion, so depth is ours to bound."""

    def __init__(self, shown: str, record: bool = True) -> None:
        self.shown = shown
        # With `record` off, positions stay unknown and duplicate keys are only noticed.
        self.record = record
        self.duplicated = False
        self.positions: dict[str, tuple[int, int]] = {"#": (1, 1)}
        self.errors: list[Diagnostic] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0

    def build(self, text: str) -> Any:
        parser = _Parser(text)
        try:
            return self._run(parser)
        finally:
            parser.dispose()

    def _run(self, parser: Any) -> Any:
        # Frame: [container, pointer, pending key or None, anchor, size, key mark]
        stack: list[list[Any]] = []
        root: Any = None
        documents = 0
        while True:
            event = parser.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self._marked(
                        event, "expected one YAML document, found several"
                    )
                continue
            if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentEndEvent)):
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = stack.pop()
                if frame[3] is not None:
                    self.anchors[frame[3]] = (frame[0], frame[4])
                if stack:
                    stack[-1][4] += frame[4]
                    self._attach(stack[-1], frame[0], 0, None)
                else:
                    root = frame[0]
                continue
            if stack and isinstance(stack[-1][0], dict) and stack[-1][2] is None:
                stack[-1][2] = self._key(event, stack[-1])
                continue
            value, size = self._value(event, stack)
            if value is _OPENED:
                continue
            if stack:
                self._attach(stack[-1], value, size, event)
            else:
                root = value
        return root

    def _marked(self, event: Any, message: str) -> yaml.MarkedYAMLError:
        return _RuleError(message, event.start_mark)

    def _key(self, event: Any, frame: list[Any]) -> str:
        if not isinstance(event, yaml.ScalarEvent):
            if isinstance(event, yaml.AliasEvent):
                anchored = self.anchors.get(event.anchor or "")
                if anchored is not None and isinstance(anchored[0], str):
                    return self._unique_key(anchored[0], event, frame)
            raise self._marked(
                event, "mapping keys must be strings, found a complex key"
            )
        # YAML 1.2 core: keys are strings; a plain `200:` or `true:` is the text as written.
        return self._unique_key(event.value, event, frame)

    def _unique_key(self, key: str, event: Any, frame: list[Any]) -> str:
        if event.anchor:
            self.anchors[event.anchor] = (key, 1)
        if not self.record:
            self.duplicated = self.duplicated or key in frame[0]
            return key
        pointer = pointer_join(frame[1], key)
        position = _position(event)
        if key in frame[0]:
            first = self.positions.get(pointer, (0, 0))
            self.errors.append(
                Diagnostic(
                    Severity.ERROR,
                    f"duplicate key '{key}' (first at line {first[0]})",
                    SourceLocation(self.shown, *position, pointer),
                )
            )
        self.positions[pointer] = position
        return key

    def _value(self, event: Any, stack: list[list[Any]]) -> tuple[Any, int]:
        if isinstance(event, yaml.ScalarEvent):
            value = self._scalar(event)
            if event.anchor:
                self.anchors[event.anchor] = (value, 1)
            return value, 1
        if isinstance(event, yaml.AliasEvent):
            anchored = self.anchors.get(event.anchor or "")
            if anchored is None:
                raise self._marked(
                    event,
                    f"malformed YAML: undefined alias '*{event.anchor}'"
                    f" (no anchor '&{event.anchor}' before it)",
                )
            return anchored
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._check_collection_tag(event)
            if len(stack) >= MAX_DEPTH:
                raise _RuleError(
                    f"document is nested deeper than {MAX_DEPTH} levels",
                    event.start_mark,
                    self._child_pointer(stack),
                )
            pointer = self._child_pointer(stack)
            if self.record and stack and isinstance(stack[-1][0], list):
                self.positions[pointer] = _position(event)
            container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            stack.append([container, pointer, None, event.anchor, 1, None])
            return _OPENED, 0
        raise self._marked(event, "unexpected YAML event")

    def _child_pointer(self, stack: list[list[Any]]) -> str:
        if not stack:
            return "#"
        parent = stack[-1]
        if isinstance(parent[0], dict):
            return pointer_join(parent[1], parent[2])
        return pointer_join(parent[1], len(parent[0]))

    def _attach(self, frame: list[Any], value: Any, size: int, event: Any) -> None:
        # Aliases share the anchored object; `size` counts the tree as if expanded, which is
        # what later stages walk, so an alias bomb stops here instead of there.
        self.nodes += size
        frame[4] += size if event is not None else 0
        if self.nodes > MAX_NODES:
            mark = event.start_mark if event is not None else None
            raise _RuleError(
                f"document expands to more than {MAX_NODES} values"
                " (aliases repeat what they name)",
                mark,
                frame[1],
            )
        container = frame[0]
        if isinstance(container, dict):
            container[frame[2]] = value
            frame[2] = None
        else:
            if self.record and event is not None:
                pointer = pointer_join(frame[1], len(container))
                self.positions[pointer] = _position(event)
            container.append(value)

    def _check_collection_tag(self, event: Any) -> None:
        tag = event.tag
        if tag in (None, "!", _TAG + "map", _TAG + "seq", _TAG + "omap"):
            return
        raise self._marked(event, _unsupported_tag(tag))

    def _scalar(self, event: Any) -> Any:
        text: str = event.value
        tag = event.tag
        if tag is None and event.implicit[0]:
            return _resolve_plain(text)
        if tag in (None, "!", _TAG + "str"):
            return text
        resolved = _resolve_plain(text)
        expected = {
            _TAG + "int": int,
            _TAG + "float": float,
            _TAG + "bool": bool,
            _TAG + "null": type(None),
        }.get(tag)
        if expected is None:
            raise self._marked(event, _unsupported_tag(tag))
        if (
            expected is float
            and isinstance(resolved, int)
            and not isinstance(resolved, bool)
        ):
            return float(resolved)
        if type(resolved) is not expected:
            raise self._marked(event, f"'{text}' is not a valid {tag[len(_TAG) :]}")
        return resolved


_OPENED = object()


def _unsupported_tag(tag: str) -> str:
    shown = f"!!{tag[len(_TAG) :]}" if tag.startswith(_TAG) else tag
    # Tags that build objects (!!python/...) would run code in an unsafe loader.
    return f"unsupported YAML tag '{shown}'; only plain values, lists and mappings are read"


def _position(event: Any) -> tuple[int, int]:
    """The 1-based line and column where a parser event starts."""
    return event.start_mark.line + 1, event.start_mark.column + 1


def _resolve_plain(text: str) -> Any:
    """Type a plain scalar by the YAML 1.2 core schema."""
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    first = text[0]
    if not (first.isdigit() or first in "+-."):
        return text
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text[0] == "-" else math.inf
    if _NAN.match(text):
        return math.nan
    return text
