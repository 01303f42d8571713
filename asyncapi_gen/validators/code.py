"""Code text for the validator compiler: literals, names, tests and their negations, tidying.

Everything here takes and returns plain strings; nothing reads a schema.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from ..resolve import Node

_TYPE_NAMES = (
    ("null", "null"),
    ("boolean", "boolean"),
    ("object", "object"),
    ("array", "array"),
    ("string", "string"),
)


def any_of(tests: list[str]) -> str:
    if len(tests) == 1:
        return tests[0]
    return " or ".join(parenthesized(t, also_and=True) for t in tests)


_SIMPLE_TESTS = (
    (re.compile(r"(\w+) in (\w+)"), r"\1 not in \2"),
    (re.compile(r"(\w+) == (.+)"), r"\1 != \2"),
    (re.compile(r"(\S+) is (None|True|False)"), r"\1 is not \2"),
    (re.compile(r"(\S+) is not (None|True|False)"), r"\1 is \2"),
    (re.compile(r"(\S+) > (\S+)"), r"\1 <= \2"),
    (re.compile(r"(\S+) < (\S+)"), r"\1 >= \2"),
    (re.compile(r"(\S+) >= (\S+)"), r"\1 < \2"),
    (re.compile(r"(\S+) <= (\S+)"), r"\1 > \2"),
    (re.compile(r"type\((\w+)\) is (\w+)"), r"type(\1) is not \2"),
    (re.compile(r"type\((\w+)\) in (\([\w, ]+\))"), r"type(\1) not in \2"),
)


def negate(test: str) -> str:
    """The negation of a generated test, written plainly where the test is one comparison."""
    for pattern, replacement in _SIMPLE_TESTS:
        if pattern.fullmatch(test) and " or " not in test and " and " not in test:
            return pattern.sub(replacement, test)
    if test.startswith("not ") and " or " not in test and " and " not in test:
        return test[4:]
    if test.startswith("not (") and one_group(test[4:]):
        return test[5:-1]
    if one_group(test):
        return f"not {test}"
    return f"not ({test})"


def parenthesized(test: str, also_and: bool = False) -> str:
    """`test` wrapped when it could bind wrongly inside `and` (or inside `or`)."""
    loose = " or " in test or (also_and and " and " in test)
    return f"({test})" if loose and not one_group(test) else test


def one_group(test: str) -> bool:
    """Whether `test` is wrapped whole in one pair of parentheses."""
    if not (test.startswith("(") and test.endswith(")")):
        return False
    depth = 0
    index = 0
    while index < len(test):
        char = test[index]
        if char in "'\"":
            # Skip a string literal (written by repr): its parentheses are text.
            index = _literal_end(test, index)
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and index < len(test) - 1:
            return False
        index += 1
    return True


def _literal_end(text: str, start: int) -> int:
    """The index just after the string literal opening at `start`."""
    quote = text[start]
    index = start + 1
    while index < len(text) and text[index] != quote:
        index += 2 if text[index] == "\\" else 1
    return index + 1


_ASSIGNED = re.compile(r"(v\d+) = .*")
_LOCAL_NAME = re.compile(r"\bv\d+\b")
_LOOP = re.compile(r"for (?:(\w+), )?(\w+) in (.+)\.items\(\):|for (\w+) in (.+):")


def prune(lines: list[str]) -> list[str]:
    """Drop locals nobody reads and blocks left empty; loop names nobody reads become `_`.

    Each local is assigned once (names are fresh), so one whole-body count per pass tells
    which are never read; passes repeat until nothing changes (linear per pass).
    """
    changed = True
    while changed:
        changed = False
        uses = Counter(_LOCAL_NAME.findall("\n".join(lines)))
        out: list[str] = []
        for index, line in enumerate(lines):
            stripped = line.lstrip()
            indent = len(line) - len(stripped)
            assigned = _ASSIGNED.fullmatch(stripped)
            if assigned and uses[assigned.group(1)] == 1:
                changed = True
                continue
            following = lines[index + 1] if index + 1 < len(lines) else ""
            deeper = len(following) - len(following.lstrip()) > indent
            if stripped.endswith(":") and stripped.startswith(("if ", "for ", "else:")):
                if not deeper and not following.strip().startswith("else:"):
                    changed = True
                    continue
            out.append(line)
        lines = out
    for index, line in enumerate(lines):
        if line.lstrip().startswith("for "):
            indent = len(line) - len(line.lstrip())
            renamed = _rename_unused_loop(line, lines[index + 1 :], indent)
            lines[index] = _rename_unused_loop(renamed, lines[index + 1 :], indent)
    return lines


def _rename_unused_loop(line: str, rest: list[str], indent: int) -> str:
    stripped = line.lstrip()
    if not stripped.startswith("for "):
        return line
    body = []
    for following in rest:
        if len(following) - len(following.lstrip()) <= indent:
            break
        body.append(following)
    text = "\n".join(body)
    match = _LOOP.fullmatch(stripped)
    if match is None:
        return line
    if match.group(2) and not re.search(rf"\b{match.group(2)}\b", text):
        key = match.group(1)
        return line[:indent] + f"for {key} in {match.group(3)}:"
    key = match.group(1)
    if key and not re.search(rf"\b{key}\b", text):
        return line[:indent] + f"for {match.group(2)} in {match.group(3)}.values():"
    name = match.group(4)
    if name and not name.startswith("_") and not re.search(rf"\b{name}\b", text):
        return line.replace(f"for {name} in", "for _ in", 1)
    return line


def merge_fails(lines: list[str]) -> list[str]:
    """Join runs of `if A: return False` at one indentation into `if A or B: return False`."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if not (
            stripped.startswith("if ")
            and index + 1 < len(lines)
            and lines[index + 1] == indent + "    return False"
        ):
            out.append(line)
            index += 1
            continue
        tests = []
        while (
            index + 1 < len(lines)
            and lines[index].startswith(indent + "if ")
            and lines[index + 1] == indent + "    return False"
        ):
            test = lines[index][len(indent) + 3 : -1]
            tests.append(test)
            index += 2
        joined = any_of(tests)
        out.append(f"{indent}if {joined}:")
        out.append(f"{indent}    return False")
    return out


