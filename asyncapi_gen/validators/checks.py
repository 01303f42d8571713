"""Read draft-07 schema keywords into checks: the vocabulary both code emitters share.

`type` becomes a set of atoms, so that `allOf` branches can be intersected: "integer" is the
atom `int` (numbers with no fractional part), "number" is `int` plus `frac`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..resolve import Node

ALL_ATOMS = frozenset({"null", "boolean", "object", "array", "string", "int", "frac"})
_TYPE_ATOMS = {
    "null": {"null"},
    "boolean": {"boolean"},
    "object": {"object"},
    "array": {"array"},
    "string": {"string"},
    "integer": {"int"},
    "number": {"int", "frac"},
}
# The atoms each group of keywords applies to (draft-07 6.2 to 6.5).
GROUP_ATOMS = {
    "number": frozenset({"int", "frac"}),
    "string": frozenset({"string"}),
    "array": frozenset({"array"}),
    "object": frozenset({"object"}),
}
_NUMBER_KEYWORDS = (
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
)
_STRING_KEYWORDS = (
    "maxLength",
    "minLength",
    "pattern",
    "format",
    "contentEncoding",
    "contentMediaType",
)
_ARRAY_KEYWORDS = (
    "items",
    "additionalItems",
    "maxItems",
    "minItems",
    "uniqueItems",
    "contains",
)
_OBJECT_KEYWORDS = (
    "maxProperties",
    "minProperties",
    "required",
    "properties",
    "patternProperties",
    "additionalProperties",
    "dependencies",
    "propertyNames",
)


def type_atoms(value: dict[str, Any]) -> frozenset[str] | None:
    """The atoms `type` allows (None: no constraint); `nullable: true` adds null.

    `nullable` is the OpenAPI keyword some AsyncAPI documents carry; it only widens a `type`.
    """
    declared = value.get("type")
    if isinstance(declared, str):
        names = [declared]
    elif isinstance(declared, list) and all(isinstance(n, str) for n in declared):
        names = declared
    else:
        return None
    atoms: set[str] = set()
    for name in names:
        atoms |= _TYPE_ATOMS.get(name, set())
    if value.get("nullable") is True:
        atoms.add("null")
    return frozenset(atoms)


def is_number(value: object) -> bool:
    """Whether a keyword value is a JSON number (booleans are not)."""
    return type(value) is int or type(value) is float


def is_count(value: object) -> bool:
    """Whether a keyword value is a non-negative integer, as the count keywords need."""
    if type(value) is float and value.is_integer():
        return value >= 0
    return type(value) is int and value >= 0


@dataclass(slots=True)
class Conjunction:
    """What a value must satisfy: the facets of one schema with its inlined `allOf` branches."""

    facets: list[Node] = field(default_factory=list)
    calls: list[Node] = field(default_factory=list)
    never: bool = False
    atoms: frozenset[str] | None = None
    required: list[str] = field(default_factory=list)

    def add_type(self, atoms: frozenset[str] | None) -> None:
        if atoms is None:
            return
        self.atoms = atoms if self.atoms is None else self.atoms & atoms

    def groups(self) -> list[str]:
        """The keyword groups any facet uses, in a fixed order."""
        used = []
        for group, keywords in (
            ("object", _OBJECT_KEYWORDS),
            ("array", _ARRAY_KEYWORDS),
            ("string", _STRING_KEYWORDS),
            ("number", _NUMBER_KEYWORDS),
        ):
            if any(key in facet.value for facet in self.facets for key in keywords):
                used.append(group)
        return used
