"""Build stage, schemas: a schema (merged through `allOf`) -> a TypeRef, and models.

Object and enum schemas become model drafts; their class names are settled at the end, by
a rule that depends only on names and pointers.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .. import naming
from ..config import Config
from ..errors import DiagnosticSink
from ..ir import (
    Field,
    Kind,
    TypeRef,
)
from ..resolve import Node, ReferenceError_, Resolver

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
            # Known limitation: an array, map or union schema that contains itself (not
            # through an object model) has no named type to point at; the inner place is
            # typed as any JSON value, and the validator still checks it exactly.
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
