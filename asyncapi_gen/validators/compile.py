"""Validator compiler: resolved draft-07 schemas -> the source of validator functions.

Takes the resolver and (name, schema node) roots, returns a ValidatorSet that
templates/validators.py.jinja renders. Every schema that needs a function gets one, keyed
by its canonical URI, in two modes: `_valid_*` answers a bool without building anything,
`_errors_*` reports each failure with its JSON pointer; small subschemas are inlined.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import AsyncapiGenError, Diagnostic, DiagnosticSink, Severity
from ..resolve import Node, Resolver
from .checks import GROUP_ATOMS, Conjunction, is_count, is_number, type_atoms
from .graph import SchemaGraph
from .runtime import load_runtime

logger = logging.getLogger(__name__)

# Indentation levels a function body may reach before a subschema gets a function of its own
# (Python allows 20 nested blocks and about 100 indents).
MAX_LEVEL = 10
# Schemas reached through a reference are inlined up to this many subschemas.
INLINE_SIZE = 12
MAX_FACETS = 64
_TYPE_NAMES = (
    ("null", "null"),
    ("boolean", "boolean"),
    ("object", "object"),
    ("array", "array"),
    ("string", "string"),
)


@dataclass(frozen=True, slots=True)
class ValidatorRoot:
    """One public pair `validate_<name>` / `is_valid_<name>` and the functions behind it."""

    name: str
    valid: str
    errors: str
    deep: bool
    # False when the fast function is itself `is_valid_<name>` (no wrapper call on the hot path).
    wrapper: bool


@dataclass(frozen=True, slots=True)
class ValidatorSet:
    """Everything templates/validators.py.jinja renders, as code text made in Python."""

    helpers: tuple[str, ...]
    modules: tuple[str, ...]
    constants: tuple[tuple[str, str], ...]
    functions: tuple[str, ...]
    roots: tuple[ValidatorRoot, ...]
    exports: tuple[str, ...]


def compile_validators(
    resolver: Resolver, roots: Sequence[tuple[str, Node]], sink: DiagnosticSink
) -> ValidatorSet:
    """Compile one validator pair per root; schemas shared by roots share functions.

    Problems in the schemas (a reference that cannot be followed, a pattern with no Python
    equivalent) go to `sink` with their location; the code still imports.
    """
    return _Compiler(resolver, sink).run(roots)


@dataclass(frozen=True, slots=True)
class _Ctx:
    """What is known about the value a block checks."""

    known: frozenset[str] | None
    present: frozenset[str]
    level: int
    chain: tuple[str, ...]


class _Body:
    """Lines of one function body, with fresh local names."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.counter = 0

    def add(self, level: int, text: str) -> None:
        self.lines.append("    " * level + text)

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"


