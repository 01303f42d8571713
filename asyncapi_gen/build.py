"""Build stage: resolved document -> IR (models, lookup entries, routes, validators).

Takes the Resolver and Config, returns an `ir.Api` with every name decided. Naming and
collision rules are applied here only (through naming.py).
"""

from __future__ import annotations

import logging
import re
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

from . import naming, samples
from .config import Config, Perspective
from .errors import DiagnosticSink
from .ir import (
    Api,
    Entry,
    EnumMember,
    Field,
    Kind,
    MessageRef,
    Model,
    Parameter,
    Route,
    Server,
    TypeRef,
)
from .load import escape_token
from .resolve import Node, ReferenceError_, Resolver, check_references
from .validators import compile_validators

logger = logging.getLogger(__name__)

JSON = TypeRef(Kind.JSON)
NONE = TypeRef(Kind.NONE)
_PRIMITIVES = {
    "string": TypeRef(Kind.STR),
    "integer": TypeRef(Kind.INT),
    "number": TypeRef(Kind.FLOAT),
    "boolean": TypeRef(Kind.BOOL),
    "null": NONE,
}
_FORMATS = {"date-time": TypeRef(Kind.DATETIME), "date": TypeRef(Kind.DATE)}
# Containers (arrays, maps, unions) nested inside one another, counted between models.
MAX_TYPE_DEPTH = 24
_JSON_TYPES = ("null", "boolean", "object", "array", "number", "string", "integer")
_PARAM = re.compile(r"\{([^{}]*)\}")
_PEP440 = re.compile(r"[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?")
_EXPORTS = (
    "Context",
    "DecodeError",
    "Entry",
    "JsonValue",
    "MESSAGES",
    "Outcome",
    "Result",
    "Router",
    "SCHEMAS",
    "Transport",
    "UNSET",
    "Unset",
    "ValidationError",
)
# Router members that no operation method may take.
_ROUTER_NAMES = frozenset(
    {
        "on",
        "dispatch",
        "dispatch_sync",
        "transport",
        "handle_unknown_channel",
        "handle_invalid",
        "handle_no_handler",
        "handle_handler_error",
        "OPERATIONS",
    }
)


@dataclass
class _Shape:
    """A schema seen through its `allOf` branches: what typing needs, merged by copy.

    Merging never writes into a branch: every list and dict here is new.
    """

    node: Node
    types: set[str] | None = None  # None: unconstrained
    properties: dict[str, Node] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    additional: Node | bool | None = None  # None: absent
    enum: list[Any] | None = None
    const: tuple[Any] | None = None
    format: str = ""
    items: Node | None = None
    tuple_items: bool = False
    one_of: list[Node] = field(default_factory=list)
    any_of: list[Node] = field(default_factory=list)
    nullable: bool = False
    description: str = ""
    discriminator: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    default: tuple[Any] | None = None
    has_pattern_properties: bool = False

    @property
    def is_object(self) -> bool:
        """An object with declared properties: a model. One without is a map."""
        return bool(self.properties)


@dataclass
class _ModelDraft:
    """A model being built; its class name is settled once every claim is known."""

    uri: str
    hint: str
    priority: int
    kind: str
    node: Node
    fields: list[Field] = field(default_factory=list)
    extra: TypeRef | None = None
    members: list[tuple[str, str, Any]] = field(default_factory=list)
    description: str = ""
    validator: str = ""


