"""The graph of schemas the validators reach: which ones recurse, and how big each one is.

Nodes are schema URIs after following references (draft-07: a `$ref` replaces its whole
object, siblings included). Walks are iterative, so no schema depth can exhaust the stack.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..resolve import Node, subschemas

# Longest chain of nested subschemas checked without counting depth (Python's stack allows
# about a thousand frames; each level takes one or two).
TALL = 200

# Keywords whose subschemas are not applied to the value: reached only through a reference.
_NOT_APPLIED = ("definitions", "$defs")


def applied_children(node: Node) -> list[Node]:
    """The subschemas of `node` that apply to the value or its members (not definitions)."""
    prefixes = tuple(f"{node.pointer}/{key}/" for key in _NOT_APPLIED)
    return [
        child for child in subschemas(node) if not child.pointer.startswith(prefixes)
    ]


class SchemaGraph:
    """Edges between schemas (after references), strongly connected parts, subtree sizes."""

    def __init__(
        self, roots: Sequence[Node], follow: Callable[[Node], Node | None]
    ) -> None:
        self.follow = follow
        self.edges: dict[str, list[str]] = {}
        self.nodes: dict[str, Node] = {}
        self._build(roots)
        self.recursive = self._find_recursive()
        # Deep: checking may nest calls without bound (recursion), or past what Python's
        # stack allows (a long chain of distinct schemas); such roots count their depth.
        self.deep = self._reaching(self.recursive | self._tall(self.recursive))

    def _build(self, roots: Sequence[Node]) -> None:
        stack = [target for target in map(self.follow, roots) if target is not None]
        while stack:
            node = stack.pop()
            if node.uri in self.edges:
                continue
            self.nodes[node.uri] = node
            targets = [
                t for t in map(self.follow, applied_children(node)) if t is not None
            ]
            self.edges[node.uri] = [t.uri for t in targets]
            stack.extend(t for t in targets if t.uri not in self.edges)

    def _find_recursive(self) -> set[str]:
        """URIs on a cycle (Tarjan's algorithm, iterative)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        found: set[str] = set()
        for start in self.edges:
            if start in index:
                continue
            work: list[tuple[str, int]] = [(start, 0)]
            while work:
                uri, position = work.pop()
                if position == 0:
                    index[uri] = low[uri] = len(index)
                    stack.append(uri)
                    on_stack.add(uri)
                edges = self.edges.get(uri, [])
                if position < len(edges):
                    work.append((uri, position + 1))
                    target = edges[position]
                    if target not in index:
                        work.append((target, 0))
                    elif target in on_stack:
                        low[uri] = min(low[uri], index[target])
                    continue
                if low[uri] == index[uri]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == uri:
                            break
                    if len(component) > 1 or uri in self.edges.get(uri, []):
                        found.update(component)
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[uri])
        return found

    def _tall(self, recursive: set[str]) -> set[str]:
        """Schemas off any cycle whose longest chain of subschemas exceeds TALL."""
        height: dict[str, int] = {}
        for start in self.edges:
            if start in height or start in recursive:
                continue
            work = [start]
            while work:
                uri = work[-1]
                pending = [
                    t
                    for t in self.edges.get(uri, [])
                    if t not in height and t not in recursive and t != uri
                ]
                if pending:
                    work.extend(pending)
                    continue
                work.pop()
                below = [height.get(t, 0) for t in self.edges.get(uri, [])]
                height[uri] = 1 + max(below, default=0)
        return {uri for uri, value in height.items() if value > TALL}

    def _reaching(self, targets: set[str]) -> set[str]:
        """URIs from which some URI of `targets` can be reached (targets included)."""
        reverse: dict[str, list[str]] = {}
        for source, edges in self.edges.items():
            for target in edges:
                reverse.setdefault(target, []).append(source)
        seen = set(targets)
        stack = list(targets)
        while stack:
            for source in reverse.get(stack.pop(), []):
                if source not in seen:
                    seen.add(source)
                    stack.append(source)
        return seen

    def size(self, uri: str, limit: int) -> int:
        """The number of schemas reachable from `uri`, counted up to `limit`."""
        seen = {uri}
        stack = [uri]
        while stack and len(seen) <= limit:
            for target in self.edges.get(stack.pop(), []):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return len(seen)
