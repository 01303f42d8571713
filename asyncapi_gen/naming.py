"""Naming rules: turn document names into valid, distinct, stable Python names.

Every emitted name is decided through these functions, called from build.py only.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

# Names the generated modules use unqualified, or that would shadow what a class body needs.
_RESERVED_CLASS = frozenset(
    {*keyword.kwlist, *keyword.softkwlist, *dir(builtins), "Enum", "Any", "JsonValue"}
)
# A field named like a builtin type would shadow it in the class namespace that
# `typing.get_type_hints` reads; a field named like our API would replace the method.
MODEL_API = frozenset(
    {
        "from_dict",
        "to_dict",
        "from_json",
        "to_json",
        "validate",
        "additional_properties",
    }
)
_RESERVED_FIELD = frozenset({*keyword.kwlist, *dir(builtins), *MODEL_API})

_SPLIT = re.compile(r"[^0-9A-Za-z\u0080-\U0010ffff]+")
_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL = re.compile(r"([a-z\u00df-\u00ff])([A-Z])")


def _identifier_chars(text: str) -> str:
    """Normalise like the Python parser does (NFKC) and replace non-identifier characters."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c if ("_" + c).isidentifier() else " " for c in text)


def words(text: str) -> list[str]:
    """Split a document name into words at punctuation and camelCase humps."""
    text = _identifier_chars(text).replace("_", " ")
    text = _ACRONYM.sub(r"\1 \2", text)
    text = _CAMEL.sub(r"\1 \2", text)
    return [w for w in _SPLIT.split(text) if w]


def pascal(text: str) -> str:
    """`customer/created` -> `CustomerCreated`; keeps inner capitals (`EventV2Id`)."""
    return "".join(w[0].upper() + w[1:] for w in words(text))


def snake(text: str) -> str:
    """`customerType` -> `customer_type`, `X-Correlation-ID` -> `x_correlation_id`."""
    return "_".join(w.lower() for w in words(text))


def class_name(text: str, fallback: str = "Model") -> str:
    """A valid class name for a document name; keywords and builtins get a trailing `_`."""
    name = pascal(text) or fallback
    # A first character that may only continue a name (a digit, U+00B7, a combining mark).
    if not name[0].isidentifier():
        name = f"{fallback}{name}"
    if name in _RESERVED_CLASS:
        name += "_"
    return name


def field_name(text: str) -> str:
    """A valid attribute name for a property; never one of the model's own methods."""
    name = snake(text)
    if not name:
        return "field_"
    if not name[0].isidentifier():
        name = f"field_{name}"
    if name in _RESERVED_FIELD or name.startswith("__"):
        name += "_"
    return name


def function_name(text: str, fallback: str = "op") -> str:
    """A valid snake_case function or parameter name."""
    name = snake(text) or fallback
    if not name[0].isidentifier():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or name in dir(builtins):
        name += "_"
    return name


def enum_member_name(value: object) -> str:
    """An UPPER_SNAKE member name for an enum value (`'in-progress'` -> `IN_PROGRESS`)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        text = str(value).replace("-", "MINUS_").replace(".", "_").replace("+", "")
        return f"VALUE_{text.upper()}"
    name = "_".join(w.upper() for w in words(str(value)))
    if not name:
        return "EMPTY"
    if not name[0].isidentifier():
        name = f"VALUE_{name}"
    # Upper case keeps clear of `mro`, `name`, `value` and every keyword; the word split
    # drops the underscores that would make `_sunder_` or `__dunder__` names.
    return name


class NameTable:
    """Hands out distinct names in one namespace; a taken name gets `2`, `3`... appended."""

    def __init__(self, taken: frozenset[str] = frozenset(), sep: str = "") -> None:
        self.taken = set(taken)
        self.sep = sep

    def claim(self, name: str) -> str:
        candidate = name
        number = 2
        while candidate in self.taken:
            candidate = f"{name}{self.sep}{number}"
            number += 1
        self.taken.add(candidate)
        return candidate