class _Builder:
    def __init__(
        self, resolver: Resolver, config: Config, sink: DiagnosticSink
    ) -> None:
        self.resolver = resolver
        self.config = config
        self.sink = sink
        self.drafts: dict[str, _ModelDraft] = {}
        self.types: dict[str, TypeRef] = {}
        self.roots: dict[str, str] = {}  # schema uri -> validator name
        self.root_nodes: list[tuple[str, Node]] = []
        self.validator_names = naming.NameTable(sep="_")
        self.union_names = naming.NameTable(sep="_")
        self.in_progress: set[str] = set()
        self.failed: set[str] = set()
        self.shapes: dict[str, _Shape] = {}
        self.pending: deque[tuple[_ModelDraft, _Shape, str]] = deque()
        self.too_deep = False
        self.warned: set[str] = set()

    # Diagnostics

    def follow(self, node: Node) -> Node | None:
        """Follow references from `node`; report a failure at `node` and return None."""
        try:
            return self.resolver.follow(node)
        except ReferenceError_ as exc:
            if node.uri in self.failed:
                return None
            self.failed.add(node.uri)
            diagnostics = getattr(exc, "diagnostics", None)
            if diagnostics:
                self.sink.items.extend(diagnostics)
            else:
                self.sink.error(exc.message, node.location, exc.hint)
            return None

    # Validators

    def validator_for(self, node: Node, hint: str) -> str:
        """The validator name for a schema node; one per distinct schema."""
        target = self.follow(node)
        key = target.uri if target is not None else node.uri
        name = self.roots.get(key)
        if name is None:
            name = self.validator_names.claim(naming.function_name(hint, "schema"))
            self.roots[key] = name
            self.root_nodes.append((name, node if target is None else target))
        return name

    # Schemas -> types

    def shape(self, node: Node) -> _Shape:
        """Merge a schema and its `allOf` branches (by reference or inline) into a _Shape."""
        shape = self.shapes.get(node.uri)
        if shape is None:
            shape = _Shape(node)
            self._merge_all(shape, node)
            self.shapes[node.uri] = shape
        return shape

    def _merge_all(self, shape: _Shape, node: Node) -> None:
        # Depth first, branches in order, without recursion: the outer schema, then earlier
        # branches, win, because they are read first. Each schema is merged once.
        seen: set[str] = set()
        closed: list[Node] = []
        stack = [(node, True)]
        while stack:
            current, outer = stack.pop()
            target = self.follow(current)
            if target is None or target.uri in seen:
                continue
            seen.add(target.uri)
            self._merge_one(shape, target, outer)
            if not outer and _is_closed(target.value):
                closed.append(target)
            all_of = (
                target.value.get("allOf") if isinstance(target.value, dict) else None
            )
            if isinstance(all_of, list):
                branches = target.child("allOf")
                stack.extend(
                    (branches.child(i), False) for i in reversed(range(len(all_of)))
                )
        for branch in closed:
            self._warn_closed_branch(shape, branch)

    def _warn_closed_branch(self, shape: _Shape, branch: Node) -> None:
        """A branch with `additionalProperties: false` rejects its siblings' properties."""
        own = branch.value.get("properties")
        foreign = [
            p for p in shape.properties if not isinstance(own, dict) or p not in own
        ]
        if not foreign or branch.uri in self.warned:
            return
        self.warned.add(branch.uri)
        shown = ", ".join(f"'{p}'" for p in foreign[:3])
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        self.sink.warning(
            "'additionalProperties: false' in an allOf branch rejects the properties "
            f"other branches declare ({shown}{more}): no value that has them is valid",
            branch.location,
            "put 'additionalProperties: false' beside the allOf instead",
        )

    def _merge_one(self, shape: _Shape, target: Node, outer: bool) -> None:
        value = target.value
        if value is False:
            shape.types = set()
            return
        if not isinstance(value, dict):
            return
        self.resolver.index_schema(target)
        self._merge_type(shape, target)
        properties = value.get("properties")
        if isinstance(properties, dict):
            holder = target.child("properties")
            for name in properties:
                if name not in shape.properties:
                    shape.properties[name] = holder.child(name)
        required = value.get("required")
        if isinstance(required, list):
            shape.required.update(r for r in required if isinstance(r, str))
        self._merge_scalars(shape, target, outer)

    def _merge_type(self, shape: _Shape, target: Node) -> None:
        declared = target.value.get("type")
        if isinstance(declared, str):
            declared = [declared]
        if not isinstance(declared, list):
            return
        names = {t for t in declared if t in _JSON_TYPES}
        if "number" in names:
            names.add("integer")
        if shape.types is None:
            shape.types = names
            return
        merged = shape.types & names
        if not merged and shape.types and names:
            self.sink.error(
                "allOf branches contradict: type "
                f"{_type_list(shape.types)} and {_type_list(names)}",
                target.location,
            )
        shape.types = merged

    def _merge_scalars(self, shape: _Shape, target: Node, outer: bool) -> None:
        value = target.value
        if "additionalProperties" in value and (shape.additional is None or outer):
            extra = value["additionalProperties"]
            shape.additional = (
                target.child("additionalProperties")
                if isinstance(extra, dict)
                else bool(extra)
            )
        if value.get("additionalProperties") is False and not outer:
            shape.additional = False
        if isinstance(value.get("enum"), list) and shape.enum is None:
            shape.enum = list(value["enum"])
        if "const" in value and shape.const is None:
            shape.const = (value["const"],)
        if isinstance(value.get("format"), str) and not shape.format:
            shape.format = value["format"]
        if "items" in value and shape.items is None:
            shape.items = target.child("items")
            shape.tuple_items = isinstance(value["items"], list)
        for key, bucket in (("oneOf", shape.one_of), ("anyOf", shape.any_of)):
            if isinstance(value.get(key), list) and not bucket:
                options = target.child(key)
                bucket.extend(options.child(i) for i in range(len(value[key])))
        if value.get("nullable") is True:
            shape.nullable = True
        if isinstance(value.get("description"), str) and not shape.description:
            shape.description = value["description"]
        disc = value.get("discriminator")
        if isinstance(disc, dict) and not shape.discriminator:
            # OpenAPI 3.0 Discriminator Object: propertyName, and values mapped to schemas.
            mapping = disc.get("mapping")
            if isinstance(mapping, dict):
                shape.mapping = {k: v for k, v in mapping.items() if isinstance(v, str)}
            disc = disc.get("propertyName")
        if isinstance(disc, str) and not shape.discriminator:
            shape.discriminator = disc
        if "default" in value and shape.default is None and outer:
            shape.default = (value["default"],)
        if isinstance(value.get("patternProperties"), dict):
            shape.has_pattern_properties = True

    def type_of(self, node: Node, hint: str, priority: int = 1) -> TypeRef:
        """The Python type for the schema at `node`; object and enum schemas become models."""
        target = self.follow(node)
        if target is None:
            return JSON
        cached = self.types.get(target.uri)
        if cached is not None:
            return cached
        if target.value is True or target.value == {}:
            return JSON
        if target.uri in self.in_progress:
            # A schema that reaches itself before it became a model: no named type to point at.
            return JSON
        if len(self.in_progress) >= MAX_TYPE_DEPTH:
            # Known limitation: arrays, maps and unions nested deeper than MAX_TYPE_DEPTH
            # type as any JSON value below that depth (Python cannot parse such deep
            # annotations); the validator still checks them exactly.
            if not self.too_deep:
                self.too_deep = True
                self.sink.warning(
                    f"arrays, maps and unions nested deeper than {MAX_TYPE_DEPTH} levels "
                    "type as any JSON value below that depth; the validator still checks "
                    "them exactly",
                    target.location,
                )
            return JSON
        place = _place_name(target, self.resolver)
        if place:
            hint, priority = place, 0
        self.in_progress.add(target.uri)
        try:
            result = self._type_of_shape(self.shape(target), hint, priority)
        finally:
            self.in_progress.discard(target.uri)
        if result.kind in (Kind.MODEL, Kind.ENUM):
            self.types[target.uri] = result
        return result

    def _type_of_shape(self, shape: _Shape, hint: str, priority: int) -> TypeRef:
        nullable = shape.nullable or (shape.types is not None and "null" in shape.types)
        base = self._base_type(shape, hint, priority)
        if nullable and base.kind not in (Kind.JSON, Kind.NONE):
            return _optional(base)
        return base

    def _base_type(self, shape: _Shape, hint: str, priority: int) -> TypeRef:
        if shape.const is not None:
            return _literal(shape.const[0])
        if shape.enum is not None:
            return self._enum_type(shape, hint, priority)
        if shape.is_object:
            return self._model_type(shape, hint, priority)
        if shape.one_of or shape.any_of:
            return self._union_type(shape, hint)
        types = set(shape.types or ()) - {"null"}
        if types == {"number", "integer"}:
            types = {"number"}
        if len(types) != 1:
            return JSON
        (only,) = types
        if only == "string":
            return _FORMATS.get(shape.format, _PRIMITIVES["string"])
        if only == "array":
            return self._array_type(shape, hint)
        if only == "object":
            return self._map_type(shape, hint)
        return _PRIMITIVES.get(only, JSON)

    def _array_type(self, shape: _Shape, hint: str) -> TypeRef:
        if shape.items is None or shape.tuple_items:
            # Known limitation: tuple-form `items` types as a list of JSON values; the
            # validator still checks each position exactly.
            return TypeRef(Kind.LIST, args=(JSON,))
        return TypeRef(Kind.LIST, args=(self.type_of(shape.items, f"{hint}Item"),))

    def _map_type(self, shape: _Shape, hint: str) -> TypeRef:
        if isinstance(shape.additional, Node):
            return TypeRef(
                Kind.DICT, args=(self.type_of(shape.additional, f"{hint}Value"),)
            )
        return TypeRef(Kind.DICT, args=(JSON,))

    def _union_type(self, shape: _Shape, hint: str) -> TypeRef:
        options = shape.one_of or shape.any_of
        members: list[TypeRef] = []
        checks: list[str] = []
        for index, option in enumerate(options, 1):
            member = self.type_of(option, f"{hint}Option{index}")
            if member in members:
                continue
            members.append(member)
            checks.append(self.validator_for(option, f"{hint}_option{index}"))
        non_null = [m for m in members if m.kind is not Kind.NONE]
        if len(non_null) == 1 and len(members) == 2:
            return _optional(non_null[0])
        if len(members) == 1:
            return members[0]
        if any(m.kind is Kind.JSON for m in members):
            return JSON
        tags = self._tags(shape, options, members)
        name = self.union_names.claim(naming.function_name(hint, "union"))
        return TypeRef(
            Kind.UNION,
            name=name,
            args=tuple(members),
            checks=tuple(checks),
            tag_field=self._discriminator(shape, options)[0] if tags else "",
            tags=tags,
        )

    def _tags(
        self, shape: _Shape, options: list[Node], members: list[TypeRef]
    ) -> tuple[tuple[str, int], ...]:
        """Discriminator value -> member index: mapped, a member's const/enum, or its name."""
        field_name, mapping = self._discriminator(shape, options)
        if not field_name or len(options) != len(members):
            return ()
        tags: list[tuple[str, int]] = []
        for index, option in enumerate(options):
            ref = option.value["$ref"] if option.is_ref() else ""
            values: list[Any] = [k for k, v in mapping.items() if ref and v == ref]
            prop = self.shape(option).properties.get(field_name)
            if not values and prop is not None:
                prop_shape = self.shape(prop)
                if prop_shape.const is not None:
                    values = [prop_shape.const[0]]
                elif prop_shape.enum:
                    values = list(prop_shape.enum)
            if not values and ref:
                # AsyncAPI 2.x (and OpenAPI without a mapping): the value is the schema name.
                last = ref.rsplit("/", 1)[-1]
                values = [last.replace("~1", "/").replace("~0", "~")]
            tags.extend((v, index) for v in values if isinstance(v, str))
        return tuple(tags)

    def _discriminator(
        self, shape: _Shape, options: list[Node]
    ) -> tuple[str, dict[str, str]]:
        """The union's discriminator, else the one every member inherits from its base.

        AsyncAPI 2.x puts `discriminator` on the base schema that members extend.
        """
        if shape.discriminator:
            return shape.discriminator, shape.mapping
        inherited = {self.shape(option).discriminator for option in options}
        if len(inherited) == 1 and "" not in inherited:
            return inherited.pop(), {}
        return "", {}

    def _enum_type(self, shape: _Shape, hint: str, priority: int) -> TypeRef:
        values = shape.enum or []
        non_null = [v for v in values if v is not None]
        if not non_null:
            return NONE
        hashable = all(isinstance(v, (str, int, float, bool)) for v in non_null)
        mixes_bool = any(isinstance(v, bool) for v in non_null) and any(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in non_null
        )
        if not hashable or mixes_bool:
            # Known limitation: enums of objects or arrays, or mixing booleans with numbers,
            # type as JSON values (enum.Enum would merge True with 1); validation is exact.
            result = JSON
        else:
            draft = self._draft(shape.node, hint, priority, "enum")
            if not draft.members:
                table = naming.NameTable(sep="_")
                draft.members = [
                    (table.claim(naming.enum_member_name(v)), repr(v), v)
                    for v in non_null
                ]
                draft.description = shape.description
            result = TypeRef(Kind.ENUM, name=draft.uri)
        if None in values:
            return _optional(result)
        return result

    def _draft(self, node: Node, hint: str, priority: int, kind: str) -> _ModelDraft:
        draft = self.drafts.get(node.uri)
        if draft is None:
            draft = _ModelDraft(node.uri, hint, priority, kind, node)
            self.drafts[node.uri] = draft
            draft.validator = self.validator_for(node, hint)
        return draft

    def _model_type(self, shape: _Shape, hint: str, priority: int) -> TypeRef:
        existing = self.drafts.get(shape.node.uri)
        ref = TypeRef(Kind.MODEL, name=shape.node.uri)
        if existing is not None:
            return ref
        draft = self._draft(shape.node, hint, priority, "dataclass")
        self.types[shape.node.uri] = ref
        draft.description = shape.description
        # Fields are typed later, from a work list: a chain of models as deep as the
        # document makes it never becomes a chain of calls.
        self.pending.append((draft, shape, hint))
        return ref

    def finish_drafts(self) -> None:
        """Type the fields of every model drafted so far, and of those that adds."""
        while self.pending:
            draft, shape, hint = self.pending.popleft()
            self._fill_fields(draft, shape, hint)

    def _fill_fields(self, draft: _ModelDraft, shape: _Shape, hint: str) -> None:
        table = naming.NameTable(sep="_")
        for wire, prop in shape.properties.items():
            prop_type = self.type_of(prop, f"{hint}{naming.pascal(wire) or 'Field'}")
            nullable = prop_type.kind is Kind.UNION and NONE in prop_type.args
            nullable = nullable or prop_type.kind in (Kind.JSON, Kind.NONE)
            draft.fields.append(
                Field(
                    name=table.claim(naming.field_name(wire)),
                    wire_name=wire,
                    type=prop_type,
                    required=wire in shape.required,
                    nullable=nullable,
                    description=self.shape(prop).description,
                    default=_default_literal(self.shape(prop), prop_type),
                )
            )
        draft.extra = self._extra_type(shape, hint)

    def _extra_type(self, shape: _Shape, hint: str) -> TypeRef | None:
        if shape.additional is False and not shape.has_pattern_properties:
            return None
        if isinstance(shape.additional, Node) and not shape.has_pattern_properties:
            return self.type_of(shape.additional, f"{hint}Value")
        return JSON

    # Naming pass

    def settle_names(self) -> dict[str, str]:
        """Give each model its class name; the order of claims settles collisions.

        Named schemas (components, definitions, files) claim before inline ones; among
        them a name used as written claims before one changed to be valid; ties go by
        pointer. A later claim gets `_2`, `_3`...: class names made from document names
        never hold `_`, so a suffixed name never takes another schema's own name. Adding a
        schema renames only schemas whose name it shares.
        """
        table = naming.NameTable(sep="_")
        names: dict[str, str] = {}
        wanted = {uri: naming.class_name(d.hint) for uri, d in self.drafts.items()}

        def order(draft: _ModelDraft) -> tuple[int, bool, str]:
            return (draft.priority, wanted[draft.uri] != draft.hint, draft.uri)

        for draft in sorted(self.drafts.values(), key=order):
            names[draft.uri] = table.claim(wanted[draft.uri])
            if names[draft.uri] != wanted[draft.uri]:
                logger.debug("name collision: %s <- %s", names[draft.uri], draft.uri)
        return names


