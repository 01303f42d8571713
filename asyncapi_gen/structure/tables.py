"""The AsyncAPI 2.0-2.6 objects as shapes: fixed fields, their types and required fields.

A field's `since` is the minor version that introduced it; the walker treats a field as unknown
in documents of earlier versions, as each version's official schema does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from .shapes import (
    Anything,
    ByVersion,
    Choice,
    Field,
    Headers,
    Kind,
    ListOf,
    MapOf,
    Matching,
    Message,
    Obj,
    RefOr,
    Schema,
    SecurityScheme,
    Shape,
)

STRING = Kind("string")
BOOLEAN = Kind("boolean")
MAPPING = Kind("mapping")
TEXT = Field(STRING)

SCHEMA = Schema("asyncapi")
DRAFT07_SCHEMA = Schema("draft-07")

# AsyncAPI 2.x, Runtime Expression: the official schemas only check how it starts.
RUNTIME_EXPRESSION = Matching(
    re.compile(r"^\$message\.(header|payload)#(\/(([^\/~])|(~[01]))*)*"),
    "a runtime expression such as '$message.payload#/id'",
)


def fields(
    spelled: Mapping[str, Shape | Field] | None = None, /, **entries: Shape | Field
) -> MappingProxyType[str, Field]:
    """Build a read-only field table; bare shapes are fields known since 2.0.

    Names Python cannot spell as keywords ('$ref', 'in') come in `spelled`.
    """
    merged = {**(spelled or {}), **entries}
    built = {
        name: entry if isinstance(entry, Field) else Field(entry)
        for name, entry in merged.items()
    }
    return MappingProxyType(built)


EXTERNAL_DOCS = Obj(
    "external docs object",
    fields(description=TEXT, url=TEXT),
    required=("url",),
)
TAG = Obj(
    "tag object",
    fields(name=TEXT, description=TEXT, externalDocs=EXTERNAL_DOCS),
    required=("name",),
)
TAGS = ListOf(TAG, unique=True)
BINDINGS = MAPPING  # the official schemas check nothing inside a bindings object
SECURITY_REQUIREMENT = MapOf(ListOf(STRING, unique=True), "security scheme")

CONTACT = Obj("contact object", fields(name=TEXT, url=TEXT, email=TEXT))
LICENSE = Obj("license object", fields(name=TEXT, url=TEXT), required=("name",))
INFO = Obj(
    "info object",
    fields(
        title=TEXT,
        version=TEXT,
        description=TEXT,
        termsOfService=TEXT,
        contact=CONTACT,
        license=LICENSE,
    ),
    required=("title", "version"),
)

SERVER_VARIABLE = Obj(
    "server variable object",
    fields(
        enum=ListOf(STRING, unique=True),
        default=TEXT,
        description=TEXT,
        examples=ListOf(STRING),
    ),
)
SERVER_VARIABLES = MapOf(RefOr(SERVER_VARIABLE, since=5), "server variable")
SERVER = Obj(
    "server object",
    fields(
        url=TEXT,
        description=TEXT,
        protocol=TEXT,
        protocolVersion=TEXT,
        variables=SERVER_VARIABLES,
        security=ListOf(SECURITY_REQUIREMENT),
        bindings=BINDINGS,
        tags=Field(TAGS, since=5),
    ),
    required=("url", "protocol"),
)
SERVERS = MapOf(RefOr(SERVER, since=3), "server")

CORRELATION_ID = Obj(
    "correlation ID object",
    fields(description=TEXT, location=RUNTIME_EXPRESSION),
    required=("location",),
)
# In 2.0-2.4 the official Parameter definition also lists '$ref'; see docs/structure.md.
PARAMETER = Obj(
    "parameter object",
    fields(description=TEXT, schema=SCHEMA, location=RUNTIME_EXPRESSION),
)
PARAMETERS = MapOf(RefOr(PARAMETER), "parameter")

OPERATION_TRAIT = Obj(
    "operation trait object",
    fields(
        summary=TEXT,
        description=TEXT,
        tags=TAGS,
        externalDocs=EXTERNAL_DOCS,
        operationId=TEXT,
        security=Field(ListOf(SECURITY_REQUIREMENT), since=4),
        bindings=BINDINGS,
    ),
)
OPERATION = Obj(
    "operation object",
    fields(
        traits=ListOf(RefOr(OPERATION_TRAIT)),
        summary=TEXT,
        description=TEXT,
        security=Field(ListOf(SECURITY_REQUIREMENT), since=4),
        tags=TAGS,
        externalDocs=EXTERNAL_DOCS,
        operationId=TEXT,
        bindings=BINDINGS,
        message=Message(),
    ),
)

# Message examples: 2.0 allows headers and payload; 2.1 adds name and summary and asks for one of
# headers or payload. Trait examples follow the strict form only in the 2.1 and 2.6 schemas.
EXAMPLE_2_0 = Obj(
    "message example",
    fields(headers=MAPPING, payload=Anything()),
    extensions=None,
)
EXAMPLE = Obj(
    "message example",
    fields(name=TEXT, summary=TEXT, headers=MAPPING, payload=Anything()),
    extensions=None,
    any_required=("payload", "headers"),
)
MESSAGE_EXAMPLES = ListOf(ByVersion(((0, EXAMPLE_2_0), (1, EXAMPLE))))
TRAIT_EXAMPLES = ListOf(
    ByVersion(((0, MAPPING), (1, EXAMPLE), (2, MAPPING), (6, EXAMPLE)))
)

_MESSAGE_COMMON: dict[str, Shape | Field] = {
    "schemaFormat": STRING,
    "contentType": STRING,
    "headers": Headers(),
    "messageId": Field(STRING, since=4),
    "correlationId": RefOr(CORRELATION_ID),
    "tags": TAGS,
    "summary": STRING,
    "name": STRING,
    "title": STRING,
    "description": STRING,
    "externalDocs": EXTERNAL_DOCS,
    "deprecated": BOOLEAN,
    "bindings": BINDINGS,
}
MESSAGE_TRAIT = Obj(
    "message trait object",
    fields(**_MESSAGE_COMMON, examples=TRAIT_EXAMPLES),
)
MESSAGE_TRAITS = ListOf(RefOr(MESSAGE_TRAIT))
# The payload is checked by the walker against the shape its schemaFormat names.
MESSAGE_OBJECT = Obj(
    "message object",
    fields(
        **_MESSAGE_COMMON,
        payload=Anything(),
        examples=MESSAGE_EXAMPLES,
        traits=MESSAGE_TRAITS,
    ),
)
MESSAGE_ONE_OF = Obj(
    "message oneOf object",
    fields(oneOf=ListOf(Message())),
    required=("oneOf",),
    extensions=None,
)

CHANNEL = Obj(
    "channel item object",
    fields(
        {"$ref": STRING},
        parameters=PARAMETERS,
        description=TEXT,
        servers=Field(ListOf(STRING, unique=True), since=2),
        publish=OPERATION,
        subscribe=OPERATION,
        deprecated=BOOLEAN,
        bindings=BINDINGS,
    ),
)
CHANNELS = MapOf(CHANNEL, "channel", nonempty_names=True)


def _component(shape: MapOf) -> MapOf:
    return MapOf(shape.value, shape.noun, shape.nonempty_names, component_names=True)


def _bindings_map(noun: str) -> MapOf:
    return MapOf(BINDINGS, noun, component_names=True)


COMPONENTS = Obj(
    "components object",
    fields(
        schemas=MapOf(SCHEMA, "schema", component_names=True),
        servers=Field(_component(SERVERS), since=3),
        channels=Field(_component(CHANNELS), since=3),
        serverVariables=Field(_component(SERVER_VARIABLES), since=4),
        messages=MapOf(Message(), "message", component_names=True),
        securitySchemes=MapOf(
            RefOr(SecurityScheme()), "security scheme", component_names=True
        ),
        parameters=_component(PARAMETERS),
        correlationIds=MapOf(
            RefOr(CORRELATION_ID), "correlation ID", component_names=True
        ),
        operationTraits=MapOf(OPERATION_TRAIT, "operation trait", component_names=True),
        messageTraits=MapOf(MESSAGE_TRAIT, "message trait", component_names=True),
        serverBindings=_bindings_map("server bindings"),
        channelBindings=_bindings_map("channel bindings"),
        operationBindings=_bindings_map("operation bindings"),
        messageBindings=_bindings_map("message bindings"),
    ),
)

ROOT = Obj(
    "the document root",
    fields(
        asyncapi=Anything(),  # read first, by version.py
        id=TEXT,
        info=INFO,
        servers=SERVERS,
        defaultContentType=TEXT,
        channels=CHANNELS,
        components=COMPONENTS,
        tags=TAGS,
        externalDocs=EXTERNAL_DOCS,
    ),
    required=("info", "channels"),
)


def _flow(name: str, required: tuple[str, ...], forbidden: tuple[str, ...] = ()) -> Obj:
    return Obj(
        f"oauth2 {name} flow",
        fields(
            authorizationUrl=TEXT,
            tokenUrl=TEXT,
            refreshUrl=TEXT,
            scopes=MapOf(STRING, "scope"),
        ),
        required=required,
        forbidden=forbidden,
    )


OAUTH2_FLOWS = Obj(
    "oauth2 flows object",
    fields(
        implicit=_flow("implicit", ("authorizationUrl", "scopes"), ("tokenUrl",)),
        password=_flow("password", ("tokenUrl", "scopes"), ("authorizationUrl",)),
        clientCredentials=_flow(
            "client credentials", ("tokenUrl", "scopes"), ("authorizationUrl",)
        ),
        authorizationCode=_flow(
            "authorization code", ("authorizationUrl", "tokenUrl", "scopes")
        ),
    ),
    extensions=None,
)


def _scheme(
    kind: str,
    required: tuple[str, ...] = (),
    spelled: dict[str, Shape | Field] | None = None,
    closed: bool = True,
    **extra: Shape | Field,
) -> Obj:
    table = fields(
        {"type": Anything(), "description": TEXT, **(spelled or {})}, **extra
    )
    return Obj(f"{kind} security scheme", table, ("type", *required), closed=closed)


HTTP_BEARER = _scheme("http bearer", ("scheme",), scheme=TEXT, bearerFormat=TEXT)
HTTP_OTHER = _scheme("http", ("scheme",), scheme=TEXT)

# Security scheme types by name: (first minor version, shape); 'http' is split by the walker
# into HTTP_BEARER and HTTP_OTHER on its scheme, as the official schemas do.
SECURITY_SCHEMES: MappingProxyType[str, tuple[int, Obj]] = MappingProxyType(
    {
        "userPassword": (0, _scheme("userPassword")),
        "apiKey": (0, _scheme("apiKey", ("in",), {"in": Choice(("user", "password"))})),
        "X509": (0, _scheme("X509")),
        "symmetricEncryption": (0, _scheme("symmetricEncryption")),
        "asymmetricEncryption": (0, _scheme("asymmetricEncryption")),
        "http": (0, HTTP_OTHER),
        "httpApiKey": (
            0,
            _scheme(
                "httpApiKey",
                ("name", "in"),
                {"in": Choice(("header", "query", "cookie"))},
                name=TEXT,
            ),
        ),
        # The official schemas leave the oauth2 scheme open to unknown fields.
        "oauth2": (0, _scheme("oauth2", ("flows",), closed=False, flows=OAUTH2_FLOWS)),
        "openIdConnect": (
            0,
            _scheme("openIdConnect", ("openIdConnectUrl",), openIdConnectUrl=TEXT),
        ),
        "plain": (1, _scheme("plain")),
        "scramSha256": (1, _scheme("scramSha256")),
        "scramSha512": (1, _scheme("scramSha512")),
        "gssapi": (1, _scheme("gssapi")),
    }
)