class _Compiler:
    def __init__(self, resolver: Resolver, sink: DiagnosticSink) -> None:
        self.resolver = resolver
        self.sink = sink
        self.runtime = load_runtime()
        self.constants: dict[str, str] = {}
        self.helpers: set[str] = set()
        self.modules: set[str] = set()
        self.functions: dict[tuple[str, str], str] = {}
        self.bodies: list[str] = []
        self.queue: deque[tuple[str, Node]] = deque()
        self.taken: set[str] = set()
        self.reported: set[str] = set()
        self.patterns: dict[tuple[str, str], str | None] = {}
        self.graph: SchemaGraph

    # Driver

    def run(self, roots: Sequence[tuple[str, Node]]) -> ValidatorSet:
        for _, node in roots:
            self.resolver.index_schema(node)
        self.graph = SchemaGraph([node for _, node in roots], self.follow)
        public = []
        for name, node in roots:
            target = self.follow(node)
            if target is None:
                target = node
            deep = self.is_deep(target)
            own = None if deep else f"is_valid_{name}"
            valid = self.function("valid", target, hint=name, public=own)
            errors = self.function("errors", target, hint=name)
            public.append(
                ValidatorRoot(name, valid, errors, deep, valid != f"is_valid_{name}")
            )
        while self.queue:
            mode, node = self.queue.popleft()
            self.bodies.append(self.emit_function(mode, node))
        self.find_helpers()
        exports = sorted(
            ["ValidationError"]
            + [f"validate_{r.name}" for r in public]
            + [f"is_valid_{r.name}" for r in public]
        )
        logger.info("validators: %d roots, %d functions", len(public), len(self.bodies))
        return ValidatorSet(
            helpers=tuple(sorted(self.helpers | {"ValidationError", "collect"})),
            modules=tuple(sorted(self.modules)),
            constants=tuple((name, expr) for expr, name in self.constants.items()),
            functions=tuple(self.bodies),
            roots=tuple(public),
            exports=tuple(exports),
        )

    def find_helpers(self) -> None:
        """Import exactly the runtime names the generated text uses."""
        text = "\n".join([*self.bodies, *self.constants])
        names = [
            "MAX_DEPTH",
            "freeze",
            "is_content",
            "is_multiple",
            "is_unique",
            "join",
            "report",
            "show",
        ]
        names += [f"is_{f.replace('-', '_')}" for f in self.runtime.FORMATS]
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
        self.helpers = set(pattern.findall(text))
        if "json.loads(" in text:
            self.modules.add("json")

    def follow(self, node: Node) -> Node | None:
        """The schema a node stands for after references; None (reported) when broken."""
        try:
            return self.resolver.follow(node)
        except AsyncapiGenError as exc:
            if node.uri not in self.reported:
                self.reported.add(node.uri)
                self.report(exc, node)
            return None

    def report(self, exc: AsyncapiGenError, node: Node) -> None:
        """Add the diagnostics of a broken reference unless an earlier stage already did."""
        message = getattr(exc, "message", str(exc))
        hint = getattr(exc, "hint", None)
        found = [*getattr(exc, "diagnostics", [])]
        found.append(Diagnostic(Severity.ERROR, message, node.location, hint))
        known = {(d.message, d.location) for d in self.sink.items}
        self.sink.items.extend(d for d in found if (d.message, d.location) not in known)

    def is_deep(self, node: Node) -> bool:
        return node.uri in self.graph.deep

    def function(
        self, mode: str, node: Node, hint: str | None = None, public: str | None = None
    ) -> str:
        """The name of the function checking `node` in `mode`, queued on first use.

        `public` names the fast function of a root that takes no depth: it is the public
        `is_valid_<name>` itself.
        """
        key = (mode, node.uri)
        name = self.functions.get(key)
        if name is None and public is not None:
            name = public
            self.taken.add(name)
            self.functions[key] = name
            self.queue.append((mode, node))
        if name is None:
            stem = hint or _slug(node.pointer)
            other = self.functions.get(
                ("errors" if mode == "valid" else "valid", node.uri)
            )
            if other is not None:
                stem = re.sub(r"^(_valid_|_errors_|is_valid_)", "", other)
            name = self.unique(f"_{mode}_{stem}")
            self.functions[key] = name
            self.queue.append((mode, node))
        return name

    def unique(self, name: str) -> str:
        candidate = name
        number = 2
        while candidate in self.taken:
            candidate = f"{name}_{number}"
            number += 1
        self.taken.add(candidate)
        return candidate

    def constant(self, prefix: str, expression: str) -> str:
        """A module-level name for `expression`, shared by equal expressions."""
        name = self.constants.get(expression)
        if name is None:
            name = f"_{prefix}{len(self.constants) + 1}"
            self.constants[expression] = name
        return name

    def call(self, mode: str, node: Node, args: str) -> str:
        """A call of the function for `node`, passing the depth on when it recurses."""
        name = self.function(mode, node)
        depth = ", d + 1" if self.is_deep(node) else ""
        return f"{name}({args}{depth})"

    # Functions

    def emit_function(self, mode: str, node: Node) -> str:
        name = self.functions[(mode, node.uri)]
        deep = self.is_deep(node)
        depth = ", d: int" if deep else ""
        body = _Body()
        if mode == "valid" and name.startswith("is_valid_"):
            signature = f"def {name}(value: object) -> bool:"
            body.add(1, '"""Whether `value` is valid; builds no error objects."""')
            body.add(1, "v: Any = value")
        elif mode == "valid":
            signature = f"def {name}(v: Any{depth}) -> bool:"
            if deep:
                body.add(1, "if d > MAX_DEPTH:")
                body.add(2, "return False")
        else:
            errors = "e: list[ValidationError], f: bool"
            signature = f"def {name}(v: Any, p: str, {errors}{depth}) -> None:"
            if deep:
                body.add(1, "if d > MAX_DEPTH:")
                message = "f'value is nested deeper than {MAX_DEPTH} schema levels'"
                body.add(2, f'report(e, f, p, "depth", {message})')
                body.add(2, "return")
        emitter = _Emitter(self, mode, body)
        ctx = _Ctx(None, frozenset(), 1, (node.uri,))
        emitter.schema(node, "v", "p", ctx, followed=True)
        if mode == "valid":
            body.add(1, "return True")
        elif len(body.lines) == (3 if deep else 0):
            body.add(1, "return None")
        body.lines = _prune(body.lines)
        if "    v: Any = value" in body.lines[:2] and not any(
            re.search(r"\bv\b", line) for line in body.lines[2:]
        ):
            body.lines.remove("    v: Any = value")
        if mode == "valid":
            body.lines = _merge_fails(body.lines)
        comment = f"# {_comment(node)}"
        return "\n".join([comment, signature, *body.lines])

    # Patterns

    def pattern(self, source: Any, where: Node) -> str | None:
        """The constant holding the compiled pattern, or None when it cannot be checked."""
        if not isinstance(source, str):
            return None
        key = (source, where.uri)
        if key not in self.patterns:
            self.patterns[key] = self.compile_pattern(source, where)
        return self.patterns[key]

    def compile_pattern(self, source: str, where: Node) -> str | None:
        try:
            translated = self.runtime.translate_pattern(source)
            re.compile(translated)
        except (self.runtime.PatternError, re.error) as exc:
            untranslatable = getattr(exc, "untranslatable", True)
            reason = getattr(exc, "message", str(exc))
            if untranslatable:
                # Known limitation: a pattern Python's re cannot express is not checked.
                self.sink.warning(
                    f"pattern {source!r} has no Python equivalent ({reason}); it is not checked",
                    where.location,
                )
            else:
                self.sink.error(
                    f"pattern {source!r} is not ECMA-262: {reason}", where.location
                )
            return None
        self.modules.add("re")
        return self.constant("P", f"re.compile({translated!r})")


