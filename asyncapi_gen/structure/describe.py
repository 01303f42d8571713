"""Words for values in messages: kinds, quoting, near misses, places and labels.

Also JSON equality as a text key, for uniqueness checks.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Iterable
from typing import Any

from ..load import escape_token

# Where a value stands, built lazily: "#" for the root, else (parent, key or index).
# Labels name a value in messages, also lazily: a text, ("field", name), ("entry", noun,
# name) or ("item", index, label). Both become text only when a diagnostic needs them.
Where = str | tuple[Any, str | int]
Label = str | tuple[Any, ...]


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_integer(value: object) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


def kind_of(value: object) -> str:
    """Name the JSON kind of a value for messages ('a string', 'a list', 'null')."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a value"


def quote(text: str) -> str:
    """Quote a user's text for a message, escaping what would not print."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return f"'{shown}'"


def show(value: object) -> str:
    """Show a found value: strings quoted, numbers as written, anything else by kind."""
    if isinstance(value, str):
        return quote(value)
    if is_number(value):
        return repr(value)
    return kind_of(value)


def closest(word: str, choices: Iterable[str], cutoff: float = 0.75) -> str | None:
    """Return the choice that `word` most likely misspells, if any is close enough."""
    options = list(choices)
    for option in options:
        if option.lower() == word.lower():
            return option
    found = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    return found[0] if found else None


def pointer_of(where: Where) -> str:
    """Spell a place as a JSON pointer with a leading '#'."""
    tokens: list[str] = []
    while isinstance(where, tuple):
        where, token = where
        tokens.append(escape_token(str(token)))
    return "/".join([where, *reversed(tokens)])


def label_text(label: Label) -> str:
    """Spell a label for a message: "'url'", "server 'prod'", "item 0 of 'tags'"."""
    prefix = ""
    while isinstance(label, tuple) and label[0] == "item":
        prefix += f"item {label[1]} of "
        label = label[2]
    if isinstance(label, tuple) and label[0] == "field":
        return f"{prefix}{quote(label[1])}"
    if isinstance(label, tuple):
        return f"{prefix}{label[1]} {quote(label[2])}"
    return prefix + label


def json_key(value: object) -> str:
    """Return a text equal for two values exactly when JSON says they are equal."""
    parts: list[str] = []
    todo: list[tuple[bool, Any]] = [(False, value)]
    while todo:
        literal, item = todo.pop()
        if literal:
            parts.append(item)
        elif isinstance(item, dict):
            todo.append((True, "},"))
            for key in sorted(item, reverse=True):
                todo.append((False, item[key]))
                todo.append((True, repr(key) + ":"))
            todo.append((True, "{"))
        elif isinstance(item, list):
            todo.append((True, "],"))
            todo.extend((False, element) for element in reversed(item))
            todo.append((True, "["))
        else:
            parts.append(_scalar_key(item) + ",")
    return "".join(parts)


def _scalar_key(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float) and math.isnan(value):
        return f"nan{next(_NAN_KEYS)}"  # NaN equals nothing, not even another NaN
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return repr(int(value))
    return repr(value)


_NAN_KEYS = itertools.count()
