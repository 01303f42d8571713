"""The structure check accepts and rejects the same documents as the official AsyncAPI schemas.

Over the shared corpus, the shared cases and our own fixtures, "check_structure reports an
error" must equal "jsonschema against the official 2.x schema reports an error", once the fields
we warn about as unknown are removed (we warn where the official schemas reject: see
docs/structure.md). Deliberate differences are pinned below, so a new one fails the test.
Mutations of small valid documents (wrong kinds, removed fields, unknown fields) widen the net.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from asyncapi_gen.errors import DiagnosticSink, DocumentError
from asyncapi_gen.load import Document, load_document
from asyncapi_gen.structure import check_structure, tables
from asyncapi_gen.structure.shapes import Obj

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


def disagreement(
    document: Document, rejects: Callable[[Any], bool] = official_rejects
) -> str | None:
    """Describe how we and the official schemas disagree on `document`, or return None."""
    ours, unknown = our_findings(document)
    theirs = rejects(without(document.value, unknown) if unknown else document.value)
    if ours != theirs:
        return "ours" if ours else "official"
    if ours:
        return None
    for pointer in unknown:
        others = [p for p in unknown if p != pointer]
        if not rejects(without(document.value, others)):
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
# official schemas, up to the documented kinds of difference (recognised by where they happen).
# Thousands of mutations need a fast validator: jsonschema-rs applies the same draft-07 rules
# (with format assertions off, as jsonschema has them by default); it differs from Python's
# 're' only on non-ASCII '\w' and a final newline before '$', which no mutation produces.

REPLACEMENTS: list[Any] = [
    7,
    0,
    -1,
    2.5,
    True,
    None,
    "",
    "text",
    "object",
    [],
    ["a", "a"],
    [{}],
    {},
    {"a": 1},
    {"$ref": "#/x"},
    {"$ref": 5},
]
ADDED_KEYS = ["unknownFieldName", "x-ext", "$ref"]
MUTATION_SOURCES = [
    "fixtures/good/kitchen-sink-2.6.yaml",
    "fixtures/good/everything-2.0.yaml",
    "fixtures/good/formats-2.4.yaml",
    "fixtures/good/sasl-2.1.yaml",
    "fixtures/good/server-tags-2.5.yaml",
    "corpus/spec-operation-security/operation-security.yml",
]
REMOVED = object()


@functools.cache
def fast_validator(version: str) -> Any:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    schema = json.loads((SCHEMAS / f"{version}.json").read_text(encoding="utf-8"))
    return jsonschema_rs.Draft7Validator(schema, validate_formats=False)


def fast_rejects(value: Any) -> bool:
    version = value.get("asyncapi") if isinstance(value, dict) else None
    if version not in SUPPORTED:
        return True
    return not fast_validator(version).is_valid(value)


def nodes(value: Any, pointer: str = "#") -> Iterator[tuple[str, Any]]:
    yield pointer, value
    if isinstance(value, dict):
        for key, item in value.items():
            escaped = key.replace("~", "~0").replace("/", "~1")
            yield from nodes(item, f"{pointer}/{escaped}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nodes(item, f"{pointer}/{index}")


def mutations(value: Any) -> Iterator[tuple[str, str, list[str], str, Any]]:
    """Yield (pointer, description, parent path, key, new value or REMOVED) for each change."""
    for pointer, node in list(nodes(value)):
        if pointer == "#":
            continue
        *path, last = tokens(pointer)
        in_mapping = isinstance(get_at(value, path), dict)
        for new in REPLACEMENTS:
            if new != node or type(new) is not type(node):
                yield pointer, f"replace by {new!r}", path, last, new
        if in_mapping:
            yield pointer, "remove", path, last, REMOVED
        if isinstance(node, dict):
            for key in ADDED_KEYS:
                if key not in node:
                    yield pointer, f"add {key!r}", [*path, last], key, "#/x"


def get_at(value: Any, path: list[str]) -> Any:
    for token in path:
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value


@contextlib.contextmanager
def changed(value: Any, path: list[str], key: str, new: Any) -> Iterator[None]:
    """Change one place of `value` in place for the duration of the block."""
    parent = get_at(value, path)
    slot: Any = int(key) if isinstance(parent, list) else key
    had = isinstance(parent, list) or key in parent
    old = parent[slot] if had else None
    if new is REMOVED:
        del parent[slot]
    else:
        parent[slot] = new
    try:
        yield
    finally:
        if had:
            parent[slot] = old
        else:
            del parent[slot]


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
    node = get_at(value, tokens(pointer))
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
    value = document.value
    minor = SUPPORTED.index(value["asyncapi"])
    failures = []
    count = 0
    for pointer, description, parent, key, new in mutations(value):
        with changed(value, parent, key, new):
            count += 1
            verdict = disagreement(document, fast_rejects)
            if verdict is not None and not is_pinned_kind(
                pointer, verdict, minor, value
            ):
                failures.append(f"{description} at {pointer}: {verdict}")
    assert failures == []
    assert count > 100


# The tables themselves: same fields, required fields and openness as each official definition.


def official_objects(version: str) -> dict[str, dict[str, Any]]:
    schema = json.loads((SCHEMAS / f"{version}.json").read_text(encoding="utf-8"))
    definitions = schema["definitions"]
    found = {name: definitions[name] for name in OUR_OBJECTS if name in definitions}
    found["root"] = schema
    found["message"] = definitions["message"]["oneOf"][1]["oneOf"][1]
    found["messageOneOf"] = definitions["message"]["oneOf"][1]["oneOf"][0]
    for flow in ("implicit", "password", "clientCredentials", "authorizationCode"):
        found[f"flow:{flow}"] = definitions["oauth2Flow"]
    found["flows"] = definitions["oauth2Flows"]["properties"]["flows"]
    return found


OUR_OBJECTS: dict[str, Obj] = {
    "root": tables.ROOT,
    "info": tables.INFO,
    "contact": tables.CONTACT,
    "license": tables.LICENSE,
    "server": tables.SERVER,
    "serverVariable": tables.SERVER_VARIABLE,
    "tag": tables.TAG,
    "externalDocs": tables.EXTERNAL_DOCS,
    "channelItem": tables.CHANNEL,
    "parameter": tables.PARAMETER,
    "operation": tables.OPERATION,
    "operationTrait": tables.OPERATION_TRAIT,
    "correlationId": tables.CORRELATION_ID,
    "message": tables.MESSAGE_OBJECT,
    "messageOneOf": tables.MESSAGE_ONE_OF,
    "messageTrait": tables.MESSAGE_TRAIT,
    "components": tables.COMPONENTS,
    "flows": tables.OAUTH2_FLOWS,
    "NonBearerHTTPSecurityScheme": tables.HTTP_OTHER,
    "BearerHTTPSecurityScheme": tables.HTTP_BEARER,
    "APIKeyHTTPSecurityScheme": tables.SECURITY_SCHEMES["httpApiKey"][1],
    "oauth2Flows": tables.SECURITY_SCHEMES["oauth2"][1],
    "openIdConnect": tables.SECURITY_SCHEMES["openIdConnect"][1],
    "userPassword": tables.SECURITY_SCHEMES["userPassword"][1],
    "apiKey": tables.SECURITY_SCHEMES["apiKey"][1],
    "X509": tables.SECURITY_SCHEMES["X509"][1],
    "symmetricEncryption": tables.SECURITY_SCHEMES["symmetricEncryption"][1],
    "asymmetricEncryption": tables.SECURITY_SCHEMES["asymmetricEncryption"][1],
    "SaslPlainSecurityScheme": tables.SECURITY_SCHEMES["plain"][1],
    "SaslScramSecurityScheme": tables.SECURITY_SCHEMES["scramSha256"][1],
    "SaslGssapiSecurityScheme": tables.SECURITY_SCHEMES["gssapi"][1],
}
for _flow in ("implicit", "password", "clientCredentials", "authorizationCode"):
    _shape = tables.OAUTH2_FLOWS.fields[_flow].shape
    assert isinstance(_shape, Obj)
    OUR_OBJECTS[f"flow:{_flow}"] = _shape


def our_view(shape: Obj, minor: int) -> tuple[set[str], set[str], bool, bool]:
    names = {n for n, f in shape.fields.items() if f.since <= minor}
    return names, set(shape.required), shape.closed, shape.extensions is not None


def their_view(
    definition: dict[str, Any], name: str
) -> tuple[set[str], set[str], bool, bool]:
    names = set(definition.get("properties", {}))
    if name == "parameter":
        names.discard("$ref")  # see docs/structure.md, parameter references in 2.0-2.4
    required = set(definition.get("required", []))
    if name.startswith("flow:"):
        required = set()  # each flow's own requirements are checked by the mutations
    closed = definition.get("additionalProperties") is False
    extensions = bool(definition.get("patternProperties"))
    return names, required, closed, extensions


@pytest.mark.parametrize("version", SUPPORTED)
def test_object_tables_match_official_definitions(version: str) -> None:
    require_shared()
    minor = SUPPORTED.index(version)
    mismatches = []
    for name, definition in official_objects(version).items():
        ours = our_view(OUR_OBJECTS[name], minor)
        if name.startswith("flow:"):
            ours = (ours[0], set(), ours[2], ours[3])
        if name == "root":
            ours = (ours[0], ours[1] | {"asyncapi"}, ours[2], ours[3])
        if ours != their_view(definition, name):
            mismatches.append(
                f"{name}: ours {ours} official {their_view(definition, name)}"
            )
    assert mismatches == []
