"""Unit tests of the structure check: exact diagnostics, versions, references, limits."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from asyncapi_gen.errors import Diagnostic, DiagnosticSink
from asyncapi_gen.load import Document, load_document, load_text
from asyncapi_gen.structure import check_fragment, check_structure
from asyncapi_gen.structure.describe import json_key

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "structure"
BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
GOOD = sorted((FIXTURES / "good").glob("*.yaml"))


def check(text: str) -> list[str]:
    """Check an inline YAML document; return its rendered diagnostics in order."""
    return [d.render() for d in diagnostics(text)]


def messages(text: str) -> list[str]:
    """Check an inline YAML document; return the message of each diagnostic in order."""
    return [d.message for d in diagnostics(text)]


def diagnostics(text: str) -> list[Diagnostic]:
    document = load_text(textwrap.dedent(text), Path("doc.yaml"), "doc.yaml")
    return sorted(run(document).items, key=Diagnostic.sort_key)


def check_document(document: Document) -> list[str]:
    return [d.render() for d in sorted(run(document).items, key=Diagnostic.sort_key)]


def run(document: Document) -> DiagnosticSink:
    sink = DiagnosticSink()
    check_structure(document, sink)
    return sink


def check_value(value: Any) -> DiagnosticSink:
    return run(Document(Path("doc.yaml"), "doc.yaml", value))


MINIMAL = """\
asyncapi: {version}
info:
  title: t
  version: "1"
