"""Emit the checks of one validator function, keyword by keyword, in one of three modes.

"valid" writes statements that return False at the first failure, "errors" writes statements
that report each failure with its JSON pointer, "expr" collects the failure conditions of a
schema simple enough to be one expression.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..resolve import Node
from .checks import GROUP_ATOMS, Conjunction, is_count, is_number, type_atoms
from .code import (
    any_of,
    frozenset_literal,
    literal,
    may_be,
    negate,
    parenthesized,
    show_value,
    type_list,
    type_test,
)

if TYPE_CHECKING:
    from .compile import Compiler


# Indentation levels a function body may reach before a subschema gets a function of its own
# (Python allows 20 nested blocks and about 100 indents).
MAX_LEVEL = 10
# Schemas reached through a reference are inlined up to this many subschemas.
INLINE_SIZE = 12
MAX_FACETS = 64


@dataclass(frozen=True, slots=True)
class Ctx:
    """What is known about the value a block checks."""

    known: frozenset[str] | None
    present: frozenset[str]
    level: int
    chain: tuple[str, ...]


class Body:
    """Lines of one function body, with fresh local names."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.counter = 0

    def add(self, level: int, text: str) -> None:
        self.lines.append("    " * level + text)

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"


class Emitter:
    """Writes the checks of one function in one mode ("valid" or "errors")."""

    def __init__(self, compiler: Compiler, mode: str, body: Body) -> None:
        self.c = compiler
        self.mode = mode
        self.body = body
        self.errors = mode == "errors"
        # Expression mode: fail conditions, each under the type guards open at that point.
        self.conditions: list[str] = []
        self.guards: list[str] = []

    # Failing

    def fail(self, level: int, path: str, keyword: str, message: str) -> None:
        if self.mode == "expr":
            self.conditions.append(" and ".join(self.guards) or "True")
        elif self.errors:
            self.body.add(
                level,
                f"report(e, f, {path}, {keyword!r}, {message})",
            )
        else:
            self.body.add(level, "return False")

    def check(
        self, level: int, condition: str, path: str, keyword: str, message: str
    ) -> None:
        if self.mode == "expr":
            if self.guards:
                parts = [*self.guards, parenthesized(condition)]
                condition = " and ".join(parts)
            self.conditions.append(condition)
            return
        self.body.add(level, f"if {condition}:")
        self.fail(level + 1, path, keyword, message)

    def text(self, value: str) -> str:
        """A string literal; long ones become module constants."""
        if len(value) > 60:
            return self.c.constant("M", repr(value))
        return repr(value)

    def shown(self, var: str, suffix: str) -> str:
        if not self.errors:
            return ""
        return f"show({var}) + {self.text(suffix)}"

    # Schemas

    def schema(
        self, node: Node, var: str, path: str, ctx: Ctx, followed: bool = False
    ) -> None:
        """Check `var` against the schema at `node` (a reference is followed first)."""
        target = node if followed else self.c.follow(node)
        if target is None:
            self.fail(ctx.level, path, "$ref", repr("reference cannot be followed"))
            return
        if target.value is True or (
            isinstance(target.value, dict) and not target.value
        ):
            return
        if target.value is False or not isinstance(target.value, dict):
            self.fail(
                ctx.level,
                path,
                "false",
                self.shown(var, " is not allowed (false schema)"),
            )
            return
        inline = followed or self.inlinable(node, target, ctx)
        if not inline:
            self.call_check(target, var, path, ctx.level)
            return
        conj = self.conjunction(target, ctx)
        self.conjunction_checks(
            conj,
            var,
            path,
            Ctx(ctx.known, ctx.present, ctx.level, ctx.chain + (target.uri,)),
        )

    def inlinable(self, node: Node, target: Node, ctx: Ctx) -> bool:
        if ctx.level >= MAX_LEVEL or target.uri in ctx.chain:
            return False
        if node.is_ref():
            # Error functions are the slow path: a referenced schema is called, not copied.
            graph = self.c.graph
            return (
                not self.errors
                and target.uri not in graph.recursive
                and graph.size(target.uri, INLINE_SIZE) <= INLINE_SIZE
            )
        return True

    def call_check(self, target: Node, var: str, path: str, level: int) -> None:
        if self.errors:
            self.body.add(level, self.c.call("errors", target, f"{var}, {path}, e, f"))
        else:
            self.check(level, f"not {self.c.call('valid', target, var)}", path, "", "")

    def conjunction(self, target: Node, ctx: Ctx) -> Conjunction:
        """Gather `target` and the `allOf` branches that can be inlined into one conjunction."""
        conj = Conjunction()
        pending = [target]
        seen = set(ctx.chain)
        while pending:
            facet = pending.pop(0)
            conj.facets.append(facet)
            value = facet.value
            conj.add_type(type_atoms(value))
            required = value.get("required")
            if isinstance(required, list):
                conj.required.extend(
                    r for r in required if isinstance(r, str) and r not in conj.required
                )
            members = value.get("allOf")
            if not isinstance(members, list):
                continue
            branches = facet.child("allOf")
            for index in range(len(members)):
                self.add_branch(conj, branches.child(index), ctx, seen, pending)
        return conj

    def add_branch(
        self,
        conj: Conjunction,
        branch: Node,
        ctx: Ctx,
        seen: set[str],
        pending: list[Node],
    ) -> None:
        target = self.c.follow(branch)
        if target is None:
            conj.never = True
        elif target.value is False:
            conj.never = True
        elif not isinstance(target.value, dict) or not target.value:
            return
        elif (
            target.uri not in seen
            and len(conj.facets) + len(pending) < MAX_FACETS
            and self.inlinable(branch, target, ctx)
        ):
            seen.add(target.uri)
            pending.append(target)
        else:
            conj.calls.append(target)

    def conjunction_checks(
        self, conj: Conjunction, var: str, path: str, ctx: Ctx
    ) -> None:
        level = ctx.level
        if conj.never:
            self.fail(
                level, path, "false", self.shown(var, " is not allowed (false schema)")
            )
            return
        atoms = conj.atoms
        known = ctx.known
        if atoms is not None:
            allowed = atoms if known is None else atoms & known
            if known is None or not known <= atoms:
                message = self.shown(var, f" is not of type {type_list(atoms)}")
                self.check(
                    level,
                    negate(type_test(allowed, var)),
                    path,
                    "type",
                    message,
                )
                if self.errors:
                    self.body.add(level, "else:")
                    level += 1
            known = allowed
        inner = Ctx(known, ctx.present, level, ctx.chain)
        start = len(self.body.lines)
        self.generic(conj, var, path, inner)
        for group in conj.groups():
            if known is not None and not known & GROUP_ATOMS[group]:
                continue
            self.group(group, conj, var, path, inner)
        if self.errors and level > ctx.level and len(self.body.lines) == start:
            self.body.lines.pop()  # the `else:` opened for checks that turned out vacuous

    def group(
        self, group: str, conj: Conjunction, var: str, path: str, ctx: Ctx
    ) -> None:
        atoms = GROUP_ATOMS[group]
        level = ctx.level
        known = ctx.known
        guarded = known is None or not known <= atoms
        if guarded:
            self.body.add(level, f"if {type_test(atoms, var)}:")
            level += 1
        inner = Ctx(
            atoms if known is None else known & atoms, ctx.present, level, ctx.chain
        )
        start = len(self.body.lines)
        getattr(self, f"{group}_checks")(conj, var, path, inner)
        if guarded and len(self.body.lines) == start:
            self.body.lines.pop()

    # Keywords of any type

    def generic(self, conj: Conjunction, var: str, path: str, ctx: Ctx) -> None:
        level = ctx.level
        for facet in conj.facets:
            value = facet.value
            if "enum" in value and isinstance(value["enum"], list):
                condition = self.members_test(value["enum"], var, ctx.known)
                message = self.shown(var, f" is not one of {show_value(value['enum'])}")
                self.check(level, negate(condition), path, "enum", message)
            if "const" in value:
                condition = self.members_test([value["const"]], var, ctx.known)
                message = self.shown(
                    var, f" is not the constant {show_value(value['const'])}"
                )
                self.check(level, negate(condition), path, "const", message)
            self.combinators(facet, var, path, ctx)
        for target in conj.calls:
            self.call_check(target, var, path, level)

    def combinators(self, facet: Node, var: str, path: str, ctx: Ctx) -> None:
        value = facet.value
        level = ctx.level
        if "not" in value:
            condition = self.expr(facet.child("not"), var, ctx)
            self.check(
                level,
                condition,
                path,
                "not",
                self.shown(var, " must not match the 'not' schema"),
            )
        for keyword in ("anyOf", "oneOf"):
            if isinstance(value.get(keyword), list) and value[keyword]:
                branches = facet.child(keyword)
                tests = [
                    self.expr(branches.child(i), var, ctx)
                    for i in range(len(value[keyword]))
                ]
                if keyword == "anyOf":
                    message = self.shown(
                        var, " does not match any of the 'anyOf' schemas"
                    )
                    self.check(level, negate(any_of(tests)), path, keyword, message)
                else:
                    self.one_of(tests, var, path, level)
        if "if" in value and ("then" in value or "else" in value):
            condition = self.expr(facet.child("if"), var, ctx)
            for keyword, test in (("then", condition), ("else", negate(condition))):
                if keyword in value:
                    self.body.add(level, f"if {test}:")
                    start = len(self.body.lines)
                    inner = Ctx(ctx.known, ctx.present, level + 1, ctx.chain)
                    self.schema(facet.child(keyword), var, path, inner)
                    if len(self.body.lines) == start:
                        self.body.lines.pop()

    def one_of(self, tests: list[str], var: str, path: str, level: int) -> None:
        if len(tests) == 1:
            message = self.shown(var, " does not match the 'oneOf' schema")
            self.check(level, negate(tests[0]), path, "oneOf", message)
            return
        count = self.body.fresh("n")
        self.body.add(level, f"{count} = " + " + ".join(f"({t})" for t in tests))
        if self.errors:
            none = self.shown(var, " does not match any of the 'oneOf' schemas")
            many = self.shown(var, " matches more than one of the 'oneOf' schemas")
            self.check(level, f"{count} == 0", path, "oneOf", none)
            self.check(level, f"{count} > 1", path, "oneOf", many)
        else:
            self.check(level, f"{count} != 1", path, "oneOf", "")

    def expr(self, node: Node, var: str, ctx: Ctx) -> str:
        """A bool expression: whether `var` is valid against the schema at `node`."""
        target = self.c.follow(node)
        if target is None:
            return "False"
        if target.value is True or (
            isinstance(target.value, dict) and not target.value
        ):
            return "True"
        if not isinstance(target.value, dict):
            return "False"
        simple = (
            _simple_expression(self, target, var, ctx)
            if self.inlinable(node, target, ctx)
            else None
        )
        if simple is not None:
            return simple
        return self.c.call("valid", target, var)

    def members_test(
        self, members: list[Any], var: str, known: frozenset[str] | None
    ) -> str:
        """Whether `var` equals one of `members` as JSON (true is not 1, 1 is 1.0)."""
        strings = [m for m in members if type(m) is str]
        numbers = [m for m in members if is_number(m)]
        others = [m for m in members if isinstance(m, (list, dict))]
        tests = []
        if None in members and may_be(known, "null"):
            tests.append(f"{var} is None")
        for flag in (True, False):
            if any(m is flag for m in members) and may_be(known, "boolean"):
                tests.append(f"{var} is {flag}")
        if strings and may_be(known, "string"):
            tests.append(
                self.in_test(strings, var, "str", known == frozenset({"string"}))
            )
        if numbers and (may_be(known, "int") or may_be(known, "frac")):
            exact = known is not None and known <= {"int", "frac"}
            tests.append(self.in_test(numbers, var, "num", exact))
        if others and (may_be(known, "array") or may_be(known, "object")):
            frozen = ", ".join(f"freeze({literal(m)})" for m in others)
            name = self.c.constant("E", f"frozenset(({frozen},))")
            check = f"(type({var}) is list or type({var}) is dict)"
            tests.append(f"({check} and freeze({var}) in {name})")
        return " or ".join(tests) or "False"

    def in_test(self, members: list[Any], var: str, kind: str, exact: bool) -> str:
        if kind == "str":
            guard = f"type({var}) is str"
        else:
            guard = f"type({var}) in (int, float)"
        if len(members) == 1:
            test = f"{var} == {literal(members[0])}"
        else:
            unique = list(dict.fromkeys(members))
            name = self.c.constant(
                "E", f"frozenset(({', '.join(map(literal, unique))},))"
            )
            test = f"{var} in {name}"
        return test if exact else f"({guard} and {test})"

    # Keywords by type

    def number_checks(self, conj: Conjunction, var: str, path: str, ctx: Ctx) -> None:
        level = ctx.level
        bounds = (
            ("maximum", ">", " is greater than the maximum of "),
            (
                "exclusiveMaximum",
                ">=",
                " is greater than or equal to the exclusive maximum of ",
            ),
            ("minimum", "<", " is less than the minimum of "),
            (
                "exclusiveMinimum",
                "<=",
                " is less than or equal to the exclusive minimum of ",
            ),
        )
        for facet in conj.facets:
            value = facet.value
            for keyword, operator, words in bounds:
                limit = value.get(keyword)
                if is_number(limit):
                    message = self.shown(var, f"{words}{show_value(limit)}")
                    self.check(
                        level,
                        f"{var} {operator} {literal(limit)}",
                        path,
                        keyword,
                        message,
                    )
            divisor = value.get("multipleOf")
            if is_number(divisor) and divisor > 0:
                if type(divisor) is int and divisor <= 2**53:
                    condition = f"{var} % {divisor} != 0"
                else:
                    condition = f"not is_multiple({var}, {literal(divisor)})"
                message = self.shown(
                    var, f" is not a multiple of {show_value(divisor)}"
                )
                self.check(level, condition, path, "multipleOf", message)

    def string_checks(self, conj: Conjunction, var: str, path: str, ctx: Ctx) -> None:
        level = ctx.level
        for facet in conj.facets:
            value = facet.value
            for keyword, operator, words in (
                ("maxLength", ">", " is longer than {} characters"),
                ("minLength", "<", " is shorter than {} characters"),
            ):
                if is_count(value.get(keyword)):
                    limit = int(value[keyword])
                    message = self.shown(var, words.format(limit))
                    self.check(
                        level, f"len({var}) {operator} {limit}", path, keyword, message
                    )
            if "pattern" in value:
                compiled = self.c.pattern(value["pattern"], facet.child("pattern"))
                if compiled is not None:
                    message = self.shown(var, f" does not match {value['pattern']!r}")
                    self.check(
                        level,
                        f"{compiled}.search({var}) is None",
                        path,
                        "pattern",
                        message,
                    )
            checker = self.format_checker(value.get("format"))
            if checker is not None:
                message = self.shown(var, f" is not a valid {value['format']}")
                self.check(level, f"not {checker}({var})", path, "format", message)
            self.content(facet, var, path, level)

    def content(self, facet: Node, var: str, path: str, level: int) -> None:
        """Check the encodings and media types draft-07 section 8 names, ignore others."""
        encoding = facet.value.get("contentEncoding")
        media_type = facet.value.get("contentMediaType")
        encoding = encoding if encoding == "base64" else None
        media_type = media_type if media_type == "application/json" else None
        if encoding is None and media_type is None:
            return
        keyword = "contentMediaType" if media_type else "contentEncoding"
        words = " ".join(w for w in (encoding, media_type) if w)
        message = self.shown(var, f" is not valid {words} content")
        test = f"not is_content({var}, {encoding!r}, {media_type!r})"
        self.check(level, test, path, keyword, message)

    def format_checker(self, name: Any) -> str | None:
        if not isinstance(name, str) or name not in self.c.runtime.FORMATS:
            return None
        return f"is_{name.replace('-', '_')}"

    def array_checks(self, conj: Conjunction, var: str, path: str, ctx: Ctx) -> None:
        level = ctx.level
        for facet in conj.facets:
            value = facet.value
            for keyword, operator, words in (
                ("maxItems", ">", " has more than {} items"),
                ("minItems", "<", " has fewer than {} items"),
            ):
                if is_count(value.get(keyword)):
                    limit = int(value[keyword])
                    message = self.shown(var, words.format(limit))
                    self.check(
                        level, f"len({var}) {operator} {limit}", path, keyword, message
                    )
            if value.get("uniqueItems") is True:
                test = f"not is_unique({var})"
                self.check(
                    level,
                    test,
                    path,
                    "uniqueItems",
                    self.shown(var, " has non-unique items"),
                )
            self.items(facet, var, path, ctx)
            if "contains" in value:
                self.contains(facet, var, path, ctx)

    def items(self, facet: Node, var: str, path: str, ctx: Ctx) -> None:
        items = facet.value.get("items")
        level = ctx.level
        if isinstance(items, (dict, bool)):
            self.each_item(facet.child("items"), var, path, ctx, 0)
            return
        if not isinstance(items, list):
            return
        listed = facet.child("items")
        for index in range(len(items)):
            item = self.body.fresh("v")
            self.body.add(level, f"if len({var}) > {index}:")
            self.body.add(level + 1, f"{item} = {var}[{index}]")
            inner = Ctx(None, frozenset(), level + 1, ctx.chain)
            self.schema(listed.child(index), item, f"{path} + '/{index}'", inner)
        extra = facet.value.get("additionalItems")
        if extra is False:
            message = self.shown(
                var, f" has more than {len(items)} items (additionalItems is false)"
            )
            self.check(
                level, f"len({var}) > {len(items)}", path, "additionalItems", message
            )
        elif isinstance(extra, dict):
            self.each_item(facet.child("additionalItems"), var, path, ctx, len(items))

    def each_item(
        self, schema: Node, var: str, path: str, ctx: Ctx, start: int
    ) -> None:
        level = ctx.level
        index = self.body.fresh("i")
        item = self.body.fresh("v")
        if start:
            self.body.add(level, f"for {index} in range({start}, len({var})):")
            self.body.add(level + 1, f"{item} = {var}[{index}]")
        elif self.errors:
            self.body.add(level, f"for {index}, {item} in enumerate({var}):")
        else:
            self.body.add(level, f"for {item} in {var}:")
        before = len(self.body.lines)
        inner = Ctx(None, frozenset(), level + 1, ctx.chain)
        self.schema(schema, item, f"join({path}, {index})", inner)
        if len(self.body.lines) == before:
            del self.body.lines[before - (2 if start else 1) :]

    def contains(self, facet: Node, var: str, path: str, ctx: Ctx) -> None:
        level = ctx.level
        item = self.body.fresh("v")
        test = self.expr(
            facet.child("contains"), item, Ctx(None, frozenset(), level + 1, ctx.chain)
        )
        self.body.add(level, f"for {item} in {var}:")
        self.body.add(level + 1, f"if {test}:")
        self.body.add(level + 2, "break")
        self.body.add(level, "else:")
        message = self.shown(var, " has no item that matches the 'contains' schema")
        self.fail(level + 1, path, "contains", message)

    def object_checks(self, conj: Conjunction, var: str, path: str, ctx: Ctx) -> None:
        level = ctx.level
        missing = [name for name in conj.required if name not in ctx.present]
        if missing and self.errors:
            for name in missing:
                self.check(
                    level,
                    f"{name!r} not in {var}",
                    path,
                    "required",
                    repr(f"{name!r} is a required property"),
                )
        elif missing:
            self.check(
                level,
                " or ".join(f"{name!r} not in {var}" for name in missing),
                path,
                "required",
                "",
            )
        present = ctx.present if self.errors else ctx.present | frozenset(missing)
        inner = Ctx(ctx.known, present, level, ctx.chain)
        for facet in conj.facets:
            value = facet.value
            for keyword, operator, words in (
                ("maxProperties", ">", " has more than {} properties"),
                ("minProperties", "<", " has fewer than {} properties"),
            ):
                if is_count(value.get(keyword)):
                    limit = int(value[keyword])
                    message = self.shown(var, words.format(limit))
                    self.check(
                        level, f"len({var}) {operator} {limit}", path, keyword, message
                    )
            self.properties(facet, var, path, inner)
            self.other_properties(facet, var, path, inner)
            self.dependencies(facet, var, path, inner)
            self.property_names(facet, var, path, inner)

    def properties(self, facet: Node, var: str, path: str, ctx: Ctx) -> None:
        props = facet.value.get("properties")
        if not isinstance(props, dict):
            return
        listed = facet.child("properties")
        for name in props:
            child = listed.child(name)
            target = self.c.follow(child)
            if target is not None and (target.value is True or target.value == {}):
                continue
            if self.mode == "valid" and self.one_line_property(
                child, target, name, var, ctx
            ):
                continue
            level = ctx.level
            if name not in ctx.present:
                self.body.add(level, f"if {name!r} in {var}:")
                level += 1
            item = self.body.fresh("v")
            self.body.add(level, f"{item} = {var}[{name!r}]")
            token = name.replace("~", "~0").replace("/", "~1")
            inner = Ctx(None, frozenset(), level, ctx.chain)
            self.schema(child, item, f"{path} + {'/' + token!r}", inner)

    def one_line_property(
        self, child: Node, target: Node | None, name: str, var: str, ctx: Ctx
    ) -> bool:
        """Check a member in one `if` when its schema reads the value once (speed)."""
        if target is None or not isinstance(target.value, dict):
            return False
        if not self.inlinable(child, target, ctx):
            return False
        # The member is written as the subscript itself, so no text is substituted later.
        member = f"{var}[{name!r}]"
        fresh = Ctx(None, frozenset(), ctx.level, ctx.chain)
        fails = _simple_fails(self, target, member, fresh)
        if not fails or " ".join(fails).count(member) != 1:
            return False
        fail = any_of(fails)
        if name in ctx.present:
            self.check(ctx.level, fail, "", "", "")
        else:
            self.check(
                ctx.level, f"{name!r} in {var} and {parenthesized(fail)}", "", "", ""
            )
        return True

    def other_properties(self, facet: Node, var: str, path: str, ctx: Ctx) -> None:
        value = facet.value
        patterns = value.get("patternProperties")
        patterns = patterns if isinstance(patterns, dict) else {}
        extra = value.get("additionalProperties")
        if extra is True or extra == {}:
            extra = None
        if not patterns and extra is None:
            return
        names = value.get("properties")
        names = list(names) if isinstance(names, dict) else []
        level = ctx.level
        key = self.body.fresh("k")
        item = self.body.fresh("v")
        member = f"join({path}, {key})"
        compiled_all = all(
            self.c.pattern(p, facet.child("patternProperties").child(p))
            for p in patterns
        )
        if not compiled_all:
            # An unchecked pattern might match any member: leave additional members unchecked.
            extra = None
        self.body.add(level, f"for {key}, {item} in {var}.items():")
        compiled = []
        listed = facet.child("patternProperties") if patterns else None
        for source in patterns:
            assert listed is not None
            constant = self.c.pattern(source, listed.child(source))
            if constant is None:
                continue
            compiled.append(constant)
            self.body.add(level + 1, f"if {constant}.search({key}) is not None:")
            before = len(self.body.lines)
            self.schema(
                listed.child(source),
                item,
                member,
                Ctx(None, frozenset(), level + 2, ctx.chain),
            )
            if len(self.body.lines) == before:
                self.body.lines.pop()
        if extra is not None:
            tests = (
                [f"{key} not in {self.c.constant('N', frozenset_literal(names))}"]
                if names
                else []
            )
            tests += [f"{c}.search({key}) is None" for c in compiled]
            if patterns and len(compiled) < len(patterns):
                tests.append(
                    "False"
                )  # an unchecked pattern might match: allow the member
            level_extra = level + 1
            if tests:
                self.body.add(level + 1, f"if {' and '.join(tests)}:")
                level_extra += 1
            before = len(self.body.lines)
            if extra is False:
                self.fail(
                    level_extra,
                    member,
                    "additionalProperties",
                    f"'additional property ' + show({key}) + ' is not allowed'",
                )
            else:
                self.schema(
                    facet.child("additionalProperties"),
                    item,
                    member,
                    Ctx(None, frozenset(), level_extra, ctx.chain),
                )
            if len(self.body.lines) == before and tests:
                self.body.lines.pop()
        if self.body.lines[-1].endswith(".items():"):
            self.body.lines.pop()

    def dependencies(self, facet: Node, var: str, path: str, ctx: Ctx) -> None:
        deps = facet.value.get("dependencies")
        if not isinstance(deps, dict):
            return
        level = ctx.level
        listed = facet.child("dependencies")
        for name, dependency in deps.items():
            if isinstance(dependency, list):
                needed = [d for d in dependency if isinstance(d, str)]
                if not needed:
                    continue
                self.body.add(level, f"if {name!r} in {var}:")
                if self.errors:
                    for other in needed:
                        message = repr(f"{other!r} is required by {name!r}")
                        self.check(
                            level + 1,
                            f"{other!r} not in {var}",
                            path,
                            "dependencies",
                            message,
                        )
                else:
                    self.check(
                        level + 1,
                        " or ".join(f"{o!r} not in {var}" for o in needed),
                        path,
                        "dependencies",
                        "",
                    )
            elif isinstance(dependency, (dict, bool)):
                self.body.add(level, f"if {name!r} in {var}:")
                before = len(self.body.lines)
                self.schema(
                    listed.child(name),
                    var,
                    path,
                    Ctx(ctx.known, ctx.present | {name}, level + 1, ctx.chain),
                )
                if len(self.body.lines) == before:
                    self.body.lines.pop()

    def property_names(self, facet: Node, var: str, path: str, ctx: Ctx) -> None:
        if "propertyNames" not in facet.value:
            return
        level = ctx.level
        key = self.body.fresh("k")
        inner = Ctx(frozenset({"string"}), frozenset(), level + 1, ctx.chain)
        test = self.expr(facet.child("propertyNames"), key, inner)
        if test == "True":
            return
        self.body.add(level, f"for {key} in {var}:")
        message = f"'property name ' + show({key}) + ' does not match the propertyNames schema'"
        self.check(level + 1, negate(test), path, "propertyNames", message)