def _place_name(target: Node, resolver: Resolver) -> str:
    """The name a schema has by where it stands: a component key, a definition, a file."""
    tokens = target.pointer.split("/")
    if target.pointer == "#":
        if target.document is resolver.root:
            return ""
        return target.document.path.stem
    last = tokens[-1].replace("~1", "/").replace("~0", "~")
    if len(tokens) >= 3 and tokens[-2] in ("schemas", "definitions", "$defs"):
        return last
    if len(tokens) == 2 and target.document is not resolver.root:
        return last
    return ""


def _is_closed(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("additionalProperties") is False
        and "patternProperties" not in value
    )


def _type_list(types: set[str]) -> str:
    return "/".join(sorted(types - {"integer"} if "number" in types else types))


def _optional(base: TypeRef) -> TypeRef:
    if base.kind is Kind.UNION and NONE in base.args:
        return base
    return TypeRef(Kind.UNION, args=(base, NONE))


def _literal(value: Any) -> TypeRef:
    if (
        isinstance(value, (str, int, bool))
        and not isinstance(value, float)
        or value is None
    ):
        if value is None:
            return NONE
        return TypeRef(Kind.LITERAL, literal=repr(value))
    return JSON


def _default_literal(shape: _Shape, prop_type: TypeRef) -> str:
    if shape.default is None:
        return ""
    value = shape.default[0]
    kind = prop_type.kind
    if kind is Kind.UNION and len(prop_type.args) == 2 and NONE in prop_type.args:
        kind = prop_type.args[0].kind
    simple = {Kind.STR: str, Kind.INT: int, Kind.FLOAT: (int, float), Kind.BOOL: bool}
    expected = simple.get(kind)
    if expected is None or isinstance(value, bool) is not (kind is Kind.BOOL):
        return ""
    return repr(value) if isinstance(value, expected) else ""  # type: ignore[arg-type]


