"""Structure check: the root document as written against the AsyncAPI 2.0-2.6 objects.

Takes a loaded Document and a DiagnosticSink; reports missing required fields, wrong types and
unknown fields anywhere in the document in one pass. References are not followed.
"""

from __future__ import annotations

import logging
from types import MappingProxyType
from typing import Any

from ..errors import DiagnosticSink
from ..load import Document
from .describe import kind_of
from .shapes import (
    AvroSchema,
    Message,
    OpenapiSchema,
    RefOr,
    SecurityScheme,
    Shape,
)
from .tables import (
    CHANNEL,
    CORRELATION_ID,
    MESSAGE_TRAIT,
    OPERATION,
    OPERATION_TRAIT,
    PARAMETER,
    ROOT,
    SCHEMA,
    SERVER,
    SERVER_VARIABLE,
)
from .version import SUPPORTED, read_version
from .walk import Walker

__all__ = ["FRAGMENT_KINDS", "check_fragment", "check_structure"]

logger = logging.getLogger(__name__)

# What a reference target may be, by the name a caller knows it under.
FRAGMENT_KINDS: MappingProxyType[str, Shape] = MappingProxyType(
    {
        "schema": SCHEMA,
        "openapi schema": OpenapiSchema(),
        "avro schema": AvroSchema(),
        "message": Message(),
        "channel": CHANNEL,
        "operation": OPERATION,
        "server": SERVER,
        "server variable": SERVER_VARIABLE,
        "parameter": RefOr(PARAMETER),
        "security scheme": SecurityScheme(),
        "correlation ID": CORRELATION_ID,
        "operation trait": OPERATION_TRAIT,
        "message trait": MESSAGE_TRAIT,
    }
)


def check_structure(document: Document, sink: DiagnosticSink) -> None:
    """Report every structural problem of `document` into `sink` (errors and warnings)."""
    root = document.value
    if not isinstance(root, dict):
        where = document.locate("#")
        sink.error(f"the document root must be a mapping, found {kind_of(root)}", where)
        return
    minor = read_version(root, document, sink)
    if minor is None:
        return
    before = len(sink.items)
    Walker(document, sink, minor).walk(root, ROOT, "#", "the document root")
    logger.info(
        "structure: %s read as asyncapi %s, %d diagnostics",
        document.display,
        SUPPORTED[minor],
        len(sink.items) - before,
    )


def check_fragment(
    document: Document,
    pointer: str,
    value: Any,
    kind: str,
    version: str,
    sink: DiagnosticSink,
) -> None:
    """Check one value of any document (a reference target) as an object of `kind`.

    `version` is the root document's `asyncapi` value; `kind` is a key of FRAGMENT_KINDS.
    References inside the value are accepted, not followed, as in check_structure.
    """
    minor = SUPPORTED.index(version) if version in SUPPORTED else len(SUPPORTED) - 1
    Walker(document, sink, minor).walk(value, FRAGMENT_KINDS[kind], pointer, kind)
