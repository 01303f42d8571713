"""samples.py: examples first, deterministic synthesis from schemas, settling by validators."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from asyncapi_gen import samples
from asyncapi_gen.config import Config
from asyncapi_gen.load import load_document
from asyncapi_gen.resolve import Node, Resolver, resolve_document


def resolver_for(tmp_path: Path, text: str) -> Resolver:
    path = tmp_path / "doc.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    config = Config(spec=path, output=tmp_path / "out")
    return resolve_document(load_document(path), config)


def node(resolver: Resolver, *tokens: str) -> Node:
    current = resolver.root_node()
    for token in tokens:
        current = current.child(token)
    return current


def synthesise(tmp_path: Path, schema: str) -> Any:
    resolver = resolver_for(tmp_path, f"schema: {schema}\n")
    found = samples.synthesise(node(resolver, "schema"), resolver.follow)
    assert found is not None
    return found[0]


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ("{type: string}", "sample"),
        ("{type: string, format: date-time}", "2024-01-01T12:00:00Z"),
        ("{type: string, format: date}", "2024-01-01"),
        ("{type: string, minLength: 9}", "samplexxx"),
        ("{type: string, maxLength: 3}", "sam"),
        ("{type: integer}", 1),
        ("{type: integer, minimum: 10}", 10),
        ("{type: integer, maximum: -3}", -3),
        ("{type: integer, exclusiveMinimum: 4}", 5),
        ("{type: number, multipleOf: 0.25, minimum: 1.1}", 1.25),
        ("{type: [ 'null', boolean ]}", True),
        ("{type: 'null'}", None),
        ("{enum: [b, a]}", "b"),
        ("{const: {x: 1}}", {"x": 1}),
        ("{type: string, default: d, examples: [e]}", "e"),
        ("{type: array, items: {type: integer}, minItems: 2}", [1, 1]),
        ("{type: array, items: [{type: string}, {type: boolean}]}", ["sample", True]),
        ("{oneOf: [{type: integer}, {type: string}]}", 1),
    ],
)
def test_synthesis_by_keyword(tmp_path: Path, schema: str, expected: Any) -> None:
    assert synthesise(tmp_path, schema) == expected


def test_objects_take_every_property_in_order_and_all_of_branches(
    tmp_path: Path,
) -> None:
    resolver = resolver_for(
        tmp_path,
        """
        base: {type: object, required: [id], properties: {id: {type: string}}}
        schema:
          allOf:
            - $ref: '#/base'
            - type: object
              required: [count, extra]
              properties:
                count: {type: integer, minimum: 2}
                at: {type: string, format: date-time}
        """,
    )

    found = samples.synthesise(node(resolver, "schema"), resolver.follow)

    assert found == (
        {"id": "id", "count": 2, "at": "2024-01-01T12:00:00Z", "extra": "extra"},
        {"id": "id", "count": 2, "extra": "extra"},
    )


def test_recursive_schemas_end(tmp_path: Path) -> None:
    resolver = resolver_for(
        tmp_path,
        """
        schema:
          type: object
          required: [name]
          properties:
            name: {type: string}
            children: {type: array, items: {$ref: '#/schema'}}
        """,
    )

    value, minimal = samples.synthesise(node(resolver, "schema"), resolver.follow) or ()

    depth = 0
    while value.get("children"):
        value = value["children"][0]
        depth += 1
    assert 1 <= depth <= 8
    assert value["name"] == "name"
    assert minimal == {"name": "name"}


def test_a_false_schema_has_no_sample(tmp_path: Path) -> None:
    resolver = resolver_for(
        tmp_path, "schema: {type: object, required: [a], properties: {a: false}}\n"
    )

    assert samples.synthesise(node(resolver, "schema"), resolver.follow) is None


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[a-z0-9]{3,12}$",
        r"^[A-Z]{2}-\d{4}$",
        r"^(foo|bar)+\.txt$",
        r"^\w+@example\.org$",
        r"x?y*z",
    ],
)
def test_pattern_samples_match_their_pattern(pattern: str) -> None:
    text = samples.pattern_sample(pattern, "fallback")

    assert re.search(pattern, text), text


def test_pattern_sample_falls_back_on_what_it_cannot_read() -> None:
    assert samples.pattern_sample(r"^[^a]$", "fallback") == "fallback"
    assert samples.pattern_sample(r"(", "fallback") == "fallback"


def test_message_candidates_put_examples_first_without_repeats(tmp_path: Path) -> None:
    resolver = resolver_for(
        tmp_path,
        """
        message:
          examples:
            - {payload: {a: 1}, headers: {h: x}}
            - {payload: {a: 2}}
            - {payload: {a: 1}}
          payload:
            type: object
            properties: {a: {type: integer, minimum: 5}}
            example: {a: 7}
        """,
    )
    message = node(resolver, "message")

    payloads = samples.message_candidates(
        message.get("examples"), "payload", message.get("payload"), resolver.follow
    )
    headers = samples.message_candidates(
        message.get("examples"), "headers", None, resolver.follow
    )

    assert [json.loads(p) for p in payloads] == [
        {"a": 1},
        {"a": 2},
        {"a": 7},
        {"a": 5},
        {},
    ]
    assert headers == ('{"h":"x"}',)


def test_parameter_candidates_stay_one_level(tmp_path: Path) -> None:
    resolver = resolver_for(
        tmp_path,
        "schema: {type: string, examples: ['a/b', '', 'ok', '+'], pattern: '^o'}\n",
    )

    found = samples.parameter_candidates(
        node(resolver, "schema"), "site", resolver.follow
    )

    assert found == ('"ok"', '"o"')


def test_settle_keeps_the_first_candidate_the_validator_accepts() -> None:
    validation = "class ValidationError:\n    pass\n"
    validators = (
        "from ._validation import ValidationError\n"
        "def is_valid_even(value):\n"
        "    return isinstance(value, int) and value % 2 == 0\n"
    )

    chosen = samples.settle_samples(
        validators,
        validation,
        {"a": ("even", ("1", "4", "6")), "b": ("even", ("3",)), "c": ("even", ())},
    )

    assert chosen == {"a": "4"}


def test_parameter_candidates_try_every_enum_value(tmp_path: Path) -> None:
    resolver = resolver_for(tmp_path, "schema: {type: string, enum: ['a/b', 'c']}\n")

    found = samples.parameter_candidates(
        node(resolver, "schema"), "source", resolver.follow
    )

    assert found == ('"c"',)