class _DocumentWalker(_Builder):
    """Walks the AsyncAPI structure: servers, component schemas and messages, channels."""

    def __init__(
        self, resolver: Resolver, config: Config, sink: DiagnosticSink
    ) -> None:
        super().__init__(resolver, config, sink)
        self.messages: dict[str, MessageRef] = {}
        self.message_keys = naming.NameTable(sep="_")
        self.route_names = naming.NameTable(_ROUTER_NAMES, sep="_")
        root = resolver.root_node()
        self.root = root
        self.default_content_type = _text(root.value.get("defaultContentType"))

    def schema_entries(self) -> list[Entry]:
        components = self._component("schemas")
        entries = []
        for key in components.value if components else ():
            node = components.child(key)  # type: ignore[union-attr]
            schema_type = self.type_of(node, key, priority=0)
            validator = self.validator_for(node, key)
            entries.append(
                Entry(key, schema_type, validator, self.shape(node).description)
            )
        return entries

    def message_entries(self) -> list[MessageRef]:
        components = self._component("messages")
        for key in components.value if components else ():
            self.message(components.child(key), key)  # type: ignore[union-attr]
        return list(self.messages.values())

    def _component(self, kind: str) -> Node | None:
        components = self.root.get("components")
        if components is None or not isinstance(components.value, dict):
            return None
        node = components.get(kind)
        if node is None or not isinstance(node.value, dict):
            return None
        return node

    def message(self, node: Node, hint: str) -> MessageRef | None:
        """The message at `node`, with traits merged; built once per message."""
        target = self.follow(node)
        if target is None or not isinstance(target.value, dict):
            return None
        known = self.messages.get(target.uri)
        if known is not None:
            return known
        parts = self._merge_traits(target)
        key = self.message_keys.claim(self._message_key(target, parts, hint))
        payload_type, validator = self._payload(target, parts, key)
        headers_type: TypeRef | None = None
        headers_validator = ""
        if "headers" in parts:
            headers_type = self.type_of(parts["headers"], f"{key}Headers")
            headers_validator = self.validator_for(parts["headers"], f"{key}_headers")
        content_type = (
            _text(parts["contentType"].value) if "contentType" in parts else ""
        )
        ref = MessageRef(
            key=key,
            name=naming.function_name(key, "message"),
            payload=payload_type,
            validator=validator,
            headers=headers_type,
            headers_validator=headers_validator,
            content_type=content_type or self.default_content_type,
            samples=samples.message_candidates(
                parts.get("examples"), "payload", parts.get("payload"), self.follow
            ),
            header_samples=samples.message_candidates(
                parts.get("examples"), "headers", parts.get("headers"), self.follow
            ),
            correlation_id=self._correlation_id(parts.get("correlationId")),
        )
        self.messages[target.uri] = ref
        return ref

    def _correlation_id(self, node: Node | None) -> tuple[str, str]:
        """Where a message keeps its correlation id: ("header"|"payload", pointer)."""
        target = self.follow(node) if node is not None else None
        if target is None or not isinstance(target.value, dict):
            return ("", "")
        location = target.value.get("location")
        if not isinstance(location, str):
            return ("", "")
        # AsyncAPI 2.x runtime expression: $message.header#/a/b or $message.payload#/a/b.
        source, _, pointer = location.partition("#")
        part = {"$message.header": "header", "$message.payload": "payload"}
        if source not in part or (pointer and not pointer.startswith("/")):
            self.sink.warning(
                f"correlationId location '{location}' is not a header or payload "
                "pointer; the correlation id is not read",
                target.location,
            )
            return ("", "")
        return (part[source], pointer)

    def _merge_traits(self, owner: Node) -> dict[str, Node]:
        """A message's or operation's fields after its traits.

        AsyncAPI 2.x, Message and Operation Objects: each trait is merged into the object
        with JSON Merge Patch, in the order listed; a trait's value patches the object's.
        """
        parts = {k: owner.child(k) for k in owner.value if k != "traits"}
        traits = owner.get("traits")
        if traits is None or not isinstance(traits.value, list):
            return parts
        for index in range(len(traits.value)):
            trait = self.follow(traits.child(index))
            if trait is None or not isinstance(trait.value, dict):
                continue
            for key in trait.value:
                self._patch_part(owner, parts, key, trait.child(key))
        return parts

    def _patch_part(
        self, owner: Node, parts: dict[str, Node], key: str, patch: Node
    ) -> None:
        if patch.value is None:
            parts.pop(key, None)
            return
        current = self.follow(parts[key]) if key in parts else None
        patch = self.follow(patch) or patch
        if current is None or not isinstance(current.value, dict):
            parts[key] = patch
            return
        if not isinstance(patch.value, dict):
            parts[key] = patch
            return
        # References on both sides are followed first: a merge patch works on values.
        merged = _merge_patch(current.value, patch.value)
        place = f"{owner.pointer}/{escape_token(key)}"
        parts[key] = Node(merged, owner.document, place, current.base)

    def _message_key(self, target: Node, parts: dict[str, Node], hint: str) -> str:
        message_id = parts.get("messageId")
        if (
            message_id is not None
            and isinstance(message_id.value, str)
            and message_id.value
        ):
            return message_id.value
        tokens = target.pointer.split("/")
        if len(tokens) == 4 and tokens[1:3] == ["components", "messages"]:
            return tokens[3].replace("~1", "/").replace("~0", "~")
        name = parts.get("name")
        if name is not None and isinstance(name.value, str) and name.value:
            return name.value
        return hint

    def _payload(
        self, target: Node, parts: dict[str, Node], key: str
    ) -> tuple[TypeRef, str]:
        payload = parts.get("payload")
        schema_format = (
            _text(parts["schemaFormat"].value) if "schemaFormat" in parts else ""
        )
        if payload is None:
            payload = Node(
                True, target.document, f"{target.pointer}/payload", target.base
            )
        elif schema_format and not _is_json_schema_format(schema_format):
            # Known limitation: payloads in schema formats other than JSON Schema, OpenAPI
            # and AsyncAPI (Avro, RAML...) are kept as JSON values and accepted unchecked.
            self.sink.warning(
                f"payload schemaFormat '{schema_format}' is not supported; "
                "the payload is typed as any JSON value and not validated",
                parts["schemaFormat"].location,
            )
            payload = Node(
                True, payload.document, payload.pointer + "/~unchecked", payload.base
            )
        return (
            self.type_of(payload, f"{key}Payload"),
            self.validator_for(payload, f"{key}_payload"),
        )

    # Channels and operations

    def routes(self) -> list[Route]:
        channels = self.root.get("channels")
        if channels is None or not isinstance(channels.value, dict):
            return []
        routes: list[Route] = []
        for address in channels.value:
            channel = self.follow(channels.child(address))
            if channel is None or not isinstance(channel.value, dict):
                continue
            parameters = self._parameters(address, channel)
            for action in ("subscribe", "publish"):
                operation = channel.get(action)
                if operation is None:
                    continue
                route = self._route(address, action, operation, parameters)
                if route is not None:
                    routes.append(route)
        return routes

    def _direction(self, action: str) -> str:
        # AsyncAPI 2.x describes the application: it receives what clients `publish`.
        receives = (
            "publish"
            if self.config.perspective is Perspective.APPLICATION
            else "subscribe"
        )
        return "receive" if action == receives else "send"

    def _route(
        self,
        address: str,
        action: str,
        operation: Node,
        parameters: tuple[Parameter, ...],
    ) -> Route | None:
        operation_node = self.follow(operation)
        if operation_node is None or not isinstance(operation_node.value, dict):
            return None
        parts = self._merge_traits(operation_node)
        value = {key: part.value for key, part in parts.items()}
        operation_id = (
            _text(value.get("operationId")) or f"{action}{naming.pascal(address)}"
        )
        name = self.route_names.claim(naming.function_name(operation_id, "operation"))
        messages = self._operation_messages(operation_node, operation_id)
        payload = _payload_union(messages, naming.pascal(operation_id))
        if payload.kind is Kind.UNION and not payload.name:
            payload = replace(payload, name=self.union_names.claim(f"{name}_message"))
        return Route(
            operation_id=operation_id,
            name=name,
            address=address,
            direction=self._direction(action),
            pattern=_address_pattern(address),
            parameters=parameters,
            messages=tuple(messages),
            payload=payload,
            summary=_text(value.get("summary")),
            params_class=(
                f"{naming.class_name(operation_id)}Params" if parameters else ""
            ),
            segments=_segments(address, parameters),
            # Known limitation: MQTT filters match whole levels, so a level that mixes literal
            # text and a parameter (`orders.{region}.created`) becomes `+`, which matches more;
            # the router still checks each address exactly.
            subscription="/".join(
                "+" if _PARAM.search(level) else level for level in address.split("/")
            ),
        )

    def _operation_messages(
        self, operation: Node, operation_id: str
    ) -> list[MessageRef]:
        message = operation.get("message")
        if message is None:
            return []
        target = self.follow(message)
        if target is None:
            return []
        options = target.get("oneOf") if isinstance(target.value, dict) else None
        if (
            options is not None
            and isinstance(options.value, list)
            and "payload" not in target.value
        ):
            found = [
                self.message(options.child(i), f"{operation_id}Message{i + 1}")
                for i in range(len(options.value))
            ]
            return [m for m in found if m is not None]
        single = self.message(message, f"{operation_id}Message")
        return [single] if single is not None else []

    def _parameters(self, address: str, channel: Node) -> tuple[Parameter, ...]:
        declared = channel.get("parameters")
        table = naming.NameTable(sep="_")
        result = []
        for wire in _PARAM.findall(address):
            definition = declared.get(wire) if declared is not None else None
            schema: Node | None = None
            if definition is not None:
                resolved = self.follow(definition)
                if resolved is not None:
                    schema = resolved.get("schema")
            hint = f"{naming.pascal(address)}{naming.pascal(wire)}"
            if schema is None:
                schema = Node(
                    {"type": "string"},
                    channel.document,
                    f"{channel.pointer}/parameters/{wire}/~schema",
                    channel.base,
                )
            result.append(
                Parameter(
                    name=table.claim(naming.field_name(wire)),
                    wire_name=wire,
                    type=self.type_of(schema, hint),
                    validator=self.validator_for(schema, f"{hint}_parameter"),
                    samples=samples.parameter_candidates(schema, wire, self.follow),
                )
            )
        return tuple(result)

    def servers(self) -> list[Server]:
        servers = self.root.get("servers")
        if servers is None or not isinstance(servers.value, dict):
            return []
        result = []
        for name in servers.value:
            server = self.follow(servers.child(name))
            if server is None or not isinstance(server.value, dict):
                continue
            value = server.value
            result.append(
                Server(
                    name,
                    _text(value.get("url")),
                    _text(value.get("protocol")),
                    _text(value.get("description")),
                )
            )
        return result