channels: {{}}
"""


# Fixtures: every kind of error, with exact expected output


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_fixture_reports_exactly_the_expected_diagnostics(path: Path) -> None:
    document = load_document(path, display=str(path.relative_to(FIXTURES)))

    rendered = "\n".join(check_document(document)) + "\n"

    assert rendered == path.with_suffix(".expected").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_fixture_has_no_diagnostics(path: Path) -> None:
    assert check_document(load_document(path)) == []


def test_good_fixtures_cover_every_minor_version() -> None:
    versions = {load_document(p).value["asyncapi"] for p in GOOD}

    assert versions == {f"2.{minor}.0" for minor in range(7)}


KINDS_OF_PROBLEM = [
    "error: the document root must be a mapping",
    "error: missing required field 'asyncapi'",
    "error: 'asyncapi' must be a string",
    "error: asyncapi 1.x documents are not supported",
    "error: AsyncAPI 3.x is not supported yet",
    "error: unsupported asyncapi version",
    "error: missing required field",
    "must be a mapping, found",
    "must be a string, found",
    "must be a list, found",
    "must be a boolean, found",
    "must be a number, found",
    "must be a schema (a mapping or a boolean), found",
    "must be a non-negative integer, found",
    "must be a number greater than 0, found",
    "must be one of",
    "must be a runtime expression",
    "must be an avro name",
    "error: duplicate item",
    "repeats item",
    "must not be empty",
    "name must not be empty",
    "is not allowed in oauth2",
    "needs 'payload' or 'headers'",
    "message headers must have type 'object'",
    "warning: unknown field",
    "warning: unknown keyword",
    "is not a valid component name",
    "needs asyncapi 2.",
    "did you mean",
    "a misspelling of it?",
]


def test_bad_fixtures_cover_every_kind_of_problem() -> None:
    expected = "".join(p.with_suffix(".expected").read_text() for p in BAD)

    missing = [kind for kind in KINDS_OF_PROBLEM if kind not in expected]

    assert missing == []


# The deliberate differences from the official schemas (docs/structure.md), without ../shared


@pytest.mark.parametrize(
    ("name", "has_errors"),
    [
        ("parameter-ref-2.4.yaml", False),
        ("avro-payload-ref.yaml", False),
        ("openapi-payload-ref.yaml", False),
        ("oauth2-ref-beside-fields.yaml", False),
        ("parameter-not-mapping.yaml", True),
        ("security-scheme-odd-name.yaml", True),
        ("avro-name-trailing-newline.yaml", True),
    ],
)
def test_deliberate_difference_fixture_verdict(name: str, has_errors: bool) -> None:
    sink = run(load_document(FIXTURES / "deliberate" / name))

    assert bool(sink.errors) == has_errors


# Representative messages


def test_missing_title_and_channels_of_the_wrong_kind() -> None:
    found = check("""\
        asyncapi: 2.6.0
        info:
          version: 1.0.0
        channels:
          - orders
        """)

    assert found == [
        "doc.yaml:2:1: error: missing required field 'title' in info object\n  at #/info",
        "doc.yaml:4:1: error: 'channels' must be a mapping, found a list\n"
        "  at #/channels",
    ]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.2.0", "asyncapi 1.x documents are not supported; convert to 2.x"),
        ("'1.0'", "asyncapi 1.x documents are not supported; convert to 2.x"),
        ("3.0.0", "AsyncAPI 3.x is not supported yet; this tool reads 2.0-2.6"),
        ("3.0", "AsyncAPI 3.x is not supported yet; this tool reads 2.0-2.6"),
        ("2.6", "'asyncapi' must be a string, found a number"),
        ("true", "'asyncapi' must be a string, found a boolean"),
        (
            "2.7.0",
            "unsupported asyncapi version '2.7.0'; this tool reads 2.0.0 to 2.6.0",
        ),
    ],
)
def test_asyncapi_version_problems(version: str, expected: str) -> None:
    assert messages(MINIMAL.format(version=version)) == [expected]


def test_a_version_written_as_a_number_is_checked_by_that_version() -> None:
    text = MINIMAL.format(version="2.3") + "components:\n  serverVariables: {}\n"

    found = check(text)

    assert found[0].endswith("hint: quote the version: asyncapi: '2.3.0'")
    assert "warning: unknown field 'serverVariables' in components object" in found[1]


def test_every_problem_is_reported_in_one_pass() -> None:
    found = messages("""\
        asyncapi: 2.6.0
        info:
          title: 1
        servers:
          a: {}
        channels:
          c:
            publish:
              message:
                payload:
                  type: objet
        components:
          schemas:
            S:
              required: x
        """)

    assert found == [
        "missing required field 'version' in info object",
        "'title' must be a string, found an integer",
        "missing required field 'protocol' in server object",
        "missing required field 'url' in server object",
        "'type' must be one of 'array', 'boolean', 'integer', 'null', 'number', "
        "'object', 'string', found 'objet'",
        "'required' must be a list, found a string",
    ]


def test_extensions_are_silent_everywhere_they_are_allowed() -> None:
    found = check("""\
        asyncapi: 2.6.0
        x-a: 1
        info: {title: t, version: "1", x-b: [1], contact: {x-c: {}}}
        servers:
          s: {url: u, protocol: p, x-d: null, variables: {v: {x-e: 1}}}
        channels:
          c:
            x-f: 1
            parameters: {p: {x-g: 1}}
            subscribe:
              x-h: 1
              message:
                x-i: 1
                correlationId: {location: "$message.header#/a", x-j: 1}
                payload: {type: object, x-k: 1, properties: {a: {x-l: 1}}}
        components:
          x-m: 1
          securitySchemes:
            s: {type: http, scheme: basic, x-n: 1}
        """)

    assert found == []


def test_unknown_field_gets_a_hint_only_when_it_looks_like_a_typo() -> None:
    found = check(MINIMAL.format(version="2.6.0") + "tagz: []\nflavour: 1\n")

    assert found == [
        "doc.yaml:6:1: warning: unknown field 'tagz' in the document root\n"
        "  at #/tagz\n"
        "  hint: did you mean 'tags'?",
        "doc.yaml:7:1: warning: unknown field 'flavour' in the document root\n"
        "  at #/flavour",
    ]


def test_warnings_alone_do_not_make_the_document_fail() -> None:
    text = MINIMAL.format(version="2.6.0") + "servrs: {}\n"
    sink = run(load_text(text, Path("doc.yaml")))

    sink.raise_if_errors()

    assert len(sink.warnings) == 1 and sink.errors == []


# Versions: each minor version's own fields


@pytest.mark.parametrize(
    ("version", "text", "warning"),
    [
        ("2.3.0", "subscribe: {message: {messageId: m}}", "'messageId' in message"),
        ("2.4.0", "subscribe: {message: {messageId: m}}", None),
        ("2.1.0", "servers: [a]", "'servers' in channel item"),
        ("2.2.0", "servers: [a]", None),
        ("2.3.0", "publish: {security: [{a: []}]}", "'security' in operation"),
        ("2.4.0", "publish: {security: [{a: []}]}", None),
    ],
)
def test_fields_follow_their_minor_version(
    version: str, text: str, warning: str | None
) -> None:
    document = MINIMAL.format(version=version).replace(
        "channels: {}", f"channels:\n  c: {{{text}}}"
    )

    found = messages(document)

    assert found == ([f"unknown field {warning} object"] if warning else [])


def test_server_references_need_2_3() -> None:
    body = "servers:\n  s:\n    $ref: '#/components/servers/s'\n"

    assert messages(MINIMAL.format(version="2.3.0") + body) == []
    assert messages(MINIMAL.format(version="2.2.0") + body) == [
        "missing required field 'protocol' in server object",
        "missing required field 'url' in server object",
        "unknown field '$ref' in server object",
    ]


def test_sasl_schemes_need_2_1() -> None:
    body = "components:\n  securitySchemes:\n    s: {type: scramSha256}\n"

    assert messages(MINIMAL.format(version="2.1.0") + body) == []
    assert (
        "needs asyncapi 2.1.0 or later"
        in check(MINIMAL.format(version="2.0.0") + body)[0]
    )


# References, bindings, payload formats


def test_references_are_accepted_where_allowed_and_not_followed() -> None:
    found = check("""\
        asyncapi: 2.6.0
        info: {title: t, version: "1"}
        servers: {s: {$ref: nowhere.yaml#/x}}
        channels:
          c:
            $ref: other.yaml
            parameters: {p: {$ref: "#/missing"}}
            subscribe:
              traits: [{$ref: "#/missing"}]
              message:
                $ref: "#/missing"
        components:
          securitySchemes: {s: {$ref: "#/missing"}}
          correlationIds: {c: {$ref: "#/missing"}}
          schemas: {S: {$ref: "#/missing", description: siblings are schema keywords}}
        """)

    assert found == []


def test_bindings_are_checked_only_for_being_a_mapping() -> None:
    body = (
        "servers:\n  s: {url: u, protocol: p, bindings: {http: 5, madeup: [1]}}\n"
        "components:\n  channelBindings: {b: []}\n"
    )

    assert messages(MINIMAL.format(version="2.6.0") + body) == [
        "channel bindings 'b' must be a mapping, found a list"
    ]


@pytest.mark.parametrize(
    ("schema_format", "expected"),
    [
        (None, []),
        ("application/vnd.aai.asyncapi+yaml;version=2.6.0", []),
        ("application/schema+json;version=draft-07", []),
        (
            "application/vnd.oai.openapi;version=3.0.0",
            ["unknown field 'const' in openapi 3.0 schema"],
        ),
        ("application/x-protobuf", []),
    ],
)
def test_payload_is_checked_by_its_schema_format(
    schema_format: str | None, expected: list[str]
) -> None:
    line = f"schemaFormat: '{schema_format}', " if schema_format else ""
    body = f"components:\n  messages:\n    m: {{{line}payload: {{const: 1}}}}\n"

    assert messages(MINIMAL.format(version="2.6.0") + body) == expected


def test_discriminator_is_checked_only_below_asyncapi_keywords() -> None:
    # The AsyncAPI Schema Object re-applies itself below 'properties' but not 'definitions'.
    body = (
        "components:\n  schemas:\n"
        "    A: {properties: {p: {discriminator: 5}}}\n"
        "    B: {definitions: {p: {discriminator: 5}}}\n"
    )

    assert messages(MINIMAL.format(version="2.6.0") + body) == [
        "'discriminator' must be a string, found an integer"
    ]


# Uniqueness follows JSON equality


@pytest.mark.parametrize(
    ("first", "second", "equal"),
    [
        (1, 1.0, True),
        (1, True, False),
        (0, False, False),
        ({"a": 1, "b": [2]}, {"b": [2.0], "a": 1}, True),
        ([1, 2], [2, 1], False),
        ("1", 1, False),
        (None, False, False),
        (float("nan"), float("nan"), False),
    ],
)
def test_json_key_equality(first: Any, second: Any, equal: bool) -> None:
    assert (json_key(first) == json_key(second)) is equal


# Limits: deep and large documents


def test_deeply_nested_schema_is_checked_without_recursion() -> None:
    schema: dict[str, Any] = {"type": "strin"}
    for _ in range(5_000):
        schema = {"not": schema}
    value = {
        "asyncapi": "2.6.0",
        "info": {"title": "t", "version": "1"},
        "channels": {},
        "components": {"schemas": {"Deep": schema}},
    }

    sink = check_value(value)

    assert [d.message.split(",")[0] for d in sink.errors] == [
        "'type' must be one of 'array'"
    ]


def test_large_document_is_checked_quickly() -> None:
    channel = {
        "parameters": {"id": {"schema": {"type": "string"}}},
        "subscribe": {
            "operationId": "op",
            "message": {
                "headers": {"type": "object", "properties": {"h": {"type": "string"}}},
                "payload": {
                    "type": "object",
                    "required": ["a", "b"],
                    "properties": {
                        name: {"type": "string", "enum": ["x", "y"], "maxLength": 9}
                        for name in "abcdefghij"
                    },
                },
            },
        },
    }
    value = {
        "asyncapi": "2.6.0",
        "info": {"title": "t", "version": "1"},
        "channels": {f"c{i}/{{id}}": channel for i in range(1000)},
    }

    started = time.perf_counter()
    sink = check_value(value)
    elapsed = time.perf_counter() - started

    # About 50 000 values, the size of a 50 000-line YAML document.
    assert sink.items == []
    assert elapsed < 2.0


# Reference targets in other files


def test_check_fragment_checks_a_target_by_its_kind() -> None:
    text = "UserLiked:\n  summary: 5\n  payload: {type: objekt}\nOther: {}\n"
    document = load_text(text, Path("messages.yaml"), "messages.yaml")
    sink = DiagnosticSink()

    value = document.value["UserLiked"]
    check_fragment(document, "#/UserLiked", value, "message", "2.6.0", sink)

    assert [d.render() for d in sorted(sink.items, key=Diagnostic.sort_key)] == [
        "messages.yaml:2:3: error: 'summary' must be a string, found an integer\n"
        "  at #/UserLiked/summary\n"
        "  hint: quote the value to keep it a string",
        "messages.yaml:3:13: error: 'type' must be one of 'array', 'boolean', "
        "'integer', 'null', 'number', 'object', 'string', found 'objekt'\n"
        "  at #/UserLiked/payload/type\n"
        "  hint: did you mean 'object'?",
    ]


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (
            "server",
            {"url": "u"},
            ["missing required field 'protocol' in server object"],
        ),
        ("parameter", {"$ref": "#/p"}, []),
        ("message", [], ["message must be a mapping, found a list"]),
        ("schema", True, []),
        ("security scheme", {"type": "plain"}, []),
        (
            "avro schema",
            {"type": "record", "name": "A"},
            ["missing required field 'fields' in avro record"],
        ),
        (
            "openapi schema",
            {"type": "null"},
            [
                "'type' must be one of 'array', 'boolean', 'integer', 'number', "
                "'object', 'string', found 'null'"
            ],
        ),
    ],
)
def test_check_fragment_kinds(kind: str, value: Any, expected: list[str]) -> None:
    document = Document(Path("part.yaml"), "part.yaml", {"x": value})
    sink = DiagnosticSink()

    check_fragment(document, "#/x", value, kind, "2.6.0", sink)

    assert [d.message for d in sink.items] == expected
