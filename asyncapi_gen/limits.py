"""Bounds checked after resolve: schemas whose checks of one value would explode.

Takes the Resolver and a DiagnosticSink; adds an error for each schema over the bound, so
generation (and every later validation) never runs into an exponential number of checks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from .errors import DiagnosticSink
from .resolve import SCHEMA_LIST, Node, ReferenceError_, Resolver, subschemas

logger = logging.getLogger(__name__)

# Checks of one value a schema may expand to. A schema reached through allOf, anyOf, oneOf,
# not, if/then/else or a reference checks the same value again, so a schema that lists
# another twice, which lists another twice, ... doubles the work at every level.
MAX_EXPANSION = 100_000

_SAME_VALUE_ONE = ("not", "if", "then", "else")


def check_expansion(resolver: Resolver, sink: DiagnosticSink) -> None:
    """Report each schema that checks one value more than MAX_EXPANSION times.

    Only the lowest schemas over the bound are reported (those whose own branches stay
    under it): that is where the branches multiply. Broken references count as one check;
    the build stage reports them.
    """
    counter = _Counter(resolver)
    for root in _schema_roots(resolver):
        target = _follow(resolver, root)
        if target is not None:
            counter.count(target)
    for node in counter.over_bound():
        sink.error(
            f"schema expands to more than {MAX_EXPANSION} checks of one value through"
            " allOf/anyOf/oneOf/not/if and references",
            node.location,
            "a schema reached through several of these keywords is checked once per"
            " keyword, and again at each level that does the same",
        )


class _Counter:
    """Counts, per schema, the checks of one value it expands to (capped past the bound)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.counts: dict[str, int] = {}
        self.nodes: dict[str, Node] = {}
        self.same: dict[str, list[str]] = {}

    def count(self, root: Node) -> None:
        # Iterative depth-first walk; a schema still on the path (a loop) counts as one.
        on_path: set[str] = set()
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            uri = node.uri
            if done:
                on_path.discard(uri)
                self.counts[uri] = min(
                    1 + sum(self.counts.get(c, 1) for c in self.same[uri]),
                    MAX_EXPANSION + 1,
                )
                continue
            if uri in self.counts or uri in on_path:
                continue
            on_path.add(uri)
            self.nodes[uri] = node
            same, other = self._children(node)
            self.same[uri] = [c.uri for c in same]
            stack.append((node, True))
            stack.extend((child, False) for child in [*other, *same])

    def over_bound(self) -> list[Node]:
        over = {uri for uri, n in self.counts.items() if n > MAX_EXPANSION}
        lowest = [u for u in over if not any(c in over for c in self.same[u])]
        return [self.nodes[u] for u in sorted(lowest)]

    def _children(self, node: Node) -> tuple[list[Node], list[Node]]:
        """Split the subschemas of a node into those that check the same value and others.

        References are followed, so a reference costs what its target costs. A target listed
        twice in one keyword counts once (the validators check it once), but a target in two
        keywords counts twice.
        """
        value = node.value
        same: list[Node] = []
        groups: list[list[Node]] = []
        if isinstance(value, dict):
            for key in _SAME_VALUE_ONE:
                if isinstance(value.get(key), (dict, bool)):
                    groups.append([node.child(key)])
            for key in SCHEMA_LIST:
                if isinstance(value.get(key), list):
                    branches = node.child(key)
                    groups.append([branches.child(i) for i in range(len(value[key]))])
        for group in groups:
            targets = {t.uri: t for t in map(self._follow, group) if t is not None}
            same.extend(targets.values())
        listed = {c.uri for group in groups for c in group}
        other = [
            target
            for child in subschemas(node)
            if child.uri not in listed and (target := self._follow(child)) is not None
        ]
        return same, other

    def _follow(self, node: Node) -> Node | None:
        return _follow(self.resolver, node)


def _schema_roots(resolver: Resolver) -> Iterator[Node]:
    """The schemas validators are built for: payloads, headers, parameters, components."""
    root = resolver.root_node()
    for message in _messages(resolver, root):
        for key in ("payload", "headers"):
            if (schema := message.get(key)) is not None:
                yield schema
    for parameters in _parameter_maps(resolver, root):
        for parameter in _members(parameters):
            target = _follow(resolver, parameter)
            if target is not None and (schema := target.get("schema")) is not None:
                yield schema
    yield from _members(_get(root, "components", "schemas"))


def _messages(resolver: Resolver, root: Node) -> Iterator[Node]:
    for channel in _channels(resolver, root):
        for verb in ("publish", "subscribe"):
            yield from _message_choices(resolver, _get(channel, verb, "message"))
    for message in _members(_get(root, "components", "messages")):
        yield from _message_choices(resolver, message)


def _channels(resolver: Resolver, root: Node) -> Iterator[Node]:
    for channel in _members(root.get("channels")):
        target = _follow(resolver, channel)
        if target is not None:
            yield target


def _message_choices(resolver: Resolver, message: Node | None) -> Iterator[Node]:
    target = _follow(resolver, message) if message is not None else None
    if target is None or not isinstance(target.value, dict):
        return
    choices = target.get("oneOf")
    if choices is None or not isinstance(choices.value, list):
        yield target
        return
    for index in range(len(choices.value)):
        choice = _follow(resolver, choices.child(index))
        if choice is not None and isinstance(choice.value, dict):
            yield choice


def _parameter_maps(resolver: Resolver, root: Node) -> Iterator[Node]:
    for channel in _channels(resolver, root):
        if (parameters := _get(channel, "parameters")) is not None:
            yield parameters
    if (parameters := _get(root, "components", "parameters")) is not None:
        yield parameters


def _follow(resolver: Resolver, node: Node) -> Node | None:
    try:
        return resolver.follow(node)
    except ReferenceError_:
        return None


def _get(node: Node | None, *keys: str) -> Node | None:
    for key in keys:
        if node is None or not isinstance(node.value, dict):
            return None
        node = node.get(key)
    return node


def _members(node: Node | None) -> list[Node]:
    """The member values of a mapping node, in document order; none for anything else."""
    if node is None or not isinstance(node.value, dict):
        return []
    return [node.child(key) for key in node.value if isinstance(key, str)]