class _Emitter:
    """Writes the checks of one function in one mode ("valid" or "errors")."""

    def __init__(self, compiler: _Compiler, mode: str, body: _Body) -> None:
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
                parts = [*self.guards, _parenthesized(condition)]
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
        self, node: Node, var: str, path: str, ctx: _Ctx, followed: bool = False
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
            _Ctx(ctx.known, ctx.present, ctx.level, ctx.chain + (target.uri,)),
        )

    def inlinable(self, node: Node, target: Node, ctx: _Ctx) -> bool:
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

    def conjunction(self, target: Node, ctx: _Ctx) -> Conjunction:
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
        ctx: _Ctx,
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
        self, conj: Conjunction, var: str, path: str, ctx: _Ctx
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
                message = self.shown(var, f" is not of type {_type_list(atoms)}")
                self.check(
                    level,
                    _negate(_type_test(allowed, var)),
                    path,
                    "type",
                    message,
                )
                if self.errors:
                    self.body.add(level, "else:")
                    level += 1
            known = allowed
        inner = _Ctx(known, ctx.present, level, ctx.chain)
        start = len(self.body.lines)
        self.generic(conj, var, path, inner)
        for group in conj.groups():
            if known is not None and not known & GROUP_ATOMS[group]:
                continue
            self.group(group, conj, var, path, inner)
        if self.errors and level > ctx.level and len(self.body.lines) == start:
            self.body.lines.pop()  # the `else:` opened for checks that turned out vacuous

    def group(
        self, group: str, conj: Conjunction, var: str, path: str, ctx: _Ctx
    ) -> None:
        atoms = GROUP_ATOMS[group]
        level = ctx.level
        known = ctx.known
        guarded = known is None or not known <= atoms
        if guarded:
            self.body.add(level, f"if {_type_test(atoms, var)}:")
            level += 1
        inner = _Ctx(
            atoms if known is None else known & atoms, ctx.present, level, ctx.chain
        )
        start = len(self.body.lines)
        getattr(self, f"{group}_checks")(conj, var, path, inner)
        if guarded and len(self.body.lines) == start:
            self.body.lines.pop()

    # Keywords of any type

    def generic(self, conj: Conjunction, var: str, path: str, ctx: _Ctx) -> None:
        level = ctx.level
        for facet in conj.facets:
            value = facet.value
            if "enum" in value and isinstance(value["enum"], list):
                condition = self.members_test(value["enum"], var, ctx.known)
                message = self.shown(
                    var, f" is not one of {_show_value(value['enum'])}"
                )
                self.check(level, _negate(condition), path, "enum", message)
            if "const" in value:
                condition = self.members_test([value["const"]], var, ctx.known)
                message = self.shown(
                    var, f" is not the constant {_show_value(value['const'])}"
                )
                self.check(level, _negate(condition), path, "const", message)
            self.combinators(facet, var, path, ctx)
        for target in conj.calls:
            self.call_check(target, var, path, level)

    def combinators(self, facet: Node, var: str, path: str, ctx: _Ctx) -> None:
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
                    self.check(level, _negate(_any_of(tests)), path, keyword, message)
                else:
                    self.one_of(tests, var, path, level)
        if "if" in value and ("then" in value or "else" in value):
            condition = self.expr(facet.child("if"), var, ctx)
            for keyword, test in (("then", condition), ("else", _negate(condition))):
                if keyword in value:
                    self.body.add(level, f"if {test}:")
                    start = len(self.body.lines)
                    inner = _Ctx(ctx.known, ctx.present, level + 1, ctx.chain)
                    self.schema(facet.child(keyword), var, path, inner)
                    if len(self.body.lines) == start:
                        self.body.lines.pop()

    def one_of(self, tests: list[str], var: str, path: str, level: int) -> None:
        if len(tests) == 1:
            message = self.shown(var, " does not match the 'oneOf' schema")
            self.check(level, _negate(tests[0]), path, "oneOf", message)
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

    def expr(self, node: Node, var: str, ctx: _Ctx) -> str:
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
        if None in members and _may_be(known, "null"):
            tests.append(f"{var} is None")
        for flag in (True, False):
            if any(m is flag for m in members) and _may_be(known, "boolean"):
                tests.append(f"{var} is {flag}")
        if strings and _may_be(known, "string"):
            tests.append(
                self.in_test(strings, var, "str", known == frozenset({"string"}))
            )
        if numbers and (_may_be(known, "int") or _may_be(known, "frac")):
            exact = known is not None and known <= {"int", "frac"}
            tests.append(self.in_test(numbers, var, "num", exact))
        if others and (_may_be(known, "array") or _may_be(known, "object")):
            frozen = ", ".join(f"freeze({_literal(m)})" for m in others)
            name = self.c.constant("E", f"frozenset(({frozen},))")
            check = f"(type({var}) is list or type({var}) is dict)"
            tests.append(f"({check} and freeze({var}) in {name})")
        return " or ".join(tests) or "False"

    def in_test(self, members: list[Any], var: str, kind: str, exact: bool) -> str:
        if kind == "str":
            guard = f"type({var}) is str"
        else:
            guard = f"(type({var}) is int or type({var}) is float)"
        if len(members) == 1:
            test = f"{var} == {_literal(members[0])}"
        else:
            unique = list(dict.fromkeys(members))
            name = self.c.constant(
                "E", f"frozenset(({', '.join(map(_literal, unique))},))"
            )
            test = f"{var} in {name}"
        return test if exact else f"({guard} and {test})"

    # Keywords by type

    def number_checks(self, conj: Conjunction, var: str, path: str, ctx: _Ctx) -> None:
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
                    message = self.shown(var, f"{words}{_show_value(limit)}")
                    self.check(
                        level,
                        f"{var} {operator} {_literal(limit)}",
                        path,
                        keyword,
                        message,
                    )
            divisor = value.get("multipleOf")
            if is_number(divisor) and divisor > 0:
                if type(divisor) is int and divisor <= 2**53:
                    condition = f"{var} % {divisor} != 0"
                else:
                    condition = f"not is_multiple({var}, {_literal(divisor)})"
                message = self.shown(
                    var, f" is not a multiple of {_show_value(divisor)}"
                )
                self.check(level, condition, path, "multipleOf", message)

    def string_checks(self, conj: Conjunction, var: str, path: str, ctx: _Ctx) -> None:
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

    def array_checks(self, conj: Conjunction, var: str, path: str, ctx: _Ctx) -> None:
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

    def items(self, facet: Node, var: str, path: str, ctx: _Ctx) -> None:
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
            inner = _Ctx(None, frozenset(), level + 1, ctx.chain)
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
        self, schema: Node, var: str, path: str, ctx: _Ctx, start: int
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
        inner = _Ctx(None, frozenset(), level + 1, ctx.chain)
        self.schema(schema, item, f"join({path}, {index})", inner)
        if len(self.body.lines) == before:
            del self.body.lines[before - (2 if start else 1) :]

    def contains(self, facet: Node, var: str, path: str, ctx: _Ctx) -> None:
        level = ctx.level
        item = self.body.fresh("v")
        test = self.expr(
            facet.child("contains"), item, _Ctx(None, frozenset(), level + 1, ctx.chain)
        )
        self.body.add(level, f"for {item} in {var}:")
        self.body.add(level + 1, f"if {test}:")
        self.body.add(level + 2, "break")
        self.body.add(level, "else:")
        message = self.shown(var, " has no item that matches the 'contains' schema")
        self.fail(level + 1, path, "contains", message)

    def object_checks(self, conj: Conjunction, var: str, path: str, ctx: _Ctx) -> None:
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
        inner = _Ctx(ctx.known, present, level, ctx.chain)
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

    def properties(self, facet: Node, var: str, path: str, ctx: _Ctx) -> None:
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
            inner = _Ctx(None, frozenset(), level, ctx.chain)
            self.schema(child, item, f"{path} + {'/' + token!r}", inner)

    def one_line_property(
        self, child: Node, target: Node | None, name: str, var: str, ctx: _Ctx
    ) -> bool:
        """Check a member in one `if` when its schema reads the value once (speed)."""
        if target is None or not isinstance(target.value, dict):
            return False
        if not self.inlinable(child, target, ctx):
            return False
        member = self.body.fresh("v")
        fresh = _Ctx(None, frozenset(), ctx.level, ctx.chain)
        fails = _simple_fails(self, target, member, fresh)
        if not fails or len(re.findall(rf"\b{member}\b", " ".join(fails))) != 1:
            return False
        fail = _any_of(fails).replace(member, f"{var}[{name!r}]")
        if name in ctx.present:
            self.check(ctx.level, fail, "", "", "")
        else:
            self.check(
                ctx.level, f"{name!r} in {var} and {_parenthesized(fail)}", "", "", ""
            )
        return True

    def other_properties(self, facet: Node, var: str, path: str, ctx: _Ctx) -> None:
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
                _Ctx(None, frozenset(), level + 2, ctx.chain),
            )
            if len(self.body.lines) == before:
                self.body.lines.pop()
        if extra is not None:
            tests = (
                [f"{key} not in {self.c.constant('N', _frozenset(names))}"]
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
                    _Ctx(None, frozenset(), level_extra, ctx.chain),
                )
            if len(self.body.lines) == before and tests:
                self.body.lines.pop()
        if self.body.lines[-1].endswith(".items():"):
            self.body.lines.pop()

    def dependencies(self, facet: Node, var: str, path: str, ctx: _Ctx) -> None:
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
                    _Ctx(ctx.known, ctx.present | {name}, level + 1, ctx.chain),
                )
                if len(self.body.lines) == before:
                    self.body.lines.pop()

    def property_names(self, facet: Node, var: str, path: str, ctx: _Ctx) -> None:
        if "propertyNames" not in facet.value:
            return
        level = ctx.level
        key = self.body.fresh("k")
        inner = _Ctx(frozenset({"string"}), frozenset(), level + 1, ctx.chain)
        test = self.expr(facet.child("propertyNames"), key, inner)
        if test == "True":
            return
        self.body.add(level, f"for {key} in {var}:")
        message = f"'property name ' + show({key}) + ' does not match the propertyNames schema'"
        self.check(level + 1, _negate(test), path, "propertyNames", message)


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


