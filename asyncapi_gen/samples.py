"""Sample values for the test kit: the document's examples first, else synthesised.

Build stage helper: takes schema and message nodes, returns candidate JSON values in the order
to try them. `settle_samples` (emit stage) keeps the first candidate the generated validator
accepts, so a sample the package ships always validates.
"""

from __future__ import annotations

import json
import math
import re
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .ir import Api, Route
from .resolve import Node

Follow = Callable[[Node], "Node | None"]

# Deeper than this, objects keep only required properties and arrays stay empty, so
# recursive schemas end.
_MAX_DEPTH = 8
_FORMATS: dict[str, str] = {
    "date-time": "2024-01-01T12:00:00Z",
    "date": "2024-01-01",
    "time": "12:00:00Z",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/",
    "iri": "https://example.com/",
    "uri-reference": "https://example.com/",
    "iri-reference": "https://example.com/",
    "uri-template": "https://example.com/{id}",
    "uuid": "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    "json-pointer": "/a",
    "relative-json-pointer": "0",
    "regex": "^a$",
}
_CHOICES = 3  # oneOf/anyOf options tried, the first ones in document order
_TYPE_ORDER = ("object", "string", "integer", "number", "boolean", "array", "null")


class _NoSample(Exception):
    """The synthesiser found no value for a schema (a contradiction, or too deep)."""


