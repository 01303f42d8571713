"""The whole job: load -> resolve -> build -> emit, for one Config.

Returns the package files as text, not yet formatted; write.py formats and writes them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .build import build_ir
from .config import Config
from .emit import emit_package
from .errors import Diagnostic, DiagnosticSink, DocumentError, Severity
from .limits import check_expansion
from .load import Document, load_document, pointer_join
from .resolve import resolve_document
from .structure import check_structure

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GeneratedPackage:
    """The files of one generated package, keyed by POSIX path under the output folder."""

    package_name: str
    files: dict[str, str]
    # Every file read (the root document and each file a reference reached), so the
    # manifest can tell later whether the inputs changed.
    inputs: tuple[Path, ...] | None = None


@contextmanager
def _stage(name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    logger.debug("stage %s: %.4f", name, time.perf_counter() - started)


def generate_files(config: Config, sink: DiagnosticSink) -> GeneratedPackage:
    """Generate the package for `config.spec`.

    Raises:
        DocumentError: the document or a file it references is broken; every error found is
            in the exception, warnings stay in `sink`.
    """
    with _stage("load"):
        # Duplicate keys go to the sink: the structure check still runs, one run shows all.
        document = load_document(config.spec, sink=sink)
    with _stage("check"):
        check_structure(document, sink)
        # Known limitation: references are followed only in a document whose structure is
        # valid; a document with both kinds of error shows the structure errors first.
        sink.raise_if_errors()
    with _stage("resolve"):
        resolver = resolve_document(document, config)
        check_expansion(resolver, sink)
        sink.raise_if_errors()
    try:
        with _stage("build"):
            api = build_ir(resolver, config, sink)
        logger.info(
            "read %d documents, followed %d references",
            len(resolver.documents),
            resolver.followed,
        )
        with _stage("emit"):
            files = emit_package(api)
    except RecursionError as exc:
        # Known limitation: the build and emit stages recurse once per level of schema
        # nesting; a document nested deeper than Python's recursion limit allows stops
        # here with an error at its deepest place.
        raise _too_deep(document) from exc
    logger.info("emitted %d files", len(files))
    inputs = tuple(
        d.path for d in resolver.documents.values() if d.uri.startswith("file:")
    )
    return GeneratedPackage(api.package_name, files, inputs)


def _too_deep(document: Document) -> DocumentError:
    pointer, depth = _deepest(document.value)
    message = (
        f"schemas nest too deeply to generate: {depth} levels here, more than the"
        " generator's recursion allows"
    )
    hint = "name inner schemas in components/schemas and refer to them with $ref"
    diagnostic = Diagnostic(Severity.ERROR, message, document.locate(pointer), hint)
    return DocumentError([diagnostic])


def _deepest(value: Any) -> tuple[str, int]:
    """The pointer of a deepest value in the tree, and its depth; no recursion."""
    best = ("#", 0)
    stack: list[tuple[Any, str, int]] = [(value, "#", 0)]
    while stack:
        node, pointer, depth = stack.pop()
        if depth > best[1]:
            best = (pointer, depth)
        if isinstance(node, (dict, list)):
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend(
                (child, pointer_join(pointer, key), depth + 1) for key, child in items
            )
    return best
