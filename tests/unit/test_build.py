"""build.py: the IR a document gives, through `build_ir` on inline documents."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from asyncapi_gen.build import MAX_TYPE_DEPTH, build_ir
from asyncapi_gen.config import Config
from asyncapi_gen.errors import DiagnosticSink, DocumentError
from asyncapi_gen.ir import Api, Kind, Model, TypeRef
from asyncapi_gen.load import load_document
from asyncapi_gen.resolve import resolve_document

HEAD = "asyncapi: 2.6.0\ninfo: {title: Fixture, version: 1.0.0}\n"


def build(
    tmp_path: Path, text: str, name: str = "doc.yaml", **options: object
) -> tuple[Api, DiagnosticSink]:
    path = tmp_path / name
    path.write_text(HEAD + textwrap.dedent(text), encoding="utf-8")
    config = Config(spec=path, output=tmp_path / "out", **options)  # type: ignore[arg-type]
    sink = DiagnosticSink()
    return build_ir(resolve_document(load_document(path), config), config, sink), sink


def model(api: Api, name: str) -> Model:
    return next(m for m in api.models if m.name == name)


def errors_of(caught: pytest.ExceptionInfo[DocumentError]) -> list[str]:
    return [d.message for d in caught.value.diagnostics]


# Traits


TRAITS = """
channels:
  lights:
    subscribe:
      traits:
        - $ref: '#/components/operationTraits/Named'
        - {summary: second wins}
      message: {$ref: '#/components/messages/Measured'}
components:
  messages:
    Measured:
      payload: {type: object, properties: {lux: {type: integer}}}
      headers: {$ref: '#/components/schemas/Own'}
      traits:
        - $ref: '#/components/messageTraits/Tracing'
        - {contentType: application/json}
    Unreferenced:
      payload: {type: string}
      traits: [{$ref: '#/components/messageTraits/Tracing'}]
  schemas:
    Own: {type: object, properties: {own: {type: string}}}
  operationTraits:
    Named: {operationId: readLights, summary: first}
  messageTraits:
    Tracing:
      contentType: text/plain
      headers:
        type: object
        required: [trace-id]
        properties: {trace-id: {type: string}}
"""


def test_message_traits_patch_every_message_in_order(tmp_path: Path) -> None:
    api, _ = build(tmp_path, TRAITS)
    (route,) = api.routes
    (message,) = route.messages
    by_key = {m.key: m for m in api.messages}

    assert message.content_type == "application/json"  # the later trait wins
    assert message.headers is not None and message.headers.kind is Kind.MODEL
    headers = model(api, message.headers.name)
    # The trait's headers are merged into the message's own (referenced) headers.
    assert [f.wire_name for f in headers.fields] == ["own", "trace-id"]
    assert [f.name for f in headers.fields if f.required] == ["trace_id"]
    unreferenced = by_key["Unreferenced"].headers
    assert unreferenced is not None and unreferenced.kind is Kind.MODEL
    assert [f.wire_name for f in model(api, unreferenced.name).fields] == ["trace-id"]


def test_operation_traits_patch_the_operation(tmp_path: Path) -> None:
    api, _ = build(tmp_path, TRAITS)
    (route,) = api.routes

    assert route.operation_id == "readLights" and route.name == "read_lights"
    assert route.summary == "second wins"


# Parameters, references to every kind of object


REFERENCES = """
servers:
  main: {$ref: '#/components/servers/Main'}
channels:
  rooms/{roomId}/{user-name}:
    $ref: '#/components/channels/Room'
  plain:
    publish:
      message:
        correlationId: {$ref: '#/components/correlationIds/ById'}
        bindings: {$ref: '#/components/messageBindings/Kafka'}
        payload: {$ref: '#/components/schemas/Wrapper/properties/inner'}