def json_text(value: Any) -> str:
    """The canonical JSON text of a sample: document key order, ASCII only."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def message_candidates(
    examples: Node | None, part: str, schema: Node | None, follow: Follow
) -> tuple[str, ...]:
    """Candidate samples for one message part (`payload` or `headers`), as JSON text.

    Order: the message's `examples` (AsyncAPI 2.x: a list of {headers, payload}), the
    schema's own `examples`/`example`, then one synthesised from the schema.
    """
    found: list[Any] = []
    if examples is not None and isinstance(examples.value, list):
        for item in examples.value:
            if isinstance(item, dict) and part in item:
                found.append(item[part])
    if schema is not None:
        found.extend(schema_examples(schema, follow))
        found.extend(synthesise(schema, follow) or ())
    unique: dict[str, None] = {}
    for value in found:
        unique.setdefault(json_text(value), None)
    return tuple(unique)


def schema_examples(schema: Node, follow: Follow) -> list[Any]:
    """The values a schema offers itself: `examples` (a list), then `example`."""
    target = follow(schema)
    if target is None or not isinstance(target.value, dict):
        return []
    value = target.value
    found = []
    if isinstance(value.get("examples"), list):
        found.extend(value["examples"])
    if "example" in value:
        found.append(value["example"])
    return found


def synthesise(schema: Node, follow: Follow, name: str = "") -> tuple[Any, ...] | None:
    """Values built from the schema alone, deterministically; None when none is found.

    Realistic values take nested `examples`/`example`/`default`; plain ones only the
    constraints (a nested example may itself be invalid). Each is tried with the first few
    `oneOf`/`anyOf` options, since some options conflict with their siblings.
    """
    found: dict[str, Any] = {}
    for full in (True, False):
        for choice in range(_CHOICES):
            for realistic in (True, False):
                synthesiser = _Synthesiser(follow, realistic, choice, full)
                try:
                    value = synthesiser.value(schema, name, 0)
                except (_NoSample, RecursionError):
                    continue
                found.setdefault(json_text(value), value)
    return tuple(found.values()) or None


class _Synthesiser:
    """One way of building a value: with or without examples, which option, which fields.

    `full` objects take every declared property; the others only the required ones, for
    schemas where an optional property cannot be satisfied.
    """

    def __init__(
        self, follow: Follow, realistic: bool, choice: int, full: bool
    ) -> None:
        self.follow = follow
        self.realistic = realistic
        self.choice = choice
        self.full = full

    def value(self, node: Node, name: str, depth: int) -> Any:
        target = self.follow(node)
        if target is None or target.value is False:
            raise _NoSample
        if not isinstance(target.value, dict):
            return name or "sample"
        return self.from_schema(self.merged(target), name, depth)

    def from_schema(self, schema: dict[str, Any], name: str, depth: int) -> Any:
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        if self.realistic:
            if isinstance(schema.get("examples"), list) and schema["examples"]:
                return schema["examples"][0]
            for key in ("example", "default"):
                if key in schema:
                    return schema[key]
        options = schema.get("oneOf") or schema.get("anyOf")
        if isinstance(options, list) and options:
            return self.option(schema, options, name, depth)
        return self.typed(schema, _pick_type(schema), name, depth)

    def option(
        self, schema: dict[str, Any], options: list[Node], name: str, depth: int
    ) -> Any:
        """A value of one option; the siblings of `oneOf`/`anyOf` apply to it too."""
        option = options[min(self.choice, len(options) - 1)]
        if not any(k in schema for k in ("type", "properties", "required")):
            return self.value(option, name, depth + 1)
        target = self.follow(option)
        if target is None or target.value is False:
            raise _NoSample
        outer = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
        if not isinstance(target.value, dict):
            return self.from_schema(outer, name, depth)
        return self.from_schema(_combine(outer, self.merged(target)), name, depth + 1)

    def merged(self, target: Node) -> dict[str, Any]:
        """The schema with its `allOf` branches folded in: properties and required joined."""
        result: dict[str, Any] = {}
        for part in self._branches(target, set()):
            for key in part.value:
                if key != "allOf":
                    _fold(result, part, key)
        return result

    def _branches(self, target: Node, seen: set[str]) -> Iterator[Node]:
        if target.uri in seen or not isinstance(target.value, dict):
            return
        seen.add(target.uri)
        yield target
        all_of = target.get("allOf")
        if all_of is None or not isinstance(all_of.value, list):
            return
        for index in range(len(all_of.value)):
            branch = self.follow(all_of.child(index))
            if branch is None or branch.value is False:
                raise _NoSample
            if branch.value is not True:
                yield from self._branches(branch, seen)

    def typed(self, schema: dict[str, Any], kind: str, name: str, depth: int) -> Any:
        if kind == "object":
            return self.object(schema, depth)
        if kind == "array":
            return self.array(schema, name, depth)
        if kind == "string":
            return _string(schema, name)
        if kind in ("integer", "number"):
            return _number(schema, kind == "integer")
        if kind == "boolean":
            return True
        return None

    def object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties: dict[str, Node] = schema.get("properties", {})
        required = [r for r in schema.get("required", []) if isinstance(r, str)]
        result: dict[str, Any] = {}
        for prop, node in properties.items():
            if prop in required:
                result[prop] = self.value(node, prop, depth + 1)
            elif self.full and depth < _MAX_DEPTH:
                try:
                    result[prop] = self.value(node, prop, depth + 1)
                except _NoSample:
                    continue
        extra = schema.get("additionalProperties")
        for prop in required:
            if prop in result:
                continue
            if isinstance(extra, Node) and isinstance(extra.value, dict):
                result[prop] = self.value(extra, prop, depth + 1)
            else:
                result[prop] = prop
        return result

    def array(self, schema: dict[str, Any], name: str, depth: int) -> list[Any]:
        items = schema.get("items")
        minimum = schema.get("minItems", 0)
        count = minimum if isinstance(minimum, int) else 0
        if depth < _MAX_DEPTH:
            count = max(count, 1)
        if isinstance(items, Node) and isinstance(items.value, list):
            return [
                self.value(items.child(i), name, depth + 1)
                for i in range(len(items.value))
            ]
        if count == 0:
            return []
        if not isinstance(items, Node):
            return [f"{name or 'item'}{i}" for i in range(count)]
        first = self.value(items, name, depth + 1)
        if count == 1 or not isinstance(first, str):
            return [first] * count
        return [first if i == 0 else f"{first}{i}" for i in range(count)]


def _fold(result: dict[str, Any], part: Node, key: str) -> None:
    """Add one keyword of an `allOf` part; earlier parts win, subschemas stay nodes."""
    item = part.value[key]
    if key == "properties" and isinstance(item, dict):
        props = result.setdefault("properties", {})
        for prop in item:
            props.setdefault(prop, part.child("properties").child(prop))
    elif key == "required" and isinstance(item, list):
        required = result.setdefault("required", [])
        required += [r for r in item if r not in required]
    elif key in ("items", "additionalProperties") and isinstance(
        item, (dict, bool, list)
    ):
        result.setdefault(key, part.child(key))
    elif key in ("oneOf", "anyOf") and isinstance(item, list):
        options = part.child(key)
        result.setdefault(key, [options.child(i) for i in range(len(item))])
    else:
        result.setdefault(key, item)


def _combine(outer: dict[str, Any], inner: dict[str, Any]) -> dict[str, Any]:
    """Both schemas at once, roughly: properties and required joined, the inner one's rest."""
    result = dict(outer)
    for key, value in inner.items():
        if key == "properties":
            result["properties"] = {**value, **outer.get("properties", {})}
        elif key == "required":
            result["required"] = [*outer.get("required", []), *value]
        elif key == "type" and "type" in outer:
            continue
        else:
            result[key] = value
    return result


