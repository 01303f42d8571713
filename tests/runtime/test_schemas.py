"""Schema forms real documents use, each on a fixture of our own: generate, import, use."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import typing
from typing import Any

import pytest

from tests.conftest import GenerateFn

HEAD = """\
asyncapi: 2.6.0
info: {title: Fixture, version: 1.0.0}
channels: {}
components:
  schemas:
"""


def schemas(body: str) -> str:
    indented = "\n".join(
        f"    {line}" if line else "" for line in body.strip("\n").splitlines()
    )
    return HEAD + indented + "\n"


def fields(model: Any) -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(model)}


def required(model: Any) -> set[str]:
    return {
        f.name
        for f in dataclasses.fields(model)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }


ALLOF = schemas("""
Base:
  type: object
  properties:
    label: {type: string}
    kind: {type: string, enum: [gadget, widget]}
Create:
  allOf:
    - $ref: '#/components/schemas/Base'
    - type: object
      required: [size]
      properties:
        size: {type: integer, minimum: 1}
  required: [label, kind]
Update:
  allOf:
    - $ref: '#/components/schemas/Base'
Nested:
  allOf:
    - allOf:
        - $ref: '#/components/schemas/Base'
        - properties: {deep: {type: boolean}}
    - required: [deep]
""")


def test_allof_outer_and_sibling_required_apply_to_inherited_fields(
    generate: GenerateFn,
) -> None:
    pkg = generate(ALLOF)

    assert required(pkg.Create) == {"label", "kind", "size"}
    assert required(pkg.Update) == set() and required(pkg.Base) == set()
    assert required(pkg.Nested) == {"deep"}
    assert set(fields(pkg.Nested)) == {"label", "kind", "deep", "additional_properties"}
    with pytest.raises(pkg.DecodeError, match="size"):
        pkg.Create.from_dict({"label": "lamp", "kind": "gadget"})
    created = pkg.Create.from_dict({"label": "lamp", "kind": "gadget", "size": 2})
    assert created.kind is pkg.BaseKind.GADGET


def test_allof_never_changes_the_shared_base(generate: GenerateFn) -> None:
    pkg = generate(ALLOF)

    assert set(fields(pkg.Base)) == {"label", "kind", "additional_properties"}
    assert pkg.Base.from_dict({}).to_dict() == {}


def test_contradictory_allof_types_are_an_error(
    generate: GenerateFn, tmp_path: Any
) -> None:
    from tests.conftest import run_cli

    spec = tmp_path / "bad.yaml"
    spec.write_text(schemas("Bad:\n  allOf:\n    - type: string\n    - type: object\n"))

    code, _, stderr = run_cli(str(spec), "-o", str(tmp_path / "out"))

    assert code == 1
    assert "allOf branches contradict: type string and object" in stderr


UNIONS = schemas("""
Text:
  type: object
  additionalProperties: false
  required: [text]
  properties: {text: {type: string}}
Number:
  type: object
  additionalProperties: false
  required: [num]
  properties: {num: {type: integer}}
Probe:
  oneOf:
    - $ref: '#/components/schemas/Text'
    - $ref: '#/components/schemas/Number'
Loose:
  anyOf: [{type: string}, {type: integer}]
Pet:
  type: object
  discriminator: petType
  required: [petType]
  properties: {petType: {type: string}}
Cat:
  allOf:
    - $ref: '#/components/schemas/Pet'
    - {required: [meows], properties: {meows: {type: boolean}}}
Dog:
  allOf:
    - $ref: '#/components/schemas/Pet'
    - {required: [barks], properties: {barks: {type: boolean}}}
AnyPet:
  discriminator: petType
  oneOf:
    - $ref: '#/components/schemas/Cat'
    - $ref: '#/components/schemas/Dog'
Holder:
  type: object
  properties:
    probe: {$ref: '#/components/schemas/Probe'}
    pets: {type: array, items: {$ref: '#/components/schemas/AnyPet'}}