class _ExpressionBody(_Body):
    def add(self, level: int, text: str) -> None:
        raise _NotSimple


def _simple_fails(
    emitter: _Emitter, target: Node, var: str, ctx: _Ctx
) -> list[str] | None:
    """The fail conditions of a schema of scalar keywords only, else None."""
    if any(key in _COMPLEX for key in target.value):
        return None
    shadow = _Emitter(emitter.c, "expr", _ExpressionBody())
    conj = shadow.conjunction(target, ctx)
    try:
        shadow.conjunction_checks(
            conj, var, "p", _Ctx(ctx.known, frozenset(), 0, ctx.chain)
        )
    except _NotSimple:
        return None
    return shadow.conditions


def _simple_expression(
    emitter: _Emitter, target: Node, var: str, ctx: _Ctx
) -> str | None:
    """An inline bool expression for a schema of scalar keywords only, else None."""
    fails = _simple_fails(emitter, target, var, ctx)
    if fails is None:
        return None
    if not fails:
        return "True"
    return _negate(_any_of(fails))


def _any_of(tests: list[str]) -> str:
    if len(tests) == 1:
        return tests[0]
    return " or ".join(_parenthesized(t, also_and=True) for t in tests)


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
)


def _negate(test: str) -> str:
    """The negation of a generated test, written plainly where the test is one comparison."""
    for pattern, replacement in _SIMPLE_TESTS:
        if pattern.fullmatch(test) and " or " not in test and " and " not in test:
            return pattern.sub(replacement, test)
    if test.startswith("not ") and " or " not in test and " and " not in test:
        return test[4:]
    if test.startswith("not (") and _one_group(test[4:]):
        return test[5:-1]
    if _one_group(test):
        return f"not {test}"
    return f"not ({test})"


