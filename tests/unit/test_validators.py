"""validators/compile.py: each draft-07 keyword, errors with paths, sharing, recursion, output quality."""

from __future__ import annotations

import itertools
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import yaml

from asyncapi_gen.errors import DiagnosticSink
from asyncapi_gen.load import load_document
from asyncapi_gen.resolve import resolve_document
from asyncapi_gen.validators import ValidatorSet, compile_validators
from asyncapi_gen.validators.testing import (
    format_source,
    import_module,
    render_validators,
    write_package,
)

_packages = itertools.count()


def compile_schemas(
    folder: Path, schemas: dict[str, Any], roots: list[str] | None = None
) -> tuple[ValidatorSet, DiagnosticSink]:
    """Compile components.schemas of an inline AsyncAPI document; roots are schema names."""
    document = {
        "asyncapi": "2.6.0",
        "info": {"title": "T", "version": "1"},
        "channels": {},
        "components": {"schemas": schemas},
    }
    path = folder / "asyncapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    resolver = resolve_document(load_document(path))
    listed = resolver.root_node().child("components").child("schemas")
    names = roots or list(schemas)
    sink = DiagnosticSink()
    pairs = [(_snake(name), listed.child(name)) for name in names]
    return compile_validators(resolver, pairs, sink), sink


def build(
    folder: Path, schemas: dict[str, Any], roots: list[str] | None = None
) -> types.ModuleType:
    """Compile, render, format and import; fail on any diagnostic."""
    validators, sink = compile_schemas(folder, schemas, roots)
    assert not sink.items, [d.render() for d in sink.items]
    return load(folder, validators)


def load(folder: Path, validators: ValidatorSet) -> types.ModuleType:
    package = f"vpkg{next(_packages)}"
    text = format_source(render_validators(validators))
    write_package(folder, package, {"validators": text})
    return import_module(folder, package, "validators")


def one(folder: Path, schema: Any) -> types.ModuleType:
    return build(folder, {"S": schema})


def _snake(name: str) -> str:
    return name.lower()


def check(
    module: types.ModuleType, good: list[Any], bad: list[Any], name: str = "s"
) -> None:
    is_valid = getattr(module, f"is_valid_{name}")
    validate = getattr(module, f"validate_{name}")
    for value in good:
        assert is_valid(value), f"{value!r} should be valid"
        assert validate(value) == [], f"{value!r} should be valid"
    for value in bad:
        assert not is_valid(value), f"{value!r} should be invalid"
        assert validate(value), f"{value!r} should have errors"


# Types and equality


def test_type_is_exact_and_bool_is_no_number(tmp_path: Path) -> None:
    module = one(tmp_path, {"type": "integer"})

    check(module, [1, -3, 2.0, 10**40], [True, False, 1.5, "1", None, [], {}])


def test_type_lists_and_number(tmp_path: Path) -> None:
    module = one(tmp_path, {"type": ["number", "null"]})

    check(module, [1, 1.5, None], [True, "x", [], {}])


def test_nullable_widens_type(tmp_path: Path) -> None:
    module = one(tmp_path, {"type": "string", "nullable": True})

    check(module, ["a", None], [1])


def test_enum_uses_json_equality(tmp_path: Path) -> None:
    module = one(
        tmp_path, {"enum": [1, "a", None, False, [1, {"k": True}], {"a": 1, "b": 2}]}
    )

    check(
        module,
        [1, 1.0, "a", None, False, [1, {"k": True}], {"b": 2, "a": 1}],
        [True, 0, "b", [1, {"k": 1}], [True, {"k": True}], {"a": 1}],
    )


def test_const_false_is_not_zero(tmp_path: Path) -> None:
    module = one(tmp_path, {"const": False})

    check(module, [False], [0, 0.0, None, [], ""])


def test_unique_items_by_json_equality(tmp_path: Path) -> None:
    module = one(tmp_path, {"uniqueItems": True})

    check(
        module,
        [[1, True], [0, False], [{"a": 1}, {"a": True}], [[1], [True]], ["a", "b"]],
        [[1, 1.0], [{"a": 1, "b": 2}, {"b": 2, "a": 1}], [[1, 2], [1, 2]], ["a", "a"]],
    )


def test_unique_items_false_imposes_nothing(tmp_path: Path) -> None:
    module = one(tmp_path, {"uniqueItems": False})

    check(module, [[1, 1]], [])


# Numbers and strings


