"""Resolve stage: follow `$ref` across files and `$id` bases, and merge `allOf`.

Takes the root Document and returns a Resolver that later stages ask for targets. A Node is a
value together with where it stands (document and pointer) and the base URI in force there.
"""

from __future__ import annotations

import difflib
import logging
import os
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Config
from .errors import (
    AsyncapiGenError,
    Diagnostic,
    DocumentError,
    Severity,
    SourceLocation,
)
from .load import Document, load_document, load_text, pointer_join

logger = logging.getLogger(__name__)

# draft-07 keywords whose value is one schema, a list of schemas, or a map of schemas. A walk
# that must find every subschema (and no enum or example value) goes through these only.
SCHEMA_ONE = (
    "additionalItems",
    "additionalProperties",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
)
SCHEMA_LIST = ("allOf", "anyOf", "oneOf")
SCHEMA_MAP = ("properties", "patternProperties", "definitions", "$defs")


class ReferenceError_(AsyncapiGenError):
    """A reference cannot be followed: missing target, missing file, forbidden place, loop."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        # The reference where following failed: the start of a chain or one further on.
        self.node: Node | None = None
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Node:
    """A value in a loaded document, with its place and the base URI in force there."""

    value: Any
    document: Document
    pointer: str
    base: str

    @property
    def uri(self) -> str:
        """The canonical identity: document URI plus pointer fragment."""
        return f"{self.document.uri}{self.pointer}"

    @property
    def location(self) -> SourceLocation:
        return self.document.locate(self.pointer)

    def child(self, token: str | int) -> Node:
        """Step into a member or item; a schema's own `$id` sets the base below it."""
        value = self.value[token]
        pointer = pointer_join(self.pointer, token)
        return Node(value, self.document, pointer, schema_base(value, self.base))

    def get(self, key: str) -> Node | None:
        if isinstance(self.value, dict) and key in self.value:
            return self.child(key)
        return None

    def is_ref(self) -> bool:
        return isinstance(self.value, dict) and isinstance(self.value.get("$ref"), str)


def schema_base(value: Any, outer: str) -> str:
    """The base URI inside a schema: its `$id` joined to the outer base (draft-07 8.2).

    A `$ref` beside `$id` wins: draft-07 ignores every sibling of `$ref`.
    """
    if isinstance(value, dict) and "$ref" not in value:
        schema_id = value.get("$id")
        if isinstance(schema_id, str):
            return join_uri(outer, schema_id)
    return outer


def join_uri(base: str, ref: str) -> str:
    """Resolve `ref` against `base`; a fragment-only ref keeps any base (urljoin drops `urn:`)."""
    if ref.startswith("#"):
        return base.partition("#")[0] + ref
    return urllib.parse.urljoin(base, ref)


def document_node(document: Document, address: str | None = None) -> Node:
    """The root node of a document, its base set by a root `$id` if it has one."""
    base = address or document.uri
    return Node(document.value, document, "#", schema_base(document.value, base))


