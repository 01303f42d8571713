"""Build stage, document: servers, component schemas and messages, channels and routes.

Walks the AsyncAPI 2.x structure on top of the schema builder; traits are merged here.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from .. import naming, samples
from ..config import Config, Perspective
from ..errors import DiagnosticSink
from ..ir import (
    Entry,
    Kind,
    MessageRef,
    Parameter,
    Route,
    Server,
    TypeRef,
)
from ..load import escape_token
from ..resolve import Node, Resolver
from .schemas import JSON, _Builder

logger = logging.getLogger(__name__)

_PARAM = re.compile(r"\{([^{}]*)\}")
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
