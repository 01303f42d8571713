"""load.py: YAML 1.2 core values, JSON, locations, and bounded handling of hostile input."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest

from asyncapi_gen.errors import DocumentError
from asyncapi_gen.load import MAX_DEPTH, load_document


def load(tmp_path: Path, text: str, name: str = "doc.yaml"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_document(path, name)


def errors_of(tmp_path: Path, text: str, name: str = "doc.yaml") -> list[str]:
    with pytest.raises(DocumentError) as caught:
        load(tmp_path, text, name)
    return [d.render() for d in caught.value.diagnostics]


def test_yaml_1_2_core_scalars(tmp_path: Path) -> None:
    doc = load(
        tmp_path,
        """
        words: [yes, no, on, off, Y, n, NO]
        bools: [true, false, True, FALSE]
        nulls: [null, ~, Null, NULL]
        ints: [12, -3, 0o17, 0x1F, +4]
        floats: [1.5, 1e3, .inf, -.Inf, .nan]
        text: [2001-12-14, 1:30, 012x, '12', "true"]
        """,
    )
    value = doc.value

    assert value["words"] == ["yes", "no", "on", "off", "Y", "n", "NO"]
    assert value["bools"] == [True, False, True, False]
    assert value["nulls"] == [None, None, None, None]
    assert value["ints"] == [12, -3, 15, 31, 4]
    assert value["floats"][:3] == [1.5, 1000.0, math.inf]
    assert value["floats"][3] == -math.inf and math.isnan(value["floats"][4])
    assert value["text"] == ["2001-12-14", "1:30", "012x", "12", "true"]


def test_keys_are_the_text_as_written(tmp_path: Path) -> None:
    doc = load(tmp_path, "16: a\ntrue: b\nnull: c\n1.0: d\n")

    assert doc.value == {"16": "a", "true": "b", "null": "c", "1.0": "d"}


def test_every_key_and_item_has_a_location(tmp_path: Path) -> None:
    doc = load(
        tmp_path,
        """
        channels:
          a/b:
            subscribe:
              tags: [x, {name: y}]
        """,
    )

    assert str(doc.locate("#/channels/a~1b/subscribe")) == "doc.yaml:4:5"
    assert str(doc.locate("#/channels/a~1b/subscribe/tags/1")) == "doc.yaml:5:17"
    # A pointer below the indexed nodes reports its nearest indexed ancestor.
    assert (
        str(doc.locate("#/channels/a~1b/subscribe/tags/1/name/deeper"))
        == "doc.yaml:5:18"
    )


def test_duplicate_keys_are_rejected_with_both_places(tmp_path: Path) -> None:
    assert errors_of(tmp_path, "a: 1\nb:\n  c: 1\n  c: 2\n") == [
        "doc.yaml:4:3: error: duplicate key 'c' (first at line 3)\n  at #/b/c"
    ]


def test_json_duplicate_keys_are_located(tmp_path: Path) -> None:
    text = '{\n  "a": {"x": 1,\n    "x": 2}\n}\n'

    assert errors_of(tmp_path, text, "doc.json") == [
        "doc.json:3:5: error: duplicate key 'x' (first at line 2)\n  at #/a/x"
    ]


def test_json_locations_are_found_when_asked(tmp_path: Path) -> None:
    doc = load(tmp_path, '{"a": [1, {"b/c": 2}],\n "d": 3}', "doc.json")

    assert str(doc.locate("#/a/1/b~1c")) == "doc.json:1:12"
    assert str(doc.locate("#/d")) == "doc.json:2:2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [1, 2\n", "malformed YAML"),
        ("", "file is empty"),
        ("a: *nowhere\n", "undefined alias"),
        ("a: !!python/object:os.system x\n", "unsupported YAML tag"),
        ("--- a\n--- b\n", "expected one YAML document"),
        ("? [a, b]\n: c\n", "mapping keys must be strings"),
    ],
)
def test_malformed_yaml_is_located(tmp_path: Path, text: str, expected: str) -> None:
    (error,) = errors_of(tmp_path, text)

    assert error.startswith("doc.yaml:") and expected in error


def test_malformed_json_is_located(tmp_path: Path) -> None:
    (error,) = errors_of(tmp_path, '{"a": 1,\n "b": }', "doc.json")

    assert error.startswith("doc.json:2:7: error: malformed JSON")


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as caught:
        load_document(tmp_path / "nope.yaml", "nope.yaml")

    assert (
        caught.value.diagnostics[0]
        .render()
        .startswith("nope.yaml:1:1: error: file not found")
    )


def test_alias_bomb_stops_with_an_error(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")

    (error,) = errors_of(tmp_path, "\n".join(lines) + "\n")

    assert "expands to more than" in error


@pytest.mark.parametrize("name", ["deep.yaml", "deep.json"])
def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path, name: str) -> None:
    depth = MAX_DEPTH + 50
    text = "[" * depth + "]" * depth

    (error,) = errors_of(tmp_path, text, name)

    assert f"nested deeper than {MAX_DEPTH} levels" in error


def test_shared_aliases_load_as_values(tmp_path: Path) -> None:
    doc = load(tmp_path, "base: &b {type: string}\nuse: *b\n")

    assert doc.value["use"] == {"type": "string"}