def _parenthesized(test: str, also_and: bool = False) -> str:
    """`test` wrapped when it could bind wrongly inside `and` (or inside `or`)."""
    loose = " or " in test or (also_and and " and " in test)
    return f"({test})" if loose and not _one_group(test) else test


def _one_group(test: str) -> bool:
    """Whether `test` is wrapped whole in one pair of parentheses."""
    if not (test.startswith("(") and test.endswith(")")):
        return False
    depth = 0
    for index, char in enumerate(test):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and index < len(test) - 1:
            return False
    return True


_ASSIGNED = re.compile(r"(v\d+) = .*")
_LOCAL_NAME = re.compile(r"\bv\d+\b")
_LOOP = re.compile(r"for (?:(\w+), )?(\w+) in (.+)\.items\(\):|for (\w+) in (.+):")


def _prune(lines: list[str]) -> list[str]:
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


def _merge_fails(lines: list[str]) -> list[str]:
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
        joined = _any_of(tests)
        out.append(f"{indent}if {joined}:")
        out.append(f"{indent}    return False")
    return out


def _may_be(known: frozenset[str] | None, atom: str) -> bool:
    return known is None or atom in known


def _type_test(atoms: frozenset[str], var: str) -> str:
    """Whether `var` has one of the JSON types in `atoms` (exact types: bool is no number)."""
    tests = []
    if "null" in atoms:
        tests.append(f"{var} is None")
    for atom, python in (
        ("boolean", "bool"),
        ("object", "dict"),
        ("array", "list"),
        ("string", "str"),
    ):
        if atom in atoms:
            tests.append(f"type({var}) is {python}")
    if "int" in atoms and "frac" in atoms:
        tests.append(f"type({var}) is int or type({var}) is float")
    elif "int" in atoms:
        tests.append(
            f"type({var}) is int or (type({var}) is float and {var}.is_integer())"
        )
    elif "frac" in atoms:
        tests.append(f"(type({var}) is float and not {var}.is_integer())")
    return " or ".join(tests) or "False"


def _type_list(atoms: frozenset[str]) -> str:
    names = [name for atom, name in _TYPE_NAMES if atom in atoms]
    if "int" in atoms and "frac" in atoms:
        names.append("number")
    elif "int" in atoms:
        names.append("integer")
    return " or ".join(repr(n) for n in names) or "nothing (no type is allowed)"


def _show_value(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:
        return "<large number>"
    return text if len(text) <= 200 else text[:97] + " ... " + text[-97:]


def _literal(value: Any) -> str:
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
            return "[" + ", ".join(_literal(v) for v in value) + "]"
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
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


def _frozenset(names: list[str]) -> str:
    return f"frozenset(({', '.join(repr(n) for n in names)},))"


def _slug(pointer: str) -> str:
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


def _comment(node: Node) -> str:
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
