"""Shapes: the small vocabulary the structure tables are written in.

A shape says what one value of the document must look like; the walker in walk.py reads them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# AsyncAPI 2.x, Specification Extensions: the official schemas accept keys matching this.
EXTENSION = re.compile(r"^x-[\w\d\.\x2d_]+$")


class Shape:
    """Base of every shape; carries nothing."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Anything(Shape):
    """Any value at all."""


@dataclass(frozen=True, slots=True)
class Kind(Shape):
    """A value of one JSON kind: see walk.KIND_CHECKS for the names."""

    kind: str


@dataclass(frozen=True, slots=True)
class Choice(Shape):
    """A string from a fixed set."""

    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Matching(Shape):
    """A string in which `pattern` is found (JSON Schema `pattern` semantics)."""

    pattern: re.Pattern[str]
    expected: str


@dataclass(frozen=True, slots=True)
class ListOf(Shape):
    """A list whose items all have one shape."""

    item: Shape
    unique: bool = False
    min_items: int = 0


@dataclass(frozen=True, slots=True)
class MapOf(Shape):
    """A mapping from free names to values of one shape; `noun` names one entry."""

    value: Shape
    noun: str
    nonempty_names: bool = False
    component_names: bool = False


@dataclass(frozen=True, slots=True)
class Field:
    """One fixed field of an object, known from AsyncAPI 2.`since`.0 on."""

    shape: Shape
    since: int = 0


@dataclass(frozen=True, slots=True)
class Obj(Shape):
    """An object with fixed fields.

    `closed` objects warn about unknown fields (the official schemas reject them); keys matching
    `extensions` are specification extensions and always silent.
    """

    name: str
    fields: Mapping[str, Field]
    required: tuple[str, ...] = ()
    extensions: re.Pattern[str] | None = EXTENSION
    closed: bool = True
    any_required: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RefOr(Shape):
    """A Reference Object (from AsyncAPI 2.`since`.0 on) or a value of `shape`."""

    shape: Shape
    since: int = 0


@dataclass(frozen=True, slots=True)
class ByVersion(Shape):
    """The shape of the latest entry whose first minor version is not above the document's."""

    options: tuple[tuple[int, Shape], ...]


@dataclass(frozen=True, slots=True)
class ByKind(Shape):
    """A value whose shape depends on its JSON kind; other kinds are wrong."""

    options: tuple[tuple[str, Shape], ...]
    expected: str


@dataclass(frozen=True, slots=True)
class Schema(Shape):
    """A Schema Object: `asyncapi` (draft-07 plus AsyncAPI keywords) or `draft-07` mode."""

    mode: str


@dataclass(frozen=True, slots=True)
class OpenapiSchema(Shape):
    """An OpenAPI 3.0 Schema Object or Reference Object (payloads in that format)."""


@dataclass(frozen=True, slots=True)
class AvroSchema(Shape):
    """An Avro 1.9 schema (payloads in that format)."""


@dataclass(frozen=True, slots=True)
class AvroField(Shape):
    """One field of an Avro record."""


@dataclass(frozen=True, slots=True)
class Message(Shape):
    """A Message Object, a `oneOf` list of messages, or a Reference Object."""


@dataclass(frozen=True, slots=True)
class Headers(Shape):
    """Message headers: a schema whose `type`, when given, is 'object'."""


@dataclass(frozen=True, slots=True)
class SecurityScheme(Shape):
    """A Security Scheme Object, chosen by its `type`."""