def test_number_bounds(tmp_path: Path) -> None:
    module = one(tmp_path, {"minimum": 1, "exclusiveMaximum": 10, "multipleOf": 0.5})

    check(module, [1, 1.5, 9.5, "not a number"], [0.5, 10, 1.25, 11])


def test_multiple_of_decimal_and_huge_values(tmp_path: Path) -> None:
    module = build(
        tmp_path,
        {"D": {"multipleOf": 0.0001}, "H": {"type": "integer", "multipleOf": 0.5}},
    )

    check(module, [0.0075, 19.99], [0.00751], name="d")
    check(module, [1e308, 4], [], name="h")


def test_string_length_counts_code_points(tmp_path: Path) -> None:
    module = one(tmp_path, {"minLength": 2, "maxLength": 3})

    check(module, ["\U0001f4a9\U0001f4a9", "abc", 5], ["\U0001f4a9", "abcd"])


def test_pattern_follows_ecma_262(tmp_path: Path) -> None:
    module = build(
        tmp_path,
        {
            "Slug": {"type": "string", "pattern": "^[a-z0-9-]+$"},
            "Digits": {"pattern": "^\\d{3}$"},
            "Word": {"pattern": "^\\w+$"},
            "Spaced": {"pattern": "\\x20"},
            "Price": {"pattern": "^[$€]\\d+$"},
        },
    )

    check(module, ["abc-1"], ["abc-1\n", "ABC"], name="slug")
    check(module, ["123"], ["১২৩", "12"], name="digits")
    check(module, ["abc_1"], ["héllo"], name="word")
    check(module, ["a b"], ["ab"], name="spaced")
    check(module, ["$100", "€5"], ["100"], name="price")


def test_formats_checked_only_on_strings(tmp_path: Path) -> None:
    module = build(
        tmp_path,
        {
            "When": {"format": "date-time"},
            "Day": {"format": "date"},
            "Id": {"format": "uuid"},
            "Other": {"format": "no-such-format"},
        },
    )

    check(
        module,
        ["2024-02-29T10:00:00Z", 5],
        ["yesterday", "2023-02-29T10:00:00Z"],
        name="when",
    )
    check(module, ["2024-01-31"], ["2024-01-32"], name="day")
    check(module, ["123e4567-e89b-12d3-a456-426614174000"], ["123e4567"], name="id")
    check(module, ["anything"], [], name="other")


# Arrays and objects


def test_items_tuple_and_additional_items(tmp_path: Path) -> None:
    module = one(
        tmp_path,
        {"items": [{"type": "integer"}, {"type": "string"}], "additionalItems": False},
    )

    check(module, [[], [1], [1, "a"], "not an array"], [["a"], [1, 2], [1, "a", None]])


def test_items_schema_contains_and_counts(tmp_path: Path) -> None:
    module = one(
        tmp_path,
        {
            "items": {"type": "number"},
            "contains": {"minimum": 5},
            "minItems": 1,
            "maxItems": 3,
        },
    )

    check(module, [[5], [1, 6]], [[], [1], [1, 2, 3, 9], ["x", 6]])


def test_object_keywords(tmp_path: Path) -> None:
    module = one(
        tmp_path,
        {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string"}, "n": {"type": "integer"}},
            "patternProperties": {"^x-": {"type": "string"}},
            "additionalProperties": False,
            "propertyNames": {"maxLength": 5},
            "dependencies": {"n": ["id"], "x-a": {"required": ["n"]}},
            "minProperties": 1,
            "maxProperties": 3,
        },
    )

    check(
        module,
        [
            {"id": "a"},
            {"id": "a", "n": 1},
            {"id": "a", "x-b": "y"},
            {"id": "a", "n": 1, "x-a": "z"},
        ],
        [
            {},
            {"n": 1},
            {"id": 1},
            {"id": "a", "other": 1},
            {"id": "a", "x-b": 1},
            {"id": "a", "x-a": "z"},
            {"id": "a", "x-long": "z"},
            {"id": "a", "n": 1, "x-a": "z", "x-b": "w"},
            [],
        ],
    )


# Combinators and references


def test_all_of_merges_required_across_branches(tmp_path: Path) -> None:
    module = build(
        tmp_path,
        {
            "Base": {"type": "object", "properties": {"id": {"type": "string"}}},
            "Event": {
                "allOf": [{"$ref": "#/components/schemas/Base"}, {"required": ["id"]}],
                "required": ["kind"],
            },
        },
        roots=["Event"],
    )

    check(
        module,
        [{"id": "a", "kind": 1}],
        [{"id": "a"}, {"kind": 1}, {"id": 2, "kind": 1}],
        name="event",
    )


