"""The structure check accepts and rejects the same documents as the official AsyncAPI schemas.

Over the shared corpus, the shared cases and our own fixtures, "check_structure reports an
error" must equal "jsonschema against the official 2.x schema reports an error", once the fields
we warn about as unknown are removed (we warn where the official schemas reject: see
docs/structure.md). Deliberate differences are pinned below, so a new one fails the test.
Mutations of small valid documents (wrong kinds, removed fields, unknown fields) widen the net.
"""

from __future__ import annotations

import copy
import functools
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asyncapi_gen.errors import DiagnosticSink, DocumentError
from asyncapi_gen.load import Document, load_document
from asyncapi_gen.structure import check_structure

jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
SCHEMAS = SHARED / "asyncapi-schemas"
FIXTURES = REPO / "tests" / "fixtures" / "structure"
DOCS = REPO / "docs" / "structure.md"
SUPPORTED = tuple(f"2.{minor}.0" for minor in range(7))

# Documents on which we and the official schemas disagree on purpose: path -> the heading of
# docs/structure.md that explains it, and which side rejects.
DELIBERATE: dict[str, tuple[str, str]] = {
    "corpus/spec-streetlights-2.0.0/streetlights.yml": (
        "Parameter references in 2.0-2.4",
        "official",
    ),
    "corpus/mainflux-websocket/websocket.yml": (
        "Parameter references in 2.0-2.4",
        "official",
    ),
    "corpus/zenwave-kitchensink-avro/asyncapi-avro.yml": (
        "Payload references under Avro and OpenAPI formats",
        "official",
    ),
    "fixtures/deliberate/parameter-ref-2.4.yaml": (
        "Parameter references in 2.0-2.4",
        "official",
    ),
    "fixtures/deliberate/avro-payload-ref.yaml": (
        "Payload references under Avro and OpenAPI formats",
        "official",
    ),
    "fixtures/deliberate/openapi-payload-ref.yaml": (
        "Payload references under Avro and OpenAPI formats",
        "official",
    ),
    "fixtures/deliberate/oauth2-ref-beside-fields.yaml": (
        "References beside oauth2 fields",
        "official",
    ),
    "fixtures/deliberate/parameter-not-mapping.yaml": (
        "Parameters that are not mappings",
        "ours",
    ),
    "fixtures/deliberate/security-scheme-odd-name.yaml": (
        "Components under names outside the name pattern",
        "ours",
    ),
    "fixtures/deliberate/avro-name-trailing-newline.yaml": (
        "Patterns end at the end of the text",
        "ours",
    ),
}


def require_shared() -> None:
    if not SCHEMAS.is_dir():
        pytest.skip(f"shared folder with official schemas not found at {SHARED}")


def corpus_entries() -> list[Path]:
    """Return the entry files the corpus README lists, in its order."""
    readme = (SHARED / "corpus" / "README.md").read_text(encoding="utf-8")
    entries: list[Path] = []
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) < 4 or not (SHARED / "corpus" / cells[1]).is_dir():
            continue
        for entry in re.findall(r"`([^`]+)`", cells[2]):
            entries.append(SHARED / "corpus" / cells[1] / entry)
    return entries


def all_documents() -> list[tuple[str, Path]]:
    """Return (short name, path) for every document the oracle compares."""
    found = [(f"fixtures/{p.relative_to(FIXTURES)}", p) for p in fixture_paths()]
    if SCHEMAS.is_dir():
        found += [
            (f"corpus/{p.relative_to(SHARED / 'corpus')}", p) for p in corpus_entries()
        ]
        cases = sorted((SHARED / "cases").glob("*/spec.yaml"))
        found += [(f"cases/{p.relative_to(SHARED / 'cases')}", p) for p in cases]
    return found


def fixture_paths() -> list[Path]:
    return sorted(FIXTURES.rglob("*.yaml"))


@functools.cache
def validator(version: str) -> Any:
    schema = json.loads((SCHEMAS / f"{version}.json").read_text(encoding="utf-8"))
    # The definitions refer to each other by '$ref'; a registry resolves them the same way
    # whether a variant of the schemas carries '$id's or only local pointers.
    uri = f"urn:asyncapi-schema:{version}"
    resource = referencing.jsonschema.DRAFT7.create_resource(schema)
    registry = referencing.Registry().with_resource(uri, resource)
    return jsonschema.Draft7Validator({"$ref": uri}, registry=registry)


def official_rejects(value: Any) -> bool:
    """Return whether the official schema of the document's version reports an error."""
    version = value.get("asyncapi") if isinstance(value, dict) else None
    if version not in SUPPORTED:
        return True  # every 2.x schema requires its own version string
    return next(validator(version).iter_errors(value), None) is not None


def our_findings(document: Document) -> tuple[bool, list[str]]:
    """Return whether we report an error, and the pointers of unknown-field warnings."""
    sink = DiagnosticSink()
    check_structure(document, sink)
    unknown = [
        d.location.pointer
        for d in sink.warnings
        if d.message.startswith("unknown field ") and d.location is not None
    ]
    return bool(sink.errors), unknown


def tokens(pointer: str) -> list[str]:
    parts = pointer.removeprefix("#").split("/")[1:]
    return [p.replace("~1", "/").replace("~0", "~") for p in parts]


def without(value: Any, pointers: list[str]) -> Any:
    """Return a copy of `value` with the keys at `pointers` removed."""
    result = copy.deepcopy(value)
    for pointer in pointers:
        *path, last = tokens(pointer)
        parent = result
        for token in path:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        del parent[last]
    return result


