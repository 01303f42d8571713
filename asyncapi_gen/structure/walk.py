"""The table-driven walk: check one value tree against shapes, reporting into a sink.

The walk keeps its own stack instead of recursing, so deep documents cost memory, not frames.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import DiagnosticSink
from ..load import Document
from .describe import (
    Label,
    Where,
    closest,
    is_integer,
    is_number,
    json_key,
    kind_of,
    label_text,
    pointer_of,
    quote,
    show,
)
from .keywords import (
    ASYNCAPI_KEYWORDS,
    AVRO_FIELD,
    AVRO_FULL_NAME,
    AVRO_PRIMITIVE,
    AVRO_PRIMITIVES,
    AVRO_TYPES,
    DRAFT07_KEYWORDS,
    OPENAPI_SCHEMA,
    SIMPLE_TYPES,
)
from .shapes import (
    Anything,
    AvroField,
    AvroSchema,
    ByKind,
    ByVersion,
    Choice,
    Headers,
    Kind,
    ListOf,
    MapOf,
    Matching,
    Message,
    Obj,
    OpenapiSchema,
    RefOr,
    Schema,
    SecurityScheme,
    Shape,
)
from .tables import (
    DRAFT07_SCHEMA,
    HTTP_BEARER,
    MESSAGE_OBJECT,
    MESSAGE_ONE_OF,
    SCHEMA,
    SECURITY_SCHEMES,
)

Task = tuple[Any, Shape, Where, Label]

# AsyncAPI 2.x, Components Object: names of reusable objects.
COMPONENT_NAME = re.compile(r"[a-zA-Z0-9.\-_]+")

DRAFT07_FORMATS = frozenset(
    {
        "application/schema+json;version=draft-07",
        "application/schema+yaml;version=draft-07",
    }
)
OPENAPI_FORMATS = frozenset(
    {
        "application/vnd.oai.openapi;version=3.0.0",
        "application/vnd.oai.openapi+json;version=3.0.0",
        "application/vnd.oai.openapi+yaml;version=3.0.0",
    }
)
AVRO_FORMATS = frozenset(
    {
        "application/vnd.apache.avro;version=1.9.0",
        "application/vnd.apache.avro+json;version=1.9.0",
        "application/vnd.apache.avro+yaml;version=1.9.0",
    }
)
HABITS = frozenset({"example"})

# An Avro payload may be a reference (docs/structure.md); check_fragment checks its target.
AVRO_PAYLOAD = RefOr(AvroSchema())


def asyncapi_formats(minor: int) -> frozenset[str]:
    """Return the schemaFormat values meaning 'an AsyncAPI schema' in version 2.`minor`."""
    names = set()
    for version in range(minor + 1):
        for media in ("", "+json", "+yaml"):
            names.add(f"application/vnd.aai.asyncapi{media};version=2.{version}.0")
    return frozenset(names)


KIND_CHECKS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "string": ("a string", lambda v: isinstance(v, str)),
    "boolean": ("a boolean", lambda v: isinstance(v, bool)),
    "number": ("a number", is_number),
    "mapping": ("a mapping", lambda v: isinstance(v, dict)),
    "list": ("a list", lambda v: isinstance(v, list)),
    "non-negative integer": (
        "a non-negative integer",
        lambda v: is_integer(v) and v >= 0,
    ),
    "positive number": ("a number greater than 0", lambda v: is_number(v) and v > 0),
}


class Walker:
    """Check values of one document against shapes for one AsyncAPI 2.x minor version."""

    def __init__(self, document: Document, sink: DiagnosticSink, minor: int) -> None:
        self.document = document
        self.sink = sink
        self.minor = minor
        self.todo: list[Task] = []
        self.formats = asyncapi_formats(minor)
        self.visitors: dict[type[Shape], Callable[[Any, Any, Where, Label], None]] = {
            Anything: self.visit_anything,
            Kind: self.visit_kind,
            Choice: self.visit_choice,
            Matching: self.visit_matching,
            ListOf: self.visit_list,
            MapOf: self.visit_map,
            Obj: self.visit_object,
            RefOr: self.visit_ref_or,
            ByVersion: self.visit_by_version,
            ByKind: self.visit_by_kind,
            Schema: self.visit_schema,
            OpenapiSchema: self.visit_openapi,
            AvroSchema: self.visit_avro,
            AvroField: self.visit_avro_field,
            Message: self.visit_message,
            Headers: self.visit_headers,
            SecurityScheme: self.visit_security_scheme,
        }

    def walk(self, value: Any, shape: Shape, pointer: Where, label: Label) -> None:
        """Check `value` and everything below it; diagnostics go to the sink."""
        self.todo.append((value, shape, pointer, label))
        while self.todo:
            value, shape, pointer, label = self.todo.pop()
            self.visitors[type(shape)](value, shape, pointer, label)

    # Reporting

    def error(self, message: str, pointer: Where, hint: str | None = None) -> None:
        self.sink.error(message, self.document.locate(pointer_of(pointer)), hint)

    def warning(self, message: str, pointer: Where, hint: str | None = None) -> None:
        self.sink.warning(message, self.document.locate(pointer_of(pointer)), hint)

    def wrong_kind(
        self,
        label: Label,
        expected: str,
        value: Any,
        pointer: Where,
        hint: str | None = None,
    ) -> None:
        message = f"{label_text(label)} must be {expected}, found {kind_of(value)}"
        self.error(message, pointer, hint)

    # Plain values

    def visit_anything(
        self, value: Any, shape: Anything, pointer: Where, label: Label
    ) -> None:
        return

    def visit_kind(self, value: Any, shape: Kind, pointer: Where, label: Label) -> None:
        expected, check = KIND_CHECKS[shape.kind]
        if check(value):
            return
        if is_number(value) and shape.kind in (
            "non-negative integer",
            "positive number",
        ):
            self.error(
                f"{label_text(label)} must be {expected}, found {value!r}", pointer
            )
            return
        hint = None
        if shape.kind == "string" and (is_number(value) or isinstance(value, bool)):
            hint = "quote the value to keep it a string"
        self.wrong_kind(label, expected, value, pointer, hint)

    def visit_choice(
        self, value: Any, shape: Choice, pointer: Where, label: Label
    ) -> None:
        if isinstance(value, str) and value in shape.values:
            return
        allowed = ", ".join(f"'{v}'" for v in shape.values)
        hint: str | None = None
        if isinstance(value, str):
            near = closest(value, shape.values, cutoff=0.6)
            hint = f"did you mean '{near}'?" if near else None
        self.error(
            f"{label_text(label)} must be one of {allowed}, found {show(value)}",
            pointer,
            hint,
        )

    def visit_matching(
        self, value: Any, shape: Matching, pointer: Where, label: Label
    ) -> None:
        if not isinstance(value, str):
            self.wrong_kind(label, "a string", value, pointer)
        elif not shape.pattern.search(value):
            message = (
                f"{label_text(label)} must be {shape.expected}, found {quote(value)}"
            )
            self.error(message, pointer)

    # Containers

    def visit_list(
        self, value: Any, shape: ListOf, pointer: Where, label: Label
    ) -> None:
        if not isinstance(value, list):
            self.wrong_kind(label, "a list", value, pointer)
            return
        if len(value) < shape.min_items:
            self.error(f"{label_text(label)} must not be empty", pointer)
        for index in range(len(value) - 1, -1, -1):
            child = (pointer, index)
            self.todo.append((value[index], shape.item, child, ("item", index, label)))
        if shape.unique:
            self.check_unique(value, pointer, label)

    def check_unique(self, items: list[Any], pointer: Where, label: Label) -> None:
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            key = json_key(item)
            first = seen.setdefault(key, index)
            if first == index:
                continue
            if isinstance(item, (dict, list)):
                message = f"item {index} of {label_text(label)} repeats item {first}"
            else:
                message = f"duplicate item {show(item)} in {label_text(label)}"
            self.error(message, (pointer, index))

    def visit_map(self, value: Any, shape: MapOf, pointer: Where, label: Label) -> None:
        if not isinstance(value, dict):
            self.wrong_kind(label, "a mapping", value, pointer)
            return
        for name, item in value.items():
            child = (pointer, name)
            self.check_name(name, shape, child)
            self.todo.append((item, shape.value, child, ("entry", shape.noun, name)))

    def check_name(self, name: str, shape: MapOf, pointer: Where) -> None:
        if shape.nonempty_names and name == "":
            self.error(f"{shape.noun} name must not be empty", pointer)
        elif shape.component_names and not COMPONENT_NAME.fullmatch(name):
            self.warning(
                f"{shape.noun} name {quote(name)} is not a valid component name",
                pointer,
                "component names use only letters, digits, '.', '-' and '_'",
            )

    def visit_object(
        self, value: Any, shape: Obj, pointer: Where, label: Label
    ) -> None:
        if not isinstance(value, dict):
            self.wrong_kind(label, "a mapping", value, pointer)
            return
        self.check_fields(value, shape, pointer)

    def check_fields(self, value: dict[str, Any], shape: Obj, pointer: Where) -> None:
        """Check the fields of a mapping already known to be the object `shape`."""
        for key, item in value.items():
            child = (pointer, key)
            known = shape.fields.get(key)
            if known is not None and known.since <= self.minor:
                self.todo.append((item, known.shape, child, ("field", key)))
            elif shape.extensions is not None and shape.extensions.match(key):
                continue
            elif shape.closed:
                hint = self.unknown_hint(key, shape)
                message = f"unknown field {quote(key)} in {shape.name}"
                self.warning(message, child, hint)
        self.check_required(value, shape, pointer)

    def check_required(self, value: dict[str, Any], shape: Obj, pointer: Where) -> None:
        for name in shape.required:
            if name not in value:
                message = f"missing required field '{name}' in {shape.name}"
                self.error(message, pointer, self.misspelled_hint(name, value, shape))
        if shape.any_required and not any(n in value for n in shape.any_required):
            names = " or ".join(f"'{n}'" for n in shape.any_required)
            self.error(f"{shape.name} needs {names}", pointer)
        for name in shape.forbidden:
            if name in value:
                self.error(
                    f"'{name}' is not allowed in {shape.name}",
                    (pointer, name),
                )

    def misspelled_hint(
        self, name: str, value: dict[str, Any], shape: Obj
    ) -> str | None:
        strays = [key for key in value if key not in shape.fields]
        near = closest(name, strays)
        return f"is {quote(near)} a misspelling of it?" if near else None

    def unknown_hint(self, key: str, shape: Obj) -> str | None:
        known = shape.fields.get(key)
        if known is not None:
            return f"'{key}' needs asyncapi 2.{known.since}.0 or later"
        if key == "$ref":
            return "a reference is not allowed here"
        if key.startswith("x-"):
            if shape.extensions is None:
                return "extensions are not allowed here"
            return (
                "extension names are 'x-' followed by letters, digits, '.', '-' or '_'"
            )
        names = [n for n, f in shape.fields.items() if f.since <= self.minor]
        near = closest(key, names)
        return f"did you mean '{near}'?" if near else None

    def visit_ref_or(
        self, value: Any, shape: RefOr, pointer: Where, label: Label
    ) -> None:
        if shape.since <= self.minor and isinstance(value, dict) and "$ref" in value:
            self.check_reference(value, pointer)
            return
        self.visitors[type(shape.shape)](value, shape.shape, pointer, label)

    def check_reference(self, value: dict[str, Any], pointer: Where) -> None:
        # The resolver checks the target; the Reference Object only needs a string.
        ref = value["$ref"]
        if not isinstance(ref, str):
            self.wrong_kind("'$ref'", "a string", ref, (pointer, "$ref"))

    def visit_by_version(
        self, value: Any, shape: ByVersion, pointer: Where, label: Label
    ) -> None:
        chosen = shape.options[0][1]
        for since, option in shape.options:
            if since <= self.minor:
                chosen = option
        self.visitors[type(chosen)](value, chosen, pointer, label)

    def visit_by_kind(
        self, value: Any, shape: ByKind, pointer: Where, label: Label
    ) -> None:
        for kind, option in shape.options:
            if kind == "schema" and isinstance(value, (dict, bool)):
                self.visitors[type(option)](value, option, pointer, label)
                return
            if kind != "schema" and KIND_CHECKS[kind][1](value):
                self.visitors[type(option)](value, option, pointer, label)
                return
        self.wrong_kind(label, shape.expected, value, pointer)

    # Schemas

    def visit_schema(
        self, value: Any, shape: Schema, pointer: Where, label: Label
    ) -> None:
        if isinstance(value, bool):
            return
        if not isinstance(value, dict):
            self.wrong_schema(value, pointer, label)
            return
        table = ASYNCAPI_KEYWORDS if shape.mode == "asyncapi" else DRAFT07_KEYWORDS
        for key, item in value.items():
            child = (pointer, key)
            keyword = table.get(key)
            if keyword is not None:
                self.todo.append((item, keyword, child, ("field", key)))
            elif not key.startswith("x-"):
                self.check_keyword_typo(key, table, child)

    def wrong_schema(self, value: Any, pointer: Where, label: Label) -> None:
        expected = "a schema (a mapping or a boolean)"
        hint = None
        if value in SIMPLE_TYPES:
            hint = f"write {{type: {value}}} for a schema of that type"
        message = f"{label_text(label)} must be {expected}, found {kind_of(value)}"
        self.error(message, pointer, hint)

    def check_keyword_typo(
        self, key: str, table: dict[str, Shape] | Any, pointer: Where
    ) -> None:
        # JSON Schema ignores unknown keywords, so only a likely misspelling is worth a word;
        # 'example' is a common OpenAPI habit, ignored silently rather than on every schema.
        if key in HABITS:
            return
        near = closest(key, table, cutoff=0.85)
        if near is not None:
            hint = f"did you mean '{near}'?"
            self.warning(f"unknown keyword {quote(key)} in schema", pointer, hint)

    def visit_openapi(
        self, value: Any, shape: OpenapiSchema, pointer: Where, label: Label
    ) -> None:
        if isinstance(value, dict) and "$ref" in value:
            self.check_reference(value, pointer)
            return
        self.visit_object(value, OPENAPI_SCHEMA, pointer, label)

    def visit_avro(
        self, value: Any, shape: AvroSchema, pointer: Where, label: Label
    ) -> None:
        if isinstance(value, str):
            if value not in AVRO_PRIMITIVES and not AVRO_FULL_NAME.fullmatch(value):
                expected = "an avro primitive type or a type name"
                self.error(
                    f"{label_text(label)} must be {expected}, found {quote(value)}",
                    pointer,
                )
        elif isinstance(value, list):
            self.visit_list(value, ListOf(shape, min_items=1), pointer, label)
        elif isinstance(value, dict):
            self.check_avro_object(value, pointer)
        else:
            expected = "an avro schema (a type name, a mapping or a list)"
            self.wrong_kind(label, expected, value, pointer)

    def check_avro_object(self, value: dict[str, Any], pointer: Where) -> None:
        if "type" not in value:
            self.error("missing required field 'type' in avro schema", pointer)
            return
        kind = value["type"]
        child = (pointer, "type")
        if not isinstance(kind, str):
            self.wrong_kind("avro 'type'", "a string", kind, child)
            return
        table = AVRO_PRIMITIVE if kind in AVRO_PRIMITIVES else AVRO_TYPES.get(kind)
        if table is None:
            names = (*AVRO_TYPES, *AVRO_PRIMITIVES)
            self.visit_choice(kind, Choice(names), child, "avro 'type'")
            return
        self.check_fields(value, table, pointer)

    def visit_avro_field(
        self, value: Any, shape: AvroField, pointer: Where, label: Label
    ) -> None:
        self.visit_object(value, AVRO_FIELD, pointer, label)

    # Messages and security schemes

    def visit_message(
        self, value: Any, shape: Message, pointer: Where, label: Label
    ) -> None:
        if not isinstance(value, dict):
            self.wrong_kind(label, "a mapping", value, pointer)
        elif "$ref" in value:
            self.check_reference(value, pointer)
        elif "oneOf" in value:
            self.check_fields(value, MESSAGE_ONE_OF, pointer)
        else:
            self.check_fields(value, MESSAGE_OBJECT, pointer)
            if "payload" in value:
                payload_shape = self.payload_shape(value)
                child = (pointer, "payload")
                self.todo.append((value["payload"], payload_shape, child, "'payload'"))

    def payload_shape(self, message: dict[str, Any]) -> Shape:
        """Return the shape the payload must have under the message's schemaFormat."""
        if "schemaFormat" not in message:
            return SCHEMA
        found = message["schemaFormat"]
        if not isinstance(found, str):
            return Anything()
        if found in self.formats:
            return SCHEMA
        if found in DRAFT07_FORMATS:
            return DRAFT07_SCHEMA
        if found in OPENAPI_FORMATS:
            return OpenapiSchema()
        if found in AVRO_FORMATS:
            return AVRO_PAYLOAD
        return Anything()

    def visit_headers(
        self, value: Any, shape: Headers, pointer: Where, label: Label
    ) -> None:
        self.visit_schema(value, SCHEMA, pointer, label)
        if isinstance(value, dict) and "type" in value and value["type"] != "object":
            found = show(value["type"])
            message = f"message headers must have type 'object', found {found}"
            self.error(message, (pointer, "type"))

    def visit_security_scheme(
        self, value: Any, shape: SecurityScheme, pointer: Where, label: Label
    ) -> None:
        if not isinstance(value, dict):
            self.wrong_kind(label, "a mapping", value, pointer)
            return
        if "type" not in value:
            self.error(
                "missing required field 'type' in security scheme object", pointer
            )
            return
        kind = value["type"]
        child = (pointer, "type")
        entry = SECURITY_SCHEMES.get(kind) if isinstance(kind, str) else None
        if entry is None or entry[0] > self.minor:
            self.report_scheme_type(kind, child)
            return
        table = entry[1]
        if kind == "http" and value.get("scheme") == "bearer":
            table = HTTP_BEARER
        self.check_fields(value, table, pointer)

    def report_scheme_type(self, kind: Any, pointer: Where) -> None:
        if not isinstance(kind, str):
            self.wrong_kind("'type'", "a string", kind, pointer)
            return
        allowed = [
            n for n, (since, _) in SECURITY_SCHEMES.items() if since <= self.minor
        ]
        entry = SECURITY_SCHEMES.get(kind)
        hint: str | None
        if entry is not None:
            hint = f"'{kind}' needs asyncapi 2.{entry[0]}.0 or later"
        else:
            near = closest(kind, allowed, cutoff=0.6)
            hint = f"did you mean '{near}'?" if near else None
        names = ", ".join(f"'{n}'" for n in allowed)
        message = f"security scheme 'type' must be one of {names}, found {quote(kind)}"
        self.error(message, pointer, hint)