def test_any_one_not_and_conditionals(tmp_path: Path) -> None:
    module = build(
        tmp_path,
        {
            "Any": {"anyOf": [{"type": "string"}, {"minimum": 2}]},
            "One": {"oneOf": [{"type": "integer"}, {"minimum": 2}]},
            "Not": {"not": {"type": "null"}},
            "Cond": {
                "if": {"type": "string"},
                "then": {"minLength": 2},
                "else": {"type": "integer"},
            },
        },
    )

    check(module, ["x", 3, 2.5], [1, 1.5], name="any")
    check(module, [1, 2.5], [3, 1.5], name="one")
    check(module, [0, "x"], [None], name="not")
    check(module, ["ab", 1], ["a", 1.5], name="cond")


def test_boolean_schemas(tmp_path: Path) -> None:
    module = build(
        tmp_path, {"Yes": True, "No": False, "Props": {"properties": {"gone": False}}}
    )

    check(module, [None, 1, {}], [], name="yes")
    check(module, [], [None, 1, {}], name="no")
    check(module, [{"kept": 1}], [{"gone": 1}], name="props")


def test_ref_siblings_are_ignored(tmp_path: Path) -> None:
    module = build(
        tmp_path,
        {
            "Int": {"type": "integer"},
            "S": {"$ref": "#/components/schemas/Int", "maximum": 1},
        },
        roots=["S"],
    )

    check(module, [1, 5], ["x"])


def test_recursive_schema_and_deep_values_never_raise(tmp_path: Path) -> None:
    module = build(
        tmp_path,
        {
            "Tree": {
                "type": "object",
                "properties": {
                    "value": {"type": "integer"},
                    "children": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Tree"},
                    },
                },
            }
        },
    )
    deep: dict[str, Any] = {"value": 1}
    for _ in range(5000):
        deep = {"children": [deep]}

    check(
        module,
        [{"value": 1, "children": [{"value": 2, "children": []}]}],
        [{"children": [{"value": "x"}]}],
        name="tree",
    )
    assert module.is_valid_tree(deep) is False
    errors = module.validate_tree(deep)
    assert [error.keyword for error in errors] == ["depth"]


def test_shared_schemas_compile_once(tmp_path: Path) -> None:
    validators, _ = compile_schemas(
        tmp_path,
        {
            "Envelope": {"type": "object", "properties": {"id": {"type": "string"}}},
            "A": {"$ref": "#/components/schemas/Envelope"},
            "B": {"$ref": "#/components/schemas/Envelope"},
        },
        roots=["A", "B"],
    )

    assert len(validators.functions) == 2  # one fast function and one error function
    assert validators.roots[0].valid == validators.roots[1].valid


# Errors


def test_errors_name_path_keyword_expected_and_found(tmp_path: Path) -> None:
    module = one(
        tmp_path,
        {
            "type": "object",
            "required": ["eventId"],
            "properties": {
                "customerType": {
                    "type": "string",
                    "enum": ["Individual", "Business", "Government"],
                },
                "a/b": {"type": "object", "properties": {"~n": {"type": "number"}}},
                "list": {"items": {"type": "string"}},
            },
        },
    )

    errors = module.validate_s(
        {"customerType": "Person", "a/b": {"~n": "12"}, "list": ["ok", 3]}
    )

    assert [str(error) for error in errors] == [
        "(root): 'eventId' is a required property",
        "/customerType: 'Person' is not one of ['Individual', 'Business', 'Government']",
        "/a~1b/~0n: '12' is not of type 'number'",
        "/list/1: 3 is not of type 'string'",
    ]
    assert [error.keyword for error in errors] == ["required", "enum", "type", "type"]


def test_first_error_stops_early(tmp_path: Path) -> None:
    module = one(tmp_path, {"type": "object", "required": ["a", "b", "c"]})

    assert len(module.validate_s({})) == 3
    assert len(module.validate_s({}, first_error=True)) == 1


def test_payload_that_is_a_list(tmp_path: Path) -> None:
    module = one(tmp_path, {"type": "object", "required": ["eventId"]})

    assert [str(e) for e in module.validate_s([])] == [
        "(root): [] is not of type 'object'"
    ]