""")


def test_oneof_is_a_union_decoded_to_the_matching_member(generate: GenerateFn) -> None:
    pkg = generate(UNIONS)
    probe = pkg.SCHEMAS["Probe"]

    assert type(probe.decode({"text": "a"})) is pkg.Text
    assert type(probe.decode({"num": 3})) is pkg.Number
    assert probe.validate({"text": "a", "num": 3}) != []
    assert pkg.SCHEMAS["Loose"].decode(4) == 4
    holder = pkg.Holder.from_dict(
        {"probe": {"num": 1}, "pets": [{"petType": "Dog", "barks": True}]}
    )
    assert type(holder.probe) is pkg.Number
    assert type(holder.pets[0]) is pkg.Dog
    assert holder.to_dict() == {
        "probe": {"num": 1},
        "pets": [{"petType": "Dog", "barks": True}],
    }


def test_string_discriminator_picks_the_member_by_schema_name(
    generate: GenerateFn,
) -> None:
    pkg = generate(UNIONS)

    cat = pkg.SCHEMAS["AnyPet"].decode({"petType": "Cat", "meows": True})

    assert type(cat) is pkg.Cat and cat.meows is True


NULLABLE = schemas("""
Record:
  type: object
  required: [a, b]
  properties:
    a: {type: [string, "null"]}
    b: {type: integer, nullable: true}
    c: {type: [string, "null"]}
    d: {const: fixed}
    e: {enum: [1, two, 3.5, null]}
    f: {enum: [true, false]}
    g: {type: object, additionalProperties: {type: integer}}
    h: {type: object, patternProperties: {"^x-": {type: string}}}
    i: {type: array, items: [{type: string}, {type: integer}]}
    j: {not: {type: string}}
    k: {if: {type: integer}, then: {minimum: 0}, else: {type: string}}
    l: {}
    m: true
    n: {type: string, format: date-time}
    o: {type: string, format: date}
""")


def test_nullable_const_enums_maps_and_untyped_schemas(generate: GenerateFn) -> None:
    pkg = generate(NULLABLE)
    hints = typing.get_type_hints(pkg.Record)
    value = {
        "a": None,
        "b": None,
        "d": "fixed",
        "e": None,
        "f": True,
        "g": {"x": 1},
        "h": {"x-a": "s"},
        "i": ["s", 1],
        "j": 3,
        "k": -1 + 1,
        "l": [1, {"z": None}],
        "m": "anything",
        "n": "2024-01-01T00:00:00+02:00",
        "o": "2024-02-29",
    }

    record = pkg.Record.from_dict(value)

    assert record.a is None and record.b is None and record.c is pkg.UNSET
    assert record.g == {"x": 1}
    assert isinstance(record.n, dt.datetime) and record.n.utcoffset() == dt.timedelta(
        hours=2
    )
    assert record.o == dt.date(2024, 2, 29)
    assert isinstance(record.f, enum.Enum) and record.f.value is True
    assert record.to_dict() == value
    assert hints["d"] == typing.Literal["fixed"] | None
    for bad in (
        {**value, "j": "s"},
        {**value, "k": -1},
        {**value, "i": [1, "s"]},
        {**value, "e": 2},
    ):
        assert pkg.Record.validate(bad) != []
    assert pkg.Record.validate({**value, "h": {"x-a": 1}}) != []


def test_unknown_keys_are_kept_when_the_schema_allows_them(
    generate: GenerateFn,
) -> None:
    pkg = generate(NULLABLE)
    value = {"a": "x", "b": 1, "extra": {"kept": [1, 2]}}

    record = pkg.Record.from_dict(value)

    assert record.additional_properties == {"extra": {"kept": [1, 2]}}
    assert record.to_dict() == value


RECURSIVE = schemas("""
Comment:
  type: object
  required: [id]
  properties:
    id: {type: string}
    replies: {type: array, items: {$ref: '#/components/schemas/Comment'}}
    parent: {$ref: '#/components/schemas/Comment'}
Ping:
  type: object
  properties: {pong: {$ref: '#/components/schemas/Pong'}}