components:
  servers:
    Main: {url: 'mqtt://broker', protocol: mqtt, bindings: {$ref: '#/components/serverBindings/B'}}
  serverBindings:
    B: {mqtt: {clientId: x}}
  messageBindings:
    Kafka: {kafka: {key: {type: string}}}
  correlationIds:
    ById: {location: '$message.payload#/id'}
  channels:
    Room:
      parameters:
        roomId: {$ref: '#/components/parameters/RoomId'}
      subscribe:
        message: {$ref: '#/components/messages/Said'}
  parameters:
    RoomId: {schema: {type: integer, minimum: 1}}
  messages:
    Said: {payload: {type: object, properties: {text: {type: string}}}}
  schemas:
    Wrapper:
      type: object
      properties:
        inner: {type: object, properties: {id: {type: string}}}
"""


def test_references_to_every_kind_of_object(tmp_path: Path) -> None:
    (tmp_path / "components").mkdir()
    api, sink = build(tmp_path, REFERENCES)
    routes = {r.address: r for r in api.routes}
    room = routes["rooms/{roomId}/{user-name}"]
    plain = routes["plain"]

    assert [s.url for s in api.servers] == ["mqtt://broker"]
    assert [(p.name, p.type.kind) for p in room.parameters] == [
        ("room_id", Kind.INT),
        ("user_name", Kind.STR),
    ]
    assert room.pattern == r"rooms/(?P<p0>[^/]+)/(?P<p1>[^/]+)"
    assert plain.messages[0].correlation_id == ("payload", "/id")
    assert model(api, plain.messages[0].payload.name).fields[0].wire_name == "id"
    assert sink.errors == []


def test_every_broken_reference_is_reported_where_it_fails(tmp_path: Path) -> None:
    text = """
    channels:
      a: {$ref: '#/components/channels/Missing'}
    components:
      schemas:
        Fine: {$ref: '#/components/schemas/Loop'}
        Loop: {$ref: '#/components/schemas/Loop'}
        Far: {type: object, properties: {x: {$ref: 'other.yaml#/Nope'}}}
      operationBindings:
        Self: {$ref: '#/components/operationBindings/Self'}
    """
    (tmp_path / "other.yaml").write_text("Yes: {type: string}\n", encoding="utf-8")

    with pytest.raises(DocumentError) as caught:
        build(tmp_path, text)

    assert sorted(errors_of(caught)) == [
        "reference loop with no schema in it: "
        "#/components/operationBindings/Self -> #/components/operationBindings/Self",
        "reference loop with no schema in it: "
        "#/components/schemas/Loop -> #/components/schemas/Loop",
        "reference target not found: '#/components/channels/Missing'",
        "reference target not found: 'other.yaml#/Nope'",
    ]


def test_references_inside_examples_and_extensions_are_data(tmp_path: Path) -> None:
    text = """
    channels: {}
    x-tooling: {$ref: '#/nowhere'}
    components:
      schemas:
        Doc:
          type: object
          examples: [{$ref: '#/not/a/reference'}]
          properties:
            examples: {$ref: '#/components/schemas/Text'}
        Text: {type: string}
    """

    api, sink = build(tmp_path, text)

    assert sink.errors == []
    assert model(api, "Doc").fields[0].type.kind is Kind.STR


# Depth and recursion


def test_deep_chains_of_models_and_references_build(tmp_path: Path) -> None:
    count = 3000
    schemas = [
        f"    S{i}: {{type: object, properties: {{next: {{$ref: '#/components/schemas/S{i + 1}'}}}}}}"
        for i in range(count)
    ]
    chain = [
        f"    R{i}: {{$ref: '#/components/schemas/R{i + 1}'}}" for i in range(count)
    ]
    text = "\n".join(
        [
            "channels: {}",
            "components:",
            "  schemas:",
            *schemas,
            f"    S{count}: {{type: string}}",
            *chain,
            f"    R{count}: {{type: object, properties: {{v: {{type: integer}}}}}}",
            "",
        ]
    )

    api, _ = build(tmp_path, text)

    assert len(api.models) == count + 1
    assert model(api, "S0").fields[0].type == TypeRef(Kind.MODEL, name="S1")
    assert {e.key: e.type.name for e in api.schemas}["R0"] == f"R{count}"


def test_known_limitation_deeply_nested_containers_type_as_json(
    tmp_path: Path,
) -> None:
    inner = "{type: integer}"
    for _ in range(MAX_TYPE_DEPTH + 5):
        inner = f"{{type: array, items: {inner}}}"

    api, sink = build(
        tmp_path, f"channels: {{}}\ncomponents:\n  schemas:\n    A: {inner}\n"
    )

    depth, ref = 0, api.schemas[0].type
    while ref.kind is Kind.LIST:
        depth, ref = depth + 1, ref.args[0]
    assert depth == MAX_TYPE_DEPTH and ref.kind is Kind.JSON
    (warning,) = sink.warnings
    assert warning.message.startswith(
        f"arrays, maps and unions nested deeper than {MAX_TYPE_DEPTH} levels"
    )


# Names


def names_of(api: Api) -> dict[str, str]:
    """Model pointer -> class name."""
    return {m.pointer: m.name for m in api.models}


def test_names_written_as_classes_win_collisions(tmp_path: Path) -> None:
    text = """
    channels: {}
    components:
      schemas:
        a-b: {type: object, properties: {x: {type: string}}}
        AB: {type: object, properties: {x: {type: string}}}
        " a b": {type: object, properties: {x: {type: string}}}
    """

    api, _ = build(tmp_path, text)

    assert names_of(api) == {
        "doc.yaml#/components/schemas/AB": "AB",
        "doc.yaml#/components/schemas/ a b": "AB_2",
        "doc.yaml#/components/schemas/a-b": "AB_3",
    }


def test_adding_schemas_never_renames_one_that_does_not_collide(
    tmp_path: Path,
) -> None:
    base = """
    channels: {}
    components:
      schemas:
        Order:
          type: object
          properties:
            status: {type: string, enum: [open, closed]}
            line: {type: object, properties: {n: {type: integer}}}
        Zeta: {type: object, properties: {status: {enum: [a, b]}}}
    """
    more = (
        base.rstrip(" ")
        + "        Alpha: {type: object, properties: {status: {enum: [x]}}}\n"
        + "        OrderLine2: {type: object, properties: {q: {type: string}}}\n"
        + "        orderStatus: {type: object, properties: {q: {type: string}}}\n"
    )

    before, _ = build(tmp_path, base, "before.yaml")
    after, _ = build(tmp_path, more, "after.yaml")

    kept = {p.split("#")[1]: n for p, n in names_of(before).items()}
    now = {p.split("#")[1]: n for p, n in names_of(after).items()}
    status = "/components/schemas/Order/properties/status"
    # Only the inline schema whose name the new `orderStatus` shares yields to it.
    assert {p: now[p] for p in kept if p != status} == {
        p: n for p, n in kept.items() if p != status
    }
    assert (kept[status], now[status]) == ("OrderStatus", "OrderStatus_2")
    assert now["/components/schemas/orderStatus"] == "OrderStatus"
    assert now["/components/schemas/OrderLine2"] == "OrderLine2"


# Schema formats


def test_avro_payload_is_named_in_a_warning_and_the_rest_builds(tmp_path: Path) -> None:
    text = """
    channels:
      a:
        subscribe:
          message:
            schemaFormat: application/vnd.apache.avro;version=1.9.0
            payload: {type: record, name: User, fields: [{name: id, type: string}]}
      b:
        subscribe:
          message: {payload: {type: object, properties: {n: {type: integer}}}}
    """

    api, sink = build(tmp_path, text)

    (warning,) = sink.warnings
    assert "schemaFormat 'application/vnd.apache.avro;version=1.9.0'" in warning.message
    assert warning.location is not None and warning.location.line == 8
    assert [r.payload.kind for r in api.routes] == [Kind.JSON, Kind.MODEL]


def test_openapi_nullable_and_discriminator_object(tmp_path: Path) -> None:
    text = """
    channels:
      pets:
        subscribe:
          message:
            schemaFormat: application/vnd.oai.openapi;version=3.0.0
            payload:
              type: object
              properties:
                name: {type: string, nullable: true}
                pet:
                  discriminator:
                    propertyName: kind
                    mapping: {feline: '#/components/schemas/Cat'}
                  oneOf:
                    - $ref: '#/components/schemas/Cat'
                    - $ref: '#/components/schemas/Dog'
    components:
      schemas:
        Cat: {type: object, properties: {kind: {type: string}}}
        Dog: {type: object, properties: {kind: {type: string}}}
    """

    api, _ = build(tmp_path, text)

    payload = model(api, api.routes[0].messages[0].payload.name)
    name, pet = payload.fields
    assert name.type.kind is Kind.UNION and name.type.args[1].kind is Kind.NONE
    union = pet.type.args[0] if pet.type.args[-1].kind is Kind.NONE else pet.type
    assert union.tag_field == "kind"
    assert union.tags == (("feline", 0), ("Dog", 1))


def test_a_closed_allof_branch_is_named_in_a_warning(tmp_path: Path) -> None:
    text = """
    channels: {}
    components:
      schemas:
        Base: {type: object, additionalProperties: false, properties: {a: {type: string}}}
        One: {allOf: [{$ref: '#/components/schemas/Base'}, {properties: {b: {}}}]}
        Two: {allOf: [{$ref: '#/components/schemas/Base'}, {properties: {c: {}}}]}
        Open: {additionalProperties: false, allOf: [{properties: {d: {}}}]}
    """

    _, sink = build(tmp_path, text)

    (warning,) = sink.warnings  # once per branch, however many schemas use it
    assert warning.message.startswith(
        "'additionalProperties: false' in an allOf branch rejects the properties "
        "other branches declare ('b')"
    )
    assert warning.location is not None
    assert warning.location.pointer == "#/components/schemas/Base"


def test_members_inherit_the_discriminator_of_their_base(tmp_path: Path) -> None:
    text = """
    channels: {}
    components:
      schemas:
        Pet:
          type: object
          discriminator: petType
          required: [petType]
          properties: {petType: {type: string}}
        Cat: {allOf: [{$ref: '#/components/schemas/Pet'}, {properties: {a: {}}}]}
        Dog: {allOf: [{$ref: '#/components/schemas/Pet'}, {properties: {b: {}}}]}
        AnyPet:
          oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
    """

    api, _ = build(tmp_path, text)

    union = {e.key: e.type for e in api.schemas}["AnyPet"]
    assert union.tag_field == "petType" and union.tags == (("Cat", 0), ("Dog", 1))


def test_a_broken_referenced_file_reports_its_own_place(tmp_path: Path) -> None:
    (tmp_path / "parts.yaml").write_text("A: {type: string\n", encoding="utf-8")
    text = """
    channels: {}
    components:
      schemas:
        One: {$ref: 'parts.yaml#/A'}
        Two: {$ref: 'parts.yaml#/A'}
    """

    with pytest.raises(DocumentError) as caught:
        build(tmp_path, text)

    # One error for the file, at its own place, however many references reach it.
    (error,) = caught.value.diagnostics
    assert error.location is not None and error.location.file.endswith("parts.yaml")
    assert error.message.startswith("malformed YAML")


def test_known_limitation_a_list_containing_itself_types_inner_values_as_json(
    tmp_path: Path,
) -> None:
    text = """
    channels: {}
    components:
      schemas:
        Tree: {type: array, items: {$ref: '#/components/schemas/Tree'}}
    """

    api, _ = build(tmp_path, text)

    assert api.schemas[0].type == TypeRef(Kind.LIST, args=(TypeRef(Kind.JSON),))
