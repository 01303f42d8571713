"""Build stage: resolved document -> IR (models, lookup entries, routes, validators).

Takes the Resolver and Config, returns an `ir.Api` with every name decided. Naming and
collision rules are applied here only (through naming.py): schemas.py types schemas and
drafts models, document.py walks the AsyncAPI structure.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from .. import naming
from ..config import Config
from ..errors import DiagnosticSink
from ..ir import Api, Entry, EnumMember, Kind, MessageRef, Model, Route, TypeRef
from ..resolve import Node, Resolver, check_references
from ..validators import compile_validators
from .document import _DocumentWalker, _text
from .schemas import MAX_TYPE_DEPTH, _Builder

logger = logging.getLogger(__name__)

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


__all__ = ["MAX_TYPE_DEPTH", "build_ir"]


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