class Resolver:
    """Follows references for every later stage; each file is read once."""

    def __init__(self, root: Document, config: Config | None = None) -> None:
        self.root = root
        self.root_dir = root.path.resolve().parent
        self.config = config
        self.documents: dict[str, Document] = {root.uri: root}
        # `$id` URI (or URI with a plain-name fragment) -> the schema node it names.
        self.ids: dict[str, Node] = {}
        self.indexed: set[str] = set()
        # Reference node URI -> the first node on its chain that is not a reference.
        self.targets: dict[str, Node] = {}
        self.failures: dict[str, ReferenceError_] = {}
        self.followed = 0

    def root_node(self) -> Node:
        return document_node(self.root)

    # Following references

    def follow(self, node: Node) -> Node:
        """Follow `node` while it is a reference; return the first node that is not.

        Raises:
            ReferenceError_: a target is missing, forbidden, or the chain loops.
        """
        if not node.is_ref():
            return node
        known = self.targets.get(node.uri)
        if known is not None:
            return known
        # Every reference on the chain gets the same target, so each chain is walked once
        # however many places enter it (long chains stay linear).
        chain: dict[str, None] = {}
        try:
            node = self._follow_chain(node, chain)
        except ReferenceError_ as exc:
            for uri in chain:
                self.failures.setdefault(uri, exc)
            raise
        for uri in chain:
            self.targets[uri] = node
        return node

    def _follow_chain(self, node: Node, chain: dict[str, None]) -> Node:
        while node.is_ref():
            known = self.targets.get(node.uri)
            if known is not None:
                return known
            failed = self.failures.get(node.uri)
            if failed is not None:
                raise failed
            if node.uri in chain:
                loop = [*chain][[*chain].index(node.uri) :]
                shown = " -> ".join(_pointer_of(s) for s in [*loop, node.uri])
                error = ReferenceError_(f"reference loop with no schema in it: {shown}")
                error.node = node
                raise error
            chain[node.uri] = None
            try:
                node = self.lookup(node.value["$ref"], node.base)
            except ReferenceError_ as exc:
                exc.node = exc.node or node
                raise
        return node

    def lookup(self, ref: str, base: str) -> Node:
        """Return the node that `ref`, read against `base`, points at (one step)."""
        self.followed += 1
        absolute = join_uri(base, ref)
        address, _, fragment = absolute.partition("#")
        fragment = urllib.parse.unquote(fragment)
        logger.debug("reference %s", _short(absolute))
        if fragment and not fragment.startswith("/"):
            # A plain-name fragment names a schema by its `$id` (draft-07 8.2.3).
            named = self.ids.get(f"{address}#{fragment}")
            if named is None:
                self.load(address, ref)
                self._index_document_ids(address)
                named = self.ids.get(f"{address}#{fragment}")
            if named is None:
                raise ReferenceError_(f"reference target not found: '{ref}'")
            return named
        resource = self.ids.get(address)
        if resource is None:
            resource = document_node(self.load(address, ref), address)
            self.index_schema(resource)
            resource = self.ids.get(address, resource)
        return self._walk_pointer(resource, fragment, ref)

    def load(self, address: str, ref: str) -> Document:
        """Return the document at `address`, reading it once."""
        document = self.documents.get(address)
        if document is not None:
            return document
        document = self._read(address, ref)
        self.documents[address] = document
        return document

    def index_schema(self, node: Node) -> None:
        """Register every `$id` in the schema at `node` so references can reach it by URI."""
        stack = [node]
        while stack:
            current = stack.pop()
            if current.uri in self.indexed or not isinstance(current.value, dict):
                continue
            self.indexed.add(current.uri)
            if (
                isinstance(current.value.get("$id"), str)
                and "$ref" not in current.value
            ):
                address, _, anchor = current.base.partition("#")
                self.ids.setdefault(
                    f"{address}#{anchor}" if anchor else address, current
                )
            stack.extend(subschemas(current))

    # Internals

    def _index_document_ids(self, address: str) -> None:
        document = self.documents.get(address)
        if document is not None:
            self.index_schema(document_node(document, address))

    def _walk_pointer(self, resource: Node, fragment: str, ref: str) -> Node:
        node = resource
        if not fragment:
            return node
        for raw in fragment[1:].split("/"):
            token = raw.replace("~1", "/").replace("~0", "~")
            value = node.value
            if isinstance(value, dict) and token in value:
                node = node.child(token)
            elif (
                isinstance(value, list) and token.isdigit() and int(token) < len(value)
            ):
                node = node.child(int(token))
            else:
                raise ReferenceError_(
                    f"reference target not found: '{ref}'", _nearest(node, token, ref)
                )
        return node

    def _read(self, address: str, ref: str) -> Document:
        parsed = urllib.parse.urlsplit(address)
        for prefix, folder in self.config.ref_map if self.config else ():
            if address.startswith(prefix):
                path = folder / urllib.parse.unquote(address[len(prefix) :])
                return self._read_file(path, ref, check_root=False)
        if parsed.scheme == "file":
            return self._read_file(Path(urllib.request.url2pathname(parsed.path)), ref)
        if parsed.scheme in ("http", "https"):
            return self._read_remote(address, ref)
        raise ReferenceError_(
            f"unsupported reference scheme '{parsed.scheme}' in '{ref}'"
        )

    def _read_file(self, path: Path, ref: str, check_root: bool = True) -> Document:
        path = path.resolve()
        allowed = self.config.allow_outside_root if self.config else False
        if check_root and not allowed and not path.is_relative_to(self.root_dir):
            raise ReferenceError_(
                f"reference '{ref}' leaves the document's root folder",
                "pass --allow-outside-root to allow it",
            )
        if not path.is_file():
            raise ReferenceError_(
                f"referenced file not found: '{ref}' (tried {_relative(path)})"
            )
        logger.debug("reading %s", _short(path.as_uri()))
        try:
            return load_document(path)
        except DocumentError as exc:
            raise _NestedDocumentError(exc.diagnostics) from exc

    def _read_remote(self, address: str, ref: str) -> Document:
        config = self.config
        if config is None or not config.allow_remote:
            raise ReferenceError_(
                f"remote reference '{ref}' is not allowed",
                "pass --allow-remote to fetch it",
            )
        try:
            request = urllib.request.Request(
                address, headers={"User-Agent": "asyncapi-gen"}
            )
            with urllib.request.urlopen(
                request, timeout=config.remote_timeout
            ) as response:
                data = response.read(config.remote_max_bytes + 1)
        except OSError as exc:
            raise ReferenceError_(
                f"cannot fetch remote reference '{ref}': {exc}"
            ) from exc
        if len(data) > config.remote_max_bytes:
            raise ReferenceError_(
                f"remote reference '{ref}' is larger than {config.remote_max_bytes} bytes"
            )
        try:
            path = Path(urllib.parse.urlsplit(address).path)
            return load_text(data.decode("utf-8"), path, address, uri=address)
        except (UnicodeDecodeError, DocumentError) as exc:
            raise ReferenceError_(
                f"remote reference '{ref}' is not valid YAML or JSON"
            ) from exc