_COMPLEX = frozenset(
    {
        "$ref",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "properties",
        "patternProperties",
        "additionalProperties",
        "dependencies",
        "propertyNames",
        "items",
        "additionalItems",
        "contains",
    }
)


class _NotSimple(Exception):
    """A schema needs statements, not one expression."""


class _ExpressionBody(Body):
    def add(self, level: int, text: str) -> None:
        raise _NotSimple


def _simple_fails(
    emitter: Emitter, target: Node, var: str, ctx: Ctx
) -> list[str] | None:
    """The fail conditions of a schema of scalar keywords only, else None."""
    if any(key in _COMPLEX for key in target.value):
        return None
    shadow = Emitter(emitter.c, "expr", _ExpressionBody())
    conj = shadow.conjunction(target, ctx)
    try:
        shadow.conjunction_checks(
            conj, var, "p", Ctx(ctx.known, frozenset(), 0, ctx.chain)
        )
    except _NotSimple:
        return None
    return shadow.conditions


def _simple_expression(
    emitter: Emitter, target: Node, var: str, ctx: Ctx
) -> str | None:
    """An inline bool expression for a schema of scalar keywords only, else None."""
    fails = _simple_fails(emitter, target, var, ctx)
    if fails is None:
        return None
    if not fails:
        return "True"
    return negate(any_of(fails))