def may_be(known: frozenset[str] | None, atom: str) -> bool:
    return known is None or atom in known


def type_test(atoms: frozenset[str], var: str) -> str:
    """Whether `var` has one of the JSON types in `atoms` (exact types: bool is no number)."""
    tests = [f"{var} is None"] if "null" in atoms else []
    exact = [
        python
        for atom, python in (
            ("boolean", "bool"),
            ("object", "dict"),
            ("array", "list"),
            ("string", "str"),
        )
        if atom in atoms
    ]
    if "int" in atoms and "frac" in atoms:
        exact += ["int", "float"]
    if len(exact) == 1:
        tests.append(f"type({var}) is {exact[0]}")
    elif exact:
        tests.append(f"type({var}) in ({', '.join(exact)})")
    if "int" in atoms and "frac" not in atoms:
        tests.append(
            f"type({var}) is int or (type({var}) is float and {var}.is_integer())"
        )
    elif "frac" in atoms and "int" not in atoms:
        tests.append(f"(type({var}) is float and not {var}.is_integer())")
    return " or ".join(tests) or "False"


def type_list(atoms: frozenset[str]) -> str:
    names = [name for atom, name in _TYPE_NAMES if atom in atoms]
    if "int" in atoms and "frac" in atoms:
        names.append("number")
    elif "int" in atoms:
        names.append("integer")
    return " or ".join(repr(n) for n in names) or "nothing (no type is allowed)"


def show_value(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:
        return "<large number>"
    return text if len(text) <= 200 else text[:97] + " ... " + text[-97:]


def literal(value: Any) -> str:
    """Python source for a JSON value: exact, and never more than a few levels deep."""
    if isinstance(value, float):
        if value != value:
            return 'float("nan")'
        if value in (float("inf"), float("-inf")):
            return 'float("inf")' if value > 0 else 'float("-inf")'
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return repr(value)
        except ValueError:
            return hex(value)
    if isinstance(value, (list, dict)):
        if _depth(value) > 16:
            text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
            return f"json.loads({text!r})"
        if isinstance(value, list):
            return "[" + ", ".join(literal(v) for v in value) + "]"
        return "{" + ", ".join(f"{k!r}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _depth(value: Any) -> int:
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, (list, dict)))
    return deepest


def frozenset_literal(names: list[str]) -> str:
    return f"frozenset(({', '.join(repr(n) for n in names)},))"


def slug(pointer: str) -> str:
    """A readable name stem from the last meaningful tokens of a pointer."""
    skip = {
        "properties",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "definitions",
        "$defs",
        "components",
        "schemas",
        "payload",
        "messages",
    }
    tokens = [
        t
        for t in pointer.lstrip("#").split("/")
        if t and t not in skip and not t.isdigit()
    ]
    words = "_".join(tokens[-2:])
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words)
    words = re.sub(r"[^0-9a-zA-Z]+", "_", words).strip("_").lower()
    words = words.encode("ascii", "ignore").decode() or "schema"
    return words[:40].rstrip("_") or "schema"


def comment(node: Node) -> str:
    """Where the schema stands, as a comment line safe for any key text."""
    name = node.document.path.name
    text = f"{name}{node.pointer}"
    return "".join(
        (
            c
            if c.isprintable() and c.isascii()
            else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}"
        )
        for c in text
    )[:200]