def test_known_limitation_untranslatable_pattern(tmp_path: Path) -> None:
    validators, sink = compile_schemas(
        tmp_path, {"S": {"type": "string", "pattern": "\\p{Script=Greek}+"}}
    )
    module = load(tmp_path, validators)

    [warning] = sink.items
    assert warning.severity.value == "warning"
    assert warning.location is not None
    assert warning.location.pointer == "#/components/schemas/S/pattern"
    assert warning.location.line > 1
    assert "no Python equivalent" in warning.message
    # Known limitation: the pattern is not checked.
    assert module.is_valid_s("123")


def test_invalid_pattern_is_an_error(tmp_path: Path) -> None:
    _, sink = compile_schemas(tmp_path, {"S": {"pattern": "(abc"}})

    assert [d.severity.value for d in sink.items] == ["error"]
    assert "missing ')'" in sink.items[0].message


def test_broken_reference_is_an_error_and_code_still_imports(tmp_path: Path) -> None:
    validators, sink = compile_schemas(
        tmp_path, {"S": {"properties": {"a": {"$ref": "#/components/schemas/Nope"}}}}
    )
    module = load(tmp_path, validators)

    assert [d.severity.value for d in sink.items] == ["error"]
    assert module.is_valid_s({}) and not module.is_valid_s({"a": 1})


# Output quality


def test_literals_from_the_document_are_escaped(tmp_path: Path) -> None:
    tricky = "'\"\\\n}}{{ {% x %}\u2028"
    module = one(
        tmp_path,
        {"properties": {tricky: {"const": tricky}}, "description": '""" ) import os'},
    )

    check(module, [{tricky: tricky}], [{tricky: "x"}])


def test_output_is_deterministic(tmp_path: Path) -> None:
    schemas = {
        "S": {
            "properties": {"b": {"enum": ["x", "y"]}, "a": {"type": "integer"}},
            "patternProperties": {"^z": {"type": "string"}},
        }
    }
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()

    first, _ = compile_schemas(tmp_path / "one", schemas)
    second, _ = compile_schemas(tmp_path / "two", schemas)

    assert render_validators(first) == render_validators(second)


def test_generated_code_is_black_clean_and_mypy_strict(tmp_path: Path) -> None:
    validators, _ = compile_schemas(
        tmp_path,
        {
            "Node": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {
                        "type": "string",
                        "format": "uuid",
                        "pattern": "^[a-f0-9-]+$",
                    },
                    "kind": {"enum": [1, "a", None, [1]]},
                    "next": {"$ref": "#/components/schemas/Node"},
                    "tags": {
                        "type": "array",
                        "items": {"type": "string"},
                        "uniqueItems": True,
                    },
                    "size": {"type": "number", "multipleOf": 0.5, "maximum": 10},
                },
                "patternProperties": {"^x-": {"type": "string"}},
                "additionalProperties": {"type": "integer"},
                "dependencies": {"kind": ["id"]},
                "oneOf": [{"required": ["id"]}, {"required": ["other"]}],
                "if": {"properties": {"kind": {"const": 1}}},
                "then": {"required": ["size"]},
            }
        },
    )
    text = format_source(render_validators(validators))
    assert format_source(text) == text
    write_package(tmp_path, "typed", {"validators": text})

    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "typed"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_template_receives_only_prepared_text() -> None:
    template = Path(__file__).resolve().parents[2] / "templates" / "validators.py.jinja"

    text = template.read_text(encoding="utf-8")

    assert text.startswith("{# receives: header (str), validators")
    assert "|" not in "".join(line for line in text.splitlines() if "{{" in line)


def test_deeply_nested_constants_become_json_text(tmp_path: Path) -> None:
    deep: Any = 1
    for _ in range(40):
        deep = {"k": [deep]}

    module = one(tmp_path, {"const": deep})

    check(module, [deep], [{"k": [1]}])


def test_literals_that_look_like_code_keep_their_meaning(tmp_path: Path) -> None:
    tricky = "') or (x"
    module = one(
        tmp_path,
        {
            "type": "object",
            "properties": {
                "a(": {"enum": ["(", ")"]},
                tricky: {"const": tricky},
                "v1": {"const": "v1"},
            },
            "anyOf": [{"const": {"(": ")"}}, {"required": ["a("]}],
        },
    )

    check(
        module,
        [{"a(": "("}, {"a(": ")", tricky: tricky, "v1": "v1"}, {"(": ")"}],
        [{"a(": "x"}, {"a(": "(", tricky: "x"}, {"a(": "(", "v1": "v2"}, {}],
    )