def build_ir(resolver: Resolver, config: Config, sink: DiagnosticSink) -> Api:
    """Build the IR of the generated package from the resolved root document.

    Raises:
        DocumentError: references cannot be followed or schemas contradict each other.
    """
    sink.items.extend(check_references(resolver))
    sink.raise_if_errors()
    walker = _DocumentWalker(resolver, config, sink)
    info = walker.root.value.get("info")
    info = info if isinstance(info, dict) else {}
    servers = walker.servers()
    schemas = walker.schema_entries()
    walker.message_entries()
    routes = walker.routes()
    walker.finish_drafts()
    # Every message: the component ones (named first), then those only channels reach.
    messages = list(walker.messages.values())
    sink.raise_if_errors()
    names = walker.settle_names()
    models = _finish_models(walker, names)
    validators = compile_validators(resolver, walker.root_nodes, sink)
    sink.raise_if_errors()
    title = _text(info.get("title"))
    version = _text(info.get("version"))
    rename = _Renamer(names)
    has_send = any(r.direction == "send" for r in routes)
    api = Api(
        title=title,
        version=version,
        description=_text(info.get("description")),
        package_name=config.package_name
        or naming.function_name(title, "asyncapi_client"),
        source_name=config.spec.name,
        models=models,
        schemas=tuple(replace(e, type=rename(e.type)) for e in schemas),
        messages=tuple(
            Entry(
                m.key,
                rename(m.payload),
                m.validator,
                headers=rename(m.headers) if m.headers is not None else None,
                headers_validator=m.headers_validator,
            )
            for m in messages
        ),
        routes=tuple(rename.route(r) for r in routes),
        servers=tuple(servers),
        validators=validators,
        distribution_version=version if _PEP440.fullmatch(version) else "0.0.0",
        exports=tuple(
            sorted(
                {
                    *(m.name for m in models),
                    *_EXPORTS,
                    *(("Publisher",) if has_send else ()),
                }
            )
        ),
    )
    logger.info(
        "built %d models, %d schemas, %d messages, %d routes",
        len(api.models),
        len(api.schemas),
        len(api.messages),
        len(api.routes),
    )
    return api