Pong:
  type: object
  properties: {ping: {$ref: '#/components/schemas/Ping'}}
""")


def test_recursive_and_mutually_recursive_schemas(generate: GenerateFn) -> None:
    pkg = generate(RECURSIVE)
    deep: dict[str, Any] = {"id": "leaf"}
    for level in range(200):
        deep = {"id": str(level), "replies": [deep]}

    comment = pkg.Comment.from_dict(deep)
    ping = pkg.Ping.from_dict({"pong": {"ping": {"pong": {}}}})

    assert typing.get_type_hints(pkg.Comment)["parent"] == pkg.Comment | None
    assert comment.to_dict() == deep
    assert type(ping.pong.ping) is pkg.Ping


NAMES = schemas("""
None: {type: object, properties: {v: {type: string}}}
"True": {type: object, properties: {v: {type: string}}}
class: {type: object, properties: {v: {type: string}}}
3DPoint: {type: object, properties: {x: {type: number}}}
Holder:
  type: object
  required: [mode]
  properties:
    mode: {type: string, enum: ["None", "True", mro, _missing_, __init__, "", 1st, name, value]}
    1Q: {type: number}
    content-type: {type: string}
    "@id": {type: string}
    from_dict: {type: string}
    to_dict: {type: string}
    validate: {type: boolean}
    str: {type: string}
    origin: {$ref: '#/components/schemas/3DPoint'}
    a: {$ref: '#/components/schemas/None'}
    b: {$ref: '#/components/schemas/True'}
    c: {$ref: '#/components/schemas/class'}
""")


def test_hostile_names_give_valid_distinct_names_and_keep_wire_names(
    generate: GenerateFn,
) -> None:
    pkg = generate(NAMES)
    value = {
        "mode": "mro",
        "1Q": 1.5,
        "content-type": "text/plain",
        "@id": "urn:x",
        "from_dict": "a",
        "to_dict": "b",
        "validate": True,
        "str": "s",
        "origin": {"x": 1},
        "a": {"v": "n"},
        "b": {"v": "t"},
        "c": {"v": "c"},
    }

    holder = pkg.Holder.from_dict(value)

    assert len(list(pkg.HolderMode)) == 9 and pkg.HolderMode("mro").value == "mro"
    assert holder.from_dict_ == "a" and callable(holder.to_dict)
    assert type(holder.origin) is pkg.Model3DPoint
    assert type(holder.a) is pkg.None_ and type(holder.b) is pkg.True_
    assert holder.to_dict() == value
    assert sorted(pkg.SCHEMAS) == sorted(["None", "True", "class", "3DPoint", "Holder"])


def test_adding_a_schema_never_renames_an_unrelated_one(generate: GenerateFn) -> None:
    before = generate(UNIONS)
    after = generate(
        UNIONS + "    Zebra: {type: object, properties: {status: {enum: [a]}}}\n"
    )

    names_before = set(before.__all__)
    assert names_before <= set(after.__all__)


COLLISIONS = schemas("""
a-b: {type: object, properties: {v: {type: string}}}
AB: {type: object, properties: {v: {type: string}}}
a b: {type: object, properties: {v: {type: string}}}
Fields:
  type: object
  properties:
    user-name: {type: string}
    user_name: {type: string}
    userName: {type: integer}
    list: {type: array, items: {type: string}}
    Fields: {type: boolean}
    never: false