def disagreement(document: Document) -> str | None:
    """Describe how we and the official schemas disagree on `document`, or return None."""
    ours, unknown = our_findings(document)
    theirs = official_rejects(without(document.value, unknown))
    if ours != theirs:
        return "ours" if ours else "official"
    if ours:
        return None
    for pointer in unknown:
        others = [p for p in unknown if p != pointer]
        if not official_rejects(without(document.value, others)):
            return f"spurious unknown-field warning at {pointer}"
    return None


@functools.cache
def loaded() -> dict[str, Document]:
    """Load every compared document; the loader's own rejections are not ours to compare."""
    documents = {}
    for name, path in all_documents():
        try:
            documents[name] = load_document(path)
        except DocumentError:
            continue
    return documents


def test_documents_agree_with_official_schemas_except_pinned() -> None:
    require_shared()
    found: dict[str, str] = {}
    for name, document in loaded().items():
        verdict = disagreement(document)
        if verdict is not None:
            found[name] = verdict

    expected = {name: side for name, (_, side) in DELIBERATE.items()}
    assert found == expected


def test_every_pinned_difference_is_explained_in_docs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (.+)$", text, flags=re.MULTILINE))
    for name, (heading, _) in DELIBERATE.items():
        assert heading in headings, name
    for name in DELIBERATE:
        if name.startswith("fixtures/"):
            assert (FIXTURES / name.removeprefix("fixtures/")).is_file(), name


def test_oracle_covers_every_version_and_the_corpus() -> None:
    require_shared()
    names = list(loaded())
    versions = set()
    for document in loaded().values():
        if isinstance(document.value, dict):
            versions.add(document.value.get("asyncapi"))
    assert set(SUPPORTED) <= versions
    assert len([n for n in names if n.startswith("corpus/")]) >= 25


# Mutations: each changes one place of a valid document; we must still agree with the
# official schemas (up to the pinned kinds of difference, recognised by where they happen).

REPLACEMENTS: list[Any] = [7, "text", [], {}, None, True, 2.5, -1, ["a", "a"]]
MUTATION_SOURCES = [
    "fixtures/good/kitchen-sink-2.6.yaml",
    "fixtures/good/everything-2.0.yaml",
    "fixtures/good/formats-2.4.yaml",
    "corpus/spec-operation-security/operation-security.yml",
]


def nodes(value: Any, pointer: str = "#") -> Iterator[tuple[str, Any]]:
    yield pointer, value
    if isinstance(value, dict):
        for key, item in value.items():
            escaped = key.replace("~", "~0").replace("/", "~1")
            yield from nodes(item, f"{pointer}/{escaped}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nodes(item, f"{pointer}/{index}")


def mutations(value: Any, rng: random.Random) -> Iterator[tuple[str, str, Any]]:
    """Yield (pointer, description, mutated copy) for every node of `value`."""
    for pointer, node in list(nodes(value)):
        if pointer == "#":
            continue
        *path, last = tokens(pointer)
        new = rng.choice([r for r in REPLACEMENTS if r != node])
        yield pointer, f"replace by {new!r}", set_at(value, path, last, new)
        if not path or not isinstance(get_at(value, path), list):
            yield pointer, "remove", remove_at(value, path, last)
        if isinstance(node, dict):
            added = set_at(value, [*path, last], "unknownFieldName", 1)
            yield pointer, "add an unknown field", added


def get_at(value: Any, path: list[str]) -> Any:
    for token in path:
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


def set_at(value: Any, path: list[str], last: str, new: Any) -> Any:
    result = copy.deepcopy(value)
    parent = get_at(result, path)
    if isinstance(parent, list):
        parent[int(last)] = new
    else:
        parent[last] = new
    return result


def remove_at(value: Any, path: list[str], last: str) -> Any:
    result = copy.deepcopy(value)
    del get_at(result, path)[last]
    return result


def is_pinned_kind(pointer: str, verdict: str, minor: int, value: Any) -> bool:
    """Return whether a disagreement at `pointer` of `value` is one of the documented kinds."""
    if verdict == "ours":
        # Parameters that are not mappings; components under names outside the pattern.
        return bool(
            re.search(r"/parameters(/[^/]+)?$", pointer)
            or re.search(r"^#/components/(securitySchemes|correlationIds)$", pointer)
        )
    if minor <= 4 and "/parameters/" in pointer:
        return True  # parameter references in 2.0-2.4
    node = get_at(value, tokens(pointer)) if pointer != "#" else value
    is_reference = isinstance(node, dict) and "$ref" in node
    # Payload references under Avro and OpenAPI formats; references beside oauth2 fields.
    return is_reference and bool(
        pointer.endswith("/payload")
        or re.search(r"^#/components/securitySchemes/[^/]+$", pointer)
    )


def source_path(name: str) -> Path:
    if name.startswith("fixtures/"):
        return FIXTURES / name.removeprefix("fixtures/")
    return SHARED / name


@pytest.mark.parametrize("name", MUTATION_SOURCES)
def test_mutations_agree_with_official_schemas(name: str) -> None:
    require_shared()
    path = source_path(name)
    if not path.is_file():
        pytest.skip(f"{path} not found")
    document = load_document(path)
    document.locate("#")
    minor = SUPPORTED.index(document.value["asyncapi"])
    rng = random.Random(name)
    failures = []
    for pointer, description, value in mutations(document.value, rng):
        mutated = Document(document.path, document.display, value, document.positions)
        verdict = disagreement(mutated)
        if verdict is not None and not is_pinned_kind(pointer, verdict, minor, value):
            failures.append(f"{description} at {pointer}: {verdict}")
    assert failures == []