class _Renamer:
    """Replaces the schema URIs that stand for models with their settled class names."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def __call__(self, ref: TypeRef) -> TypeRef:
        if ref.kind in (Kind.MODEL, Kind.ENUM):
            return replace(ref, name=self.names[ref.name])
        if ref.args:
            return replace(ref, args=tuple(self(a) for a in ref.args))
        return ref

    def message(self, message: MessageRef) -> MessageRef:
        headers = self(message.headers) if message.headers is not None else None
        return replace(message, payload=self(message.payload), headers=headers)

    def route(self, route: Route) -> Route:
        return replace(
            route,
            payload=self(route.payload),
            messages=tuple(self.message(m) for m in route.messages),
            parameters=tuple(replace(p, type=self(p.type)) for p in route.parameters),
        )


def _finish_models(walker: _Builder, names: dict[str, str]) -> tuple[Model, ...]:
    rename = _Renamer(names)
    models = []
    for draft in walker.drafts.values():
        models.append(
            Model(
                name=names[draft.uri],
                pointer=_source(draft.node, walker.resolver),
                kind=draft.kind,
                description=draft.description,
                fields=tuple(replace(f, type=rename(f.type)) for f in draft.fields),
                extra=rename(draft.extra) if draft.extra is not None else None,
                members=tuple(
                    EnumMember(n, literal) for n, literal, _ in draft.members
                ),
                validator=draft.validator,
            )
        )
    return tuple(sorted(models, key=lambda m: m.name))


def _source(node: Node, resolver: Resolver) -> str:
    """Where a schema stands, for people: file relative to the root folder, then pointer."""
    path = node.document.path.resolve()
    try:
        shown = path.relative_to(resolver.root_dir).as_posix()
    except ValueError:
        shown = path.name
    return f"{shown}{node.pointer}"


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch, returning a new value."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


def _payload_union(messages: list[MessageRef], hint: str) -> TypeRef:
    if not messages:
        return JSON
    if len(messages) == 1:
        return messages[0].payload
    members = tuple(m.payload for m in messages)
    return TypeRef(
        Kind.UNION, args=members, checks=tuple(m.validator for m in messages)
    )


def _address_pattern(address: str) -> str:
    """A regex for concrete addresses: each `{name}` is one non-empty level, the rest literal."""
    parts = []
    last = 0
    for index, match in enumerate(_PARAM.finditer(address)):
        parts.append(re.escape(address[last : match.start()]))
        parts.append(f"(?P<p{index}>[^/]+)")
        last = match.end()
    parts.append(re.escape(address[last:]))
    return "".join(parts)


def _segments(
    address: str, parameters: tuple[Parameter, ...]
) -> tuple[tuple[str, str], ...]:
    by_wire = {p.wire_name: p.name for p in parameters}
    result: list[tuple[str, str]] = []
    last = 0
    for match in _PARAM.finditer(address):
        if match.start() > last:
            result.append(("literal", address[last : match.start()]))
        result.append(("param", by_wire[match.group(1)]))
        last = match.end()
    if last < len(address):
        result.append(("literal", address[last:]))
    return tuple(result)


def _is_json_schema_format(schema_format: str) -> bool:
    lowered = schema_format.lower()
    return (
        lowered.startswith("application/vnd.aai.asyncapi")
        or lowered.startswith("application/schema+json")
        or lowered.startswith("application/schema+yaml")
        or lowered.startswith("application/vnd.oai.openapi")
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