class _NestedDocumentError(ReferenceError_):
    """A referenced file is itself broken; its own diagnostics say where."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("referenced file is broken")


# Keys whose value is user data (never references), and keys whose value maps names the
# document chose to objects: under those, a key like `enum` is a name, not a keyword.
_DATA_KEYS = frozenset({"example", "examples", "enum", "const", "default"})
_NAME_MAPS = frozenset(
    {*SCHEMA_MAP, "dependencies", "channels", "servers", "parameters", "variables"}
)


def check_references(resolver: Resolver) -> list[Diagnostic]:
    """Follow every reference the root document holds, and those its targets hold.

    Returns one error per reference that cannot be followed (missing target or file,
    forbidden place, loop), at the reference; each node is visited once.
    """
    found: dict[str, Diagnostic] = {}
    seen: set[str] = set()
    stack: list[tuple[Node, bool]] = [(resolver.root_node(), False)]
    while stack:
        node, names = stack.pop()
        if node.uri in seen:
            continue
        seen.add(node.uri)
        if node.is_ref():
            target = _check_one(resolver, node, found)
            if target is not None:
                stack.append((target, False))
        elif isinstance(node.value, dict):
            stack.extend(_members(node, names))
        elif isinstance(node.value, list):
            stack.extend((node.child(i), False) for i in range(len(node.value)))
    return list(found.values())


def _members(node: Node, names: bool) -> list[tuple[Node, bool]]:
    members = []
    in_components = node.pointer == "#/components"
    for key in node.value:
        if not names and (key in _DATA_KEYS or key.startswith("x-")):
            continue
        child_names = not names and (in_components or key in _NAME_MAPS)
        members.append((node.child(key), child_names))
    return members


def _check_one(
    resolver: Resolver, node: Node, found: dict[str, Diagnostic]
) -> Node | None:
    try:
        return resolver.follow(node)
    except ReferenceError_ as exc:
        # Reported where following failed: a reference that only leads into a broken
        # one is not broken itself.
        place = (exc.node or node).location
        nested = getattr(exc, "diagnostics", None)
        diagnostics = nested or [
            Diagnostic(Severity.ERROR, exc.message, place, exc.hint)
        ]
        elsewhere = nested or (
            exc.node is not None and exc.node.document is not node.document
        )
        for diagnostic in diagnostics:
            # A fault in another file also names the (first) reference that led there; it is
            # still one fault however many references reach it.
            shown = (
                _reached_from(diagnostic, node.location) if elsewhere else diagnostic
            )
            found.setdefault(diagnostic.render(), shown)
        return None


def _reached_from(diagnostic: Diagnostic, origin: SourceLocation) -> Diagnostic:
    reached = f"reached from {origin}"
    hint = f"{diagnostic.hint}; {reached}" if diagnostic.hint else reached
    return Diagnostic(
        diagnostic.severity, diagnostic.message, diagnostic.location, hint
    )


def subschemas(node: Node) -> list[Node]:
    """Every direct subschema of a schema node, each with its own base URI."""
    value = node.value
    if not isinstance(value, dict) or "$ref" in value:
        return []
    found: list[Node] = []
    for key in SCHEMA_ONE:
        if isinstance(value.get(key), (dict, bool)):
            found.append(node.child(key))
    for key in SCHEMA_LIST:
        if isinstance(value.get(key), list):
            sub = node.child(key)
            found.extend(sub.child(i) for i in range(len(sub.value)))
    items = value.get("items")
    if isinstance(items, (dict, bool)):
        found.append(node.child("items"))
    elif isinstance(items, list):
        sub = node.child("items")
        found.extend(sub.child(i) for i in range(len(items)))
    for key in SCHEMA_MAP:
        if isinstance(value.get(key), dict):
            sub = node.child(key)
            found.extend(sub.child(name) for name in sub.value)
    deps = value.get("dependencies")
    if isinstance(deps, dict):
        sub = node.child("dependencies")
        found.extend(
            sub.child(k) for k, v in deps.items() if isinstance(v, (dict, bool))
        )
    return found


def _nearest(node: Node, token: str, ref: str) -> str | None:
    if not isinstance(node.value, dict):
        return None
    close = difflib.get_close_matches(
        token, [str(k) for k in node.value], n=1, cutoff=0.6
    )
    if not close:
        return None
    prefix = ref.rsplit("/", 1)[0]
    return f"did you mean '{prefix}/{close[0].replace('~', '~0').replace('/', '~1')}'?"


def _pointer_of(uri: str) -> str:
    return "#" + uri.partition("#")[2]


def _relative(path: Path) -> str:
    """A path as the user would type it from the working folder."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)


def _short(uri: str) -> str:
    if uri.startswith("file://"):
        path = urllib.request.url2pathname(urllib.parse.urlsplit(uri).path)
        try:
            rest = uri.partition("#")[2]
            shown = str(Path(path).relative_to(Path.cwd()))
            return f"{shown}#{rest}" if rest else shown
        except ValueError:
            return uri
    return uri


def resolve_document(root: Document, config: Config | None = None) -> Resolver:
    """Build the Resolver for a root document; references are followed on demand."""
    return Resolver(root, config)
