"""Validator compiler: resolved draft-07 schemas -> the source of validator functions.

Takes the resolver and (name, schema node) roots, returns a ValidatorSet that
templates/validators.py.jinja renders. Every schema that needs a function gets one, keyed
by its canonical URI, in two modes: `_valid_*` answers a bool without building anything,
`_errors_*` reports each failure with its JSON pointer; small subschemas are inlined.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import AsyncapiGenError, Diagnostic, DiagnosticSink, Severity
from ..resolve import Node, Resolver
from .code import comment, merge_fails, prune, slug
from .emitter import Body, Ctx, Emitter
from .graph import SchemaGraph
from .runtime import load_runtime

logger = logging.getLogger(__name__)


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
    return Compiler(resolver, sink).run(roots)


class Compiler:
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
            stem = hint or slug(node.pointer)
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
        body = Body()
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
        emitter = Emitter(self, mode, body)
        ctx = Ctx(None, frozenset(), 1, (node.uri,))
        emitter.schema(node, "v", "p", ctx, followed=True)
        if mode == "valid":
            body.add(1, "return True")
        elif len(body.lines) == (3 if deep else 0):
            body.add(1, "return None")
        body.lines = prune(body.lines)
        if "    v: Any = value" in body.lines[:2] and not any(
            re.search(r"\bv\b", line) for line in body.lines[2:]
        ):
            body.lines.remove("    v: Any = value")
        if mode == "valid":
            body.lines = merge_fails(body.lines)
        where = f"# {comment(node)}"
        return "\n".join([where, signature, *body.lines])

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
