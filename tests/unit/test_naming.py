"""naming.py: every document name becomes a valid, distinct, stable Python name."""

from __future__ import annotations

import keyword

import pytest

from asyncapi_gen import naming


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("customerType", "customer_type"),
        ("X-Correlation-ID", "x_correlation_id"),
        ("HTTPStatus", "http_status"),
        ("1Q", "field_1q"),
        ("3d-view", "field_3d_view"),
        ("user.name", "user_name"),
        ("first name", "first_name"),
        ("-", "field_"),
        ("", "field_"),
        ("@id", "id_"),
        ("ünïcødé", "ünïcødé"),
        ("class", "class_"),
        ("from_dict", "from_dict_"),
        ("to_json", "to_json_"),
        ("validate", "validate_"),
        ("str", "str_"),
        ("__init__", "init"),
        ("match", "match"),
        ("type", "type_"),
        ("_", "field_"),
        ("None", "none"),
        ("True", "true"),
        ("1", "field_1"),
    ],
)
def test_field_names(wire: str, expected: str) -> None:
    name = naming.field_name(wire)

    assert name == expected
    assert name.isidentifier() and not keyword.iskeyword(name)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("customer/created", "CustomerCreated"),
        ("EventV2Id", "EventV2Id"),
        ("None", "None_"),
        ("True", "True_"),
        ("false", "False_"),
        ("class", "Class"),
        ("object", "Object"),
        ("Enum", "Enum_"),
        ("3DPoint", "Model3DPoint"),
        ("", "Model"),
        ("ValueError", "ValueError_"),
        ("match", "Match"),
        ("_", "Model"),
        ("日本", "日本"),
    ],
)
def test_class_names(wire: str, expected: str) -> None:
    assert naming.class_name(wire) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("in-progress", "IN_PROGRESS"),
        ("mro", "MRO"),
        ("_missing_", "MISSING"),
        ("", "EMPTY"),
        ("1st", "VALUE_1ST"),
        (None, "NULL"),
        (True, "TRUE"),
        (-1.5, "VALUE_MINUS_1_5"),
        ("name", "NAME"),
    ],
)
def test_enum_member_names(value: object, expected: str) -> None:
    assert naming.enum_member_name(value) == expected


def test_name_table_settles_collisions_in_claim_order() -> None:
    table = naming.NameTable(frozenset({"taken"}), sep="_")

    assert [table.claim(n) for n in ["a", "a", "taken", "a"]] == [
        "a",
        "a_2",
        "taken_2",
        "a_3",
    ]


def test_unicode_names_are_normalised_like_python_does() -> None:
    # NFKC folds the ligature: Python would read both spellings as the same identifier.
    assert naming.field_name("ﬁeld") == naming.field_name("field") == "field"


def test_class_names_never_hold_the_collision_separator() -> None:
    # Collisions are settled with `_2`, `_3`...; no document name can produce such a name.
    for text in ["a_2", "A__2", "x-y_3", "None_2", "_"]:
        assert "_" not in naming.class_name(text).rstrip("_")
