"""Intermediate model: what the emitters render, with every name already decided.

Built by build.py from the resolved document; nothing here refers to raw document values.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .validators import ValidatorSet


class Kind(enum.Enum):
    """The shape of a Python type that a field or payload takes."""

    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    NONE = "none"
    JSON = "json"  # any JSON value
    DATETIME = "datetime"
    DATE = "date"
    LITERAL = "literal"
    MODEL = "model"
    ENUM = "enum"
    LIST = "list"
    DICT = "dict"
    UNION = "union"


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A Python type: a leaf, a named class, or a container of other TypeRefs.

    For a UNION, `checks` holds one validator name per member, in order: decoding picks the
    first member whose `is_valid_<check>` accepts the value (the payload is validated first, so
    for `oneOf` exactly one does). `tags` maps a discriminator value to a member index.
    """

    kind: Kind
    name: str = ""
    args: tuple[TypeRef, ...] = ()
    literal: str = ""  # LITERAL: the Python literal text (already escaped)
    checks: tuple[str, ...] = ()
    tag_field: str = ""  # UNION with a discriminator: its wire name
    tags: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a model: Python name, wire name, type, and whether it may be absent."""

    name: str
    wire_name: str
    type: TypeRef
    required: bool
    nullable: bool
    description: str = ""
    default: str = ""  # Python literal of the schema default, "" when none


@dataclass(frozen=True, slots=True)
class EnumMember:
    name: str
    value: str  # Python literal of the wire value


@dataclass(frozen=True, slots=True)
class Model:
    """A generated class: a dataclass for an object schema, or an Enum.

    `extra` is the type of values kept for keys that are not declared properties (None when
    `additionalProperties: false` forbids them).
    """

    name: str
    pointer: str
    kind: str  # "dataclass" | "enum"
    description: str = ""
    fields: tuple[Field, ...] = ()
    extra: TypeRef | None = None
    extra_name: str = "additional_properties"
    members: tuple[EnumMember, ...] = ()
    validator: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """A uniform lookup entry: a component schema or a message and how to handle its value."""

    key: str  # the document's name, as written
    type: TypeRef
    validator: str
    description: str = ""
    # Messages only: the headers' type and validator, when the message declares headers.
    headers: TypeRef | None = None
    headers_validator: str = ""


@dataclass(frozen=True, slots=True)
class Parameter:
    """A channel parameter: one topic level, decoded to `type` and checked by `validator`."""

    name: str
    wire_name: str
    type: TypeRef
    validator: str
    samples: tuple[str, ...] = ()  # candidate sample values as JSON text, best first


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message an operation carries: its lookup key and the payload type."""

    key: str
    name: str
    payload: TypeRef
    validator: str
    headers: TypeRef | None = None
    headers_validator: str = ""
    content_type: str = ""
    # Candidate samples as JSON text, best first: document examples, then synthesised.
    samples: tuple[str, ...] = ()
    header_samples: tuple[str, ...] = ()
    # Where the correlation id is: ("header" | "payload", JSON pointer), or ("", "").
    correlation_id: tuple[str, str] = ("", "")


@dataclass(frozen=True, slots=True)
class Route:
    """The router's entry for one operation."""

    operation_id: str
    name: str  # snake_case Python name of the operation
    address: str  # the channel name as written, e.g. "user/{userId}/signup"
    direction: str  # "receive" | "send"
    pattern: str  # Python regex literal text matching a concrete address
    parameters: tuple[Parameter, ...]
    messages: tuple[MessageRef, ...]
    payload: TypeRef
    summary: str = ""
    params_class: str = ""
    # The address cut at its parameters: ("literal", text) or ("param", Python name).
    segments: tuple[tuple[str, str], ...] = ()
    subscription: str = ""  # MQTT-style filter: each parameter level becomes `+`


@dataclass(frozen=True, slots=True)
class Server:
    name: str
    url: str
    protocol: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Api:
    """Everything the emitters need for one generated package."""

    title: str
    version: str
    description: str
    package_name: str
    source_name: str
    models: tuple[Model, ...]
    schemas: tuple[Entry, ...]
    messages: tuple[Entry, ...]
    routes: tuple[Route, ...]
    servers: tuple[Server, ...]
    validators: ValidatorSet
    distribution_version: str = "0.0.0"
    exports: tuple[str, ...] = field(default_factory=tuple)