""")


def test_names_colliding_after_sanitising_stay_distinct(generate: GenerateFn) -> None:
    pkg = generate(COLLISIONS)
    value = {
        "user-name": "a",
        "user_name": "b",
        "userName": 3,
        "list": ["x"],
        "Fields": True,
    }

    record = pkg.Fields.from_dict(value)

    assert [pkg.SCHEMAS[k].model.__name__ for k in ("AB", "a b", "a-b")] == [
        "AB",
        "AB_2",
        "AB_3",
    ]
    assert (record.user_name, record.user_name_2, record.user_name_3) == ("a", "b", 3)
    assert record.list_ == ["x"] and record.fields is True
    assert record.to_dict() == value
    assert pkg.Fields.validate({"never": 1}) != []


TRAITS = HEAD.replace("channels: {}\n", "") + """\
    Reading: {type: object, properties: {lux: {type: integer}}}
  messages:
    Measured:
      payload: {$ref: '#/components/schemas/Reading'}
      traits: [{$ref: '#/components/messageTraits/Tracing'}]
    Unused:
      payload: {type: string}
      traits:
        - $ref: '#/components/messageTraits/Tracing'
        - {headers: {properties: {extra: {type: boolean}}}}
  messageTraits:
    Tracing:
      headers:
        type: object
        required: [trace-id]
        properties: {trace-id: {type: string, minLength: 1}, hop: {type: integer}}
channels:
  lights:
    subscribe:
      message: {$ref: '#/components/messages/Measured'}
"""


def test_message_traits_give_typed_headers(generate: GenerateFn) -> None:
    pkg = generate(TRAITS)
    headers = pkg.MESSAGES["Measured"].headers

    decoded = headers.decode({"trace-id": "t", "hop": 2})

    assert type(decoded) is headers.model and decoded.trace_id == "t"
    assert headers.encode(decoded) == {"trace-id": "t", "hop": 2}
    assert headers.validate({"trace-id": ""}) != []
    # Traits apply in order to a message no channel uses; the later one patches.
    unused = pkg.MESSAGES["Unused"].headers
    assert unused.model is not headers.model
    assert unused.decode({"trace-id": "t", "extra": True}).extra is True
    assert unused.validate({"extra": True}) != []


OPENAPI = """\
asyncapi: 2.6.0
info: {title: Fixture, version: 1.0.0}
channels:
  pets:
    subscribe:
      message:
        $ref: '#/components/messages/Pet'
components:
  messages:
    Pet:
      schemaFormat: application/vnd.oai.openapi;version=3.0.0
      payload:
        type: object
        required: [pet]
        properties:
          name: {type: string, nullable: true}
          pet:
            discriminator:
              propertyName: kind
              mapping: {feline: '#/components/schemas/Cat', canine: '#/components/schemas/Dog'}
            oneOf:
              - $ref: '#/components/schemas/Cat'
              - $ref: '#/components/schemas/Dog'
  schemas:
    Cat:
      type: object
      required: [kind]
      properties: {kind: {type: string, enum: [feline]}, lives: {type: integer}}
    Dog:
      type: object
      required: [kind]
      properties: {kind: {type: string, enum: [canine]}, barks: {type: boolean}}
"""


def test_openapi_payload_nullable_and_discriminator(generate: GenerateFn) -> None:
    pkg = generate(OPENAPI)
    message = pkg.MESSAGES["Pet"]

    cat = message.decode({"name": None, "pet": {"kind": "feline", "lives": 9}})
    dog = message.decode({"pet": {"kind": "canine"}})

    assert cat.name is None and type(cat.pet) is pkg.Cat
    assert type(dog.pet) is pkg.Dog
    assert message.validate({"pet": {"kind": "bird"}}) != []


LIMITS = schemas("""
Shapes:
  type: object
  properties:
    choice: {enum: [{a: 1}, [1, 2], "text"]}
    pair: {type: array, items: [{type: string}, {type: integer}]}
""")


def test_known_limitation_enum_of_objects_and_tuples_type_as_json(
    generate: GenerateFn,
) -> None:
    pkg = generate(LIMITS)
    hints = typing.get_type_hints(pkg.Shapes)
    value = {"choice": {"a": 1}, "pair": ["s", 1]}

    shapes = pkg.Shapes.from_dict(value)

    assert pkg.JsonValue in typing.get_args(hints["choice"])
    assert hints["pair"] == list[pkg.JsonValue] | None
    assert shapes.to_dict() == value
    assert pkg.Shapes.validate({"choice": {"a": 2}}) != []
    assert pkg.Shapes.validate({"pair": [1, "s"]}) != []
