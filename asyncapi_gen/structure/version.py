"""Read the `asyncapi` field: which 2.x minor version's rules apply, or none at all."""

from __future__ import annotations

import re
from typing import Any

from ..errors import DiagnosticSink
from ..load import Document
from .describe import closest, is_number, kind_of, quote

SUPPORTED = tuple(f"2.{minor}.0" for minor in range(7))
LATEST = len(SUPPORTED) - 1
_MAJOR_MINOR = re.compile(r"\s*(\d+)(?:\.(\d+))?")


def read_version(
    root: dict[str, Any], document: Document, sink: DiagnosticSink
) -> int | None:
    """Return the minor version whose rules check the document, or None to check nothing more.

    A missing or malformed 2.x version is reported and the latest 2.x rules still apply, so
    the rest of the document is checked in the same run; 1.x and 3.x documents stop here.
    """
    if "asyncapi" not in root:
        sink.error(
            "missing required field 'asyncapi' in the document root",
            document.locate("#"),
            f"add 'asyncapi: {SUPPORTED[-1]}' (the AsyncAPI version the document follows)",
        )
        return LATEST
    value = root["asyncapi"]
    if isinstance(value, str) and value in SUPPORTED:
        return SUPPORTED.index(value)
    return _report(value, document, sink)


def _report(value: Any, document: Document, sink: DiagnosticSink) -> int | None:
    where = document.locate("#/asyncapi")
    text = value if isinstance(value, str) else repr(value) if is_number(value) else ""
    parsed = _MAJOR_MINOR.match(text)
    major = parsed.group(1) if parsed else None
    if major == "1":
        sink.error("asyncapi 1.x documents are not supported; convert to 2.x", where)
        return None
    if major == "3":
        sink.error("AsyncAPI 3.x is not supported yet; this tool reads 2.0-2.6", where)
        return None
    guess = _guess_minor(parsed)
    if not isinstance(value, str):
        hint = f"quote the version: asyncapi: '{SUPPORTED[guess]}'" if text else None
        sink.error(f"'asyncapi' must be a string, found {kind_of(value)}", where, hint)
        return guess
    near = closest(value, SUPPORTED, cutoff=0.6)
    sink.error(
        f"unsupported asyncapi version {quote(value)}; this tool reads "
        f"{SUPPORTED[0]} to {SUPPORTED[-1]}",
        where,
        f"did you mean '{near}'?" if near else None,
    )
    return guess


def _guess_minor(parsed: re.Match[str] | None) -> int:
    # '2.4' or 2.4 most likely means 2.4.0; anything else is checked by the latest rules.
    if parsed and parsed.group(1) == "2" and parsed.group(2) is not None:
        minor = int(parsed.group(2))
        if minor <= LATEST:
            return minor
    return LATEST