def _pick_type(schema: Mapping[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, str):
        declared = [declared]
    if isinstance(declared, list):
        for kind in _TYPE_ORDER:
            if kind in declared:
                return kind
        return "null"
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if any(k in schema for k in ("pattern", "minLength", "maxLength", "format")):
        return "string"
    if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
        return "number"
    return "string"


def _string(schema: Mapping[str, Any], name: str) -> str:
    form = schema.get("format")
    if isinstance(form, str) and form in _FORMATS:
        return _FORMATS[form]
    pattern = schema.get("pattern")
    text = name or "sample"
    if isinstance(pattern, str):
        text = pattern_sample(pattern, text)
    low = schema.get("minLength")
    high = schema.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text += "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text


def _number(schema: Mapping[str, Any], integer: bool) -> int | float:
    low, high = _bound(schema, "minimum"), _bound(schema, "maximum")
    ex_low, ex_high = _bound(schema, "exclusiveMinimum"), _bound(
        schema, "exclusiveMaximum"
    )
    step = _bound(schema, "multipleOf")
    value: float = 1
    if low is not None:
        value = max(value, low)
    if ex_low is not None:
        value = max(value, ex_low + 1)
    if high is not None:
        value = min(value, high)
    if ex_high is not None and value >= ex_high:
        value = ex_high - 1
    if step is not None and step > 0:
        value = math.ceil(value / step) * step
    if integer or float(value).is_integer():
        return int(value)
    return value


def _bound(schema: Mapping[str, Any], key: str) -> float | None:
    value = schema.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return None


def pattern_sample(pattern: str, fallback: str) -> str:
    """A short string the regex matches, read off its parsed form; `fallback` when unsure."""
    try:
        parsed = _parser().parse(pattern)
        return "".join(_regex_text(parsed))
    except (
        Exception
    ):  # any pattern Python cannot read, or a construct not handled below
        return fallback


def _parser() -> Any:
    # Python's own regex parser (re._parser since 3.11, sre_parse before).
    module = getattr(re, "_parser", None)
    if module is None:  # pragma: no cover - Python 3.10
        import sre_parse as module
    return module


def _regex_text(items: Any) -> Iterator[str]:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            yield chr(arg)
        elif name == "ANY":
            yield "a"
        elif name == "IN":
            yield _class_char(arg)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, inner = arg
            yield "".join(_regex_text(inner)) * max(low, 0)
        elif name == "SUBPATTERN":
            yield from _regex_text(arg[-1])
        elif name == "ATOMIC_GROUP":
            yield from _regex_text(arg)
        elif name == "BRANCH":
            yield from _regex_text(arg[1][0])
        elif name == "AT":
            continue
        else:
            raise ValueError(f"regex construct {name} is not sampled")


def _class_char(items: Any) -> str:
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            raise ValueError("negated class")
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return {"CATEGORY_DIGIT": "0", "CATEGORY_SPACE": " "}.get(str(arg), "a")
    raise ValueError("empty class")


# Settling: keep the first candidate the generated validator accepts.


def settle_samples(
    validators_source: str,
    validation_source: str,
    candidates: Mapping[str, tuple[str, tuple[str, ...]]],
) -> dict[str, str]:
    """Pick, per key, the first candidate its validator accepts.

    Args:
        validators_source: the text of the generated `validators.py`.
        validation_source: the text of the generated `_validation.py` it imports.
        candidates: key -> (validator name, candidate JSON texts in order).

    Returns:
        key -> chosen JSON text; keys with no valid candidate are left out.
    """
    # Known limitation: a message whose schema no candidate satisfies (an unsatisfiable
    # schema, or one the synthesiser misses) ships no sample; the test kit names it.
    module = _load_validators(validators_source, validation_source)
    chosen: dict[str, str] = {}
    for key, (validator, texts) in candidates.items():
        check = getattr(module, f"is_valid_{validator}")
        for text in texts:
            if check(json.loads(text)):
                chosen[key] = text
                break
    return chosen


def _load_validators(
    validators_source: str, validation_source: str
) -> types.ModuleType:
    """Execute the generated validators as a throwaway package, to run them on samples."""
    package = "_asyncapi_gen_sample_check"
    parent = types.ModuleType(package)
    parent.__path__ = []
    saved = {k: sys.modules.get(k) for k in (package, f"{package}._validation")}
    sys.modules[package] = parent
    try:
        support = _exec_module(f"{package}._validation", validation_source, package)
        sys.modules[f"{package}._validation"] = support
        return _exec_module(f"{package}.validators", validators_source, package)
    finally:
        for name, previous in saved.items():
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous


def _exec_module(name: str, source: str, package: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__package__ = package
    # dataclasses look the module up in sys.modules while a class is being built.
    sys.modules[name] = module
    try:
        exec(compile(source, name, "exec"), module.__dict__)
    finally:
        sys.modules.pop(name, None)
    return module


def parameter_candidates(schema: Node, wire: str, follow: Follow) -> tuple[str, ...]:
    """Candidate values for a channel parameter: each must stay one non-empty level."""
    found = [*schema_examples(schema, follow)]
    found.extend(synthesise(schema, follow, wire) or ())
    # Every enum value, not only the first: one of them may span several levels.
    target = follow(schema)
    if target is not None and isinstance(target.value, dict):
        enum = target.value.get("enum")
        found.extend(enum if isinstance(enum, list) else ())
    unique: dict[str, None] = {}
    for value in found:
        if isinstance(value, (int, float, str)) and _one_level(str(value)):
            unique.setdefault(json_text(value), None)
    return tuple(unique)


def _one_level(text: str) -> bool:
    return bool(text) and not any(c in text for c in "/+#")


@dataclass(frozen=True, slots=True)
class Samples:
    """The samples a package ships, each checked by its generated validator.

    `payloads` and `headers` are keyed by message key; `channels` maps an operationId to a
    concrete sample address (left out when a parameter has no valid sample).
    """

    payloads: dict[str, str]
    headers: dict[str, str]
    channels: dict[str, str]


def settle_api(api: Api, validators_source: str, validation_source: str) -> Samples:
    """Choose every sample of the package by running its generated validators."""
    payloads: dict[str, tuple[str, tuple[str, ...]]] = {}
    headers: dict[str, tuple[str, tuple[str, ...]]] = {}
    parameters: dict[str, tuple[str, tuple[str, ...]]] = {}
    for route in api.routes:
        for message in route.messages:
            payloads[message.key] = (message.validator, message.samples)
            if message.headers_validator:
                headers[message.key] = (
                    message.headers_validator,
                    message.header_samples,
                )
        for parameter in route.parameters:
            key = f"{route.operation_id}\0{parameter.wire_name}"
            parameters[key] = (parameter.validator, parameter.samples)
    chosen = settle_samples(
        validators_source,
        validation_source,
        {
            **{f"p\0{k}": v for k, v in payloads.items()},
            **{f"h\0{k}": v for k, v in headers.items()},
            **{f"c\0{k}": v for k, v in parameters.items()},
        },
    )
    return Samples(
        payloads=_part(chosen, "p"),
        headers=_part(chosen, "h"),
        channels={
            route.operation_id: _address(route, _part(chosen, "c"))
            for route in api.routes
            if all(
                f"{route.operation_id}\0{p.wire_name}" in _part(chosen, "c")
                for p in route.parameters
            )
        },
    )


def _part(chosen: dict[str, str], prefix: str) -> dict[str, str]:
    start = f"{prefix}\0"
    return {k[len(start) :]: v for k, v in chosen.items() if k.startswith(start)}


def _address(route: Route, values: dict[str, str]) -> str:
    """The route's address with each parameter replaced by its sample, as one level's text."""

    def level(match: re.Match[str]) -> str:
        value = json.loads(values[f"{route.operation_id}\0{match.group(1)}"])
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return re.sub(r"\{([^{}]*)\}", level, route.address)
