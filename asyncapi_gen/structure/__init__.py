"""Structure check: the root document as written against the AsyncAPI 2.0-2.6 objects.

Takes a loaded Document and a DiagnosticSink; reports missing required fields, wrong types and
unknown fields anywhere in the document in one pass. References are not followed.
"""

from __future__ import annotations

from ..errors import DiagnosticSink
from ..load import Document
from .tables import ROOT
from .version import read_version
from .walk import Walker, kind_of

__all__ = ["check_structure"]


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
    Walker(document, sink, minor).walk(root, ROOT, "#", "the document root")
