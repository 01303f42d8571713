"""Schema keywords as shapes: JSON Schema draft-07, AsyncAPI additions, OpenAPI 3.0 and Avro 1.9.

These follow the meta-schemas the official AsyncAPI 2.x schemas embed for payloads.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from .shapes import (
    Anything,
    AvroField,
    AvroSchema,
    ByKind,
    Choice,
    Kind,
    ListOf,
    MapOf,
    Matching,
    Obj,
    OpenapiSchema,
    Schema,
    Shape,
)
from .tables import BOOLEAN, DRAFT07_SCHEMA, EXTERNAL_DOCS, SCHEMA, STRING, fields

NUMBER = Kind("number")
COUNT = Kind("non-negative integer")
SIMPLE_TYPES = (
    "array",
    "boolean",
    "integer",
    "null",
    "number",
    "object",
    "string",
)
SIMPLE_TYPE = Choice(SIMPLE_TYPES)
STRING_SET = ListOf(STRING, unique=True)


def _draft07(keep: Schema) -> dict[str, Shape]:
    """Return draft-07 keywords; subschemas under `keep`'s keywords stay in its mode.

    The AsyncAPI Schema Object re-applies itself only below additionalProperties, items,
    allOf, oneOf, anyOf, not, properties, patternProperties, propertyNames and contains;
    below the other keywords only draft-07 applies.
    """
    plain = DRAFT07_SCHEMA
    schema_list = ListOf(keep, min_items=1)
    return {
        "$id": STRING,
        "$schema": STRING,
        "$ref": STRING,
        "$comment": STRING,
        "title": STRING,
        "description": STRING,
        "default": Anything(),
        "readOnly": BOOLEAN,
        "writeOnly": BOOLEAN,
        "examples": ListOf(Anything()),
        "multipleOf": Kind("positive number"),
        "maximum": NUMBER,
        "exclusiveMaximum": NUMBER,
        "minimum": NUMBER,
        "exclusiveMinimum": NUMBER,
        "maxLength": COUNT,
        "minLength": COUNT,
        "pattern": STRING,
        "additionalItems": plain,
        "items": ByKind(
            (("schema", keep), ("list", schema_list)),
            "a schema or a list of schemas",
        ),
        "maxItems": COUNT,
        "minItems": COUNT,
        "uniqueItems": BOOLEAN,
        "contains": keep,
        "maxProperties": COUNT,
        "minProperties": COUNT,
        "required": STRING_SET,
        "additionalProperties": keep,
        "definitions": MapOf(plain, "definition"),
        "properties": MapOf(keep, "property"),
        "patternProperties": MapOf(keep, "pattern property"),
        "dependencies": MapOf(
            ByKind(
                (("schema", plain), ("list", STRING_SET)),
                "a schema or a list of property names",
            ),
            "dependency",
        ),
        "propertyNames": keep,
        "const": Anything(),
        "enum": ListOf(Anything(), unique=True, min_items=1),
        "type": ByKind(
            (("string", SIMPLE_TYPE), ("list", ListOf(SIMPLE_TYPE, True, 1))),
            "a type name or a list of type names",
        ),
        "format": STRING,
        "contentMediaType": STRING,
        "contentEncoding": STRING,
        "if": plain,
        "then": plain,
        "else": plain,
        "allOf": schema_list,
        "anyOf": schema_list,
        "oneOf": schema_list,
        "not": keep,
    }


DRAFT07_KEYWORDS: MappingProxyType[str, Shape] = MappingProxyType(
    _draft07(DRAFT07_SCHEMA)
)
ASYNCAPI_KEYWORDS: MappingProxyType[str, Shape] = MappingProxyType(
    {
        **_draft07(SCHEMA),
        "discriminator": STRING,
        "externalDocs": EXTERNAL_DOCS,
        "deprecated": BOOLEAN,
    }
)

# OpenAPI 3.0 Schema Object, as the official AsyncAPI schemas embed it: closed, with its own
# reading of exclusiveMinimum/exclusiveMaximum (booleans) and a single type name.
_OPENAPI_EXTENSION = re.compile(r"^x-")
OPENAPI = OpenapiSchema()
_OPENAPI_LIST = ListOf(OPENAPI)
OPENAPI_SCHEMA = Obj(
    "openapi 3.0 schema",
    fields(
        {"not": OPENAPI},
        title=STRING,
        multipleOf=Kind("positive number"),
        maximum=NUMBER,
        exclusiveMaximum=BOOLEAN,
        minimum=NUMBER,
        exclusiveMinimum=BOOLEAN,
        maxLength=COUNT,
        minLength=COUNT,
        pattern=STRING,
        maxItems=COUNT,
        minItems=COUNT,
        uniqueItems=BOOLEAN,
        maxProperties=COUNT,
        minProperties=COUNT,
        required=ListOf(STRING, unique=True, min_items=1),
        enum=ListOf(Anything(), min_items=1),
        type=Choice(("array", "boolean", "integer", "number", "object", "string")),
        allOf=_OPENAPI_LIST,
        oneOf=_OPENAPI_LIST,
        anyOf=_OPENAPI_LIST,
        items=OPENAPI,
        properties=MapOf(OPENAPI, "property"),
        additionalProperties=ByKind(
            (("mapping", OPENAPI), ("boolean", Anything())),
            "a schema or a boolean",
        ),
        description=STRING,
        format=STRING,
        default=Anything(),
        nullable=BOOLEAN,
        discriminator=Obj(
            "openapi discriminator object",
            fields(propertyName=STRING, mapping=MapOf(STRING, "mapping")),
            required=("propertyName",),
            closed=False,
        ),
        readOnly=BOOLEAN,
        writeOnly=BOOLEAN,
        example=Anything(),
        externalDocs=Obj(
            "openapi external docs object",
            fields(description=STRING, url=STRING),
            required=("url",),
            extensions=_OPENAPI_EXTENSION,
        ),
        deprecated=BOOLEAN,
        xml=Obj(
            "openapi xml object",
            fields(
                name=STRING,
                namespace=STRING,
                prefix=STRING,
                attribute=BOOLEAN,
                wrapped=BOOLEAN,
            ),
            extensions=_OPENAPI_EXTENSION,
        ),
    ),
    extensions=_OPENAPI_EXTENSION,
)
# Avro 1.9, as the official AsyncAPI schemas describe it.
AVRO_PRIMITIVES = (
    "null",
    "boolean",
    "int",
    "long",
    "float",
    "double",
    "bytes",
    "string",
)
AVRO_FULL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
AVRO_NAME = Matching(
    re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z"),
    "an avro name (letters, digits and '_', not starting with a digit)",
)
AVRO_NAMESPACE = Matching(
    re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)*\Z"),
    "an avro namespace (names joined by '.')",
)
AVRO = AvroSchema()
_AVRO_NAMES = ListOf(AVRO_NAME)


def _avro(kind: str, required: tuple[str, ...], **extra: Shape) -> Obj:
    # Avro objects are open: the official schemas accept any other key in them.
    table = fields(
        type=Anything(),
        name=AVRO_NAME,
        namespace=AVRO_NAMESPACE,
        doc=STRING,
        aliases=_AVRO_NAMES,
        **extra,
    )
    return Obj(f"avro {kind}", table, ("type", *required), None, closed=False)


AVRO_PRIMITIVE = Obj(
    "avro primitive type", fields(type=Anything()), ("type",), None, closed=False
)
AVRO_TYPES: MappingProxyType[str, Obj] = MappingProxyType(
    {
        "record": _avro("record", ("name", "fields"), fields=ListOf(AvroField())),
        "enum": _avro("enum", ("name", "symbols"), symbols=_AVRO_NAMES),
        "array": _avro("array", ("items",), items=AVRO),
        "map": _avro("map", ("values",), values=AVRO),
        "fixed": _avro("fixed", ("name", "size"), size=NUMBER),
    }
)
AVRO_FIELD = Obj(
    "avro field",
    fields(
        name=AVRO_NAME,
        type=AVRO,
        doc=STRING,
        default=Anything(),
        order=Choice(("ascending", "descending", "ignore")),
        aliases=_AVRO_NAMES,
    ),
    ("name", "type"),
    None,
    closed=False,
)
