"""templates/validation.py.jinja: the runtime support module, loaded as the generator loads it."""

from __future__ import annotations

import re
import types

import pytest

from asyncapi_gen.validators.runtime import load_runtime


@pytest.fixture(scope="module")
def rt() -> types.ModuleType:
    return load_runtime()


def matches(rt: types.ModuleType, pattern: str, text: str) -> bool:
    return re.search(rt.translate_pattern(pattern), text) is not None


def test_dollar_is_the_end_of_input_only(rt: types.ModuleType) -> None:
    assert matches(rt, "^abc$", "abc")
    assert not matches(rt, "^abc$", "abc\n")
    assert matches(rt, "^[$]5$", "$5")


def test_class_escapes_are_ascii_or_ecma_whitespace(rt: types.ModuleType) -> None:
    assert not matches(rt, "^\\d$", "৪")
    assert matches(rt, "^\\D$", "৪")
    assert not matches(rt, "^\\w$", "é")
    assert matches(rt, "^\\W$", "é")
    assert matches(rt, "^\\s$", "\u00a0") and matches(rt, "^\\s$", "\ufeff")
    assert not matches(rt, "^\\s$", "\x1c")
    assert matches(rt, "^[\\D]$", "a") and not matches(rt, "^[\\D]$", "1")
    assert matches(rt, "^[^\\Wa]$", "b") and not matches(rt, "^[^\\Wa]$", "a")


def test_word_boundary_dot_and_empty_classes(rt: types.ModuleType) -> None:
    assert matches(rt, "\\bé", "aé") is False or matches(rt, "a\\b", "aé")
    assert not matches(rt, "^.$", "\u2028")
    assert not matches(rt, "[]", "a")
    assert matches(rt, "^[^]$", "\n")


def test_escapes(rt: types.ModuleType) -> None:
    assert matches(rt, "^\\x20$", " ")
    assert matches(rt, "^\\cC$", "\x03") and matches(rt, "^\\cc$", "\x03")
    assert matches(rt, "^\\ud83d\\ude00$", "\U0001f600")
    assert matches(rt, "^\\u{1F600}$", "\U0001f600")
    assert matches(rt, "^\\/\\.$", "/.")
    assert matches(rt, "^🐲*$", "🐲🐲")


def test_groups_and_backreferences(rt: types.ModuleType) -> None:
    assert matches(rt, "^(?<q>['\"])x\\k<q>$", "'x'")
    assert matches(rt, "^(a)\\1$", "aa")
    assert matches(rt, "(?<=a)b", "ab")


def test_invalid_and_untranslatable_patterns(rt: types.ModuleType) -> None:
    for pattern in ("(abc", "a**", "\\a", "(?P<n>x)", "(?i)x", "[b-a]", "\\2(a)"):
        with pytest.raises(rt.PatternError) as caught:
            rt.translate_pattern(pattern)
        assert not caught.value.untranslatable, pattern
    with pytest.raises(rt.PatternError) as caught:
        rt.translate_pattern("\\p{Script=Greek}")
    assert caught.value.untranslatable


def test_lone_braces_are_literals_in_patterns_but_not_regex_format(
    rt: types.ModuleType,
) -> None:
    assert matches(rt, "^{x}$", "{x}")
    assert not rt.is_regex("^{x}$")
    assert rt.is_regex("(?<=a+)b")
    assert not rt.is_regex("^(abc]")


@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        ("date-time", "1998-12-31T23:59:60Z", "1998-12-31T22:59:60Z"),
        ("date", "2020-02-29", "2021-02-29"),
        ("time", "15:59:60-08:00", "12:00:00"),
        ("email", "te.s.t@example.com", "te..st@example.com"),
        ("hostname", "xn--4dbc5h", "-hostname"),
        ("ipv4", "192.168.0.1", "192.168.0.01"),
        ("ipv6", "::ffff:192.168.0.1", "1::d6::42"),
        ("uri", "urn:oasis:names:docbook", "//foo.bar/?baz"),
        ("uri-reference", "./this:that", "\\\\WINDOWS"),
        ("json-pointer", "/foo/bar~0/baz~1/%a", "/foo/bar~"),
        ("relative-json-pointer", "0#", "0##"),
        (
            "uuid",
            "2EB8AA08-AA98-11EA-B4AA-73B441D16380",
            "2eb8aa08-aa98-11ea-b4aa-73b441d1638",
        ),
        ("uri-template", "{term:1}/{term}", "{v:0}"),
        ("regex", "([abc])+\\s+$", "^(abc]"),
    ],
)
def test_formats(rt: types.ModuleType, name: str, good: str, bad: str) -> None:
    check = rt.FORMATS[name]

    assert check(good) and not check(bad)


def test_freeze_and_uniqueness_follow_json_equality(rt: types.ModuleType) -> None:
    assert rt.freeze(1) == rt.freeze(1.0)
    assert rt.freeze(True) != rt.freeze(1)
    assert rt.freeze({"a": [1, {"b": None}]}) == rt.freeze({"a": [1.0, {"b": None}]})
    assert rt.is_unique([1, True, "1", [1], [True]])
    assert not rt.is_unique([{"a": 1, "b": 2}, {"b": 2, "a": 1}])


def test_freeze_handles_any_depth(rt: types.ModuleType) -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]

    assert rt.freeze(deep) == rt.freeze(deep)


def test_is_multiple_is_exact_on_decimals(rt: types.ModuleType) -> None:
    assert rt.is_multiple(0.0075, 0.0001)
    assert not rt.is_multiple(0.00751, 0.0001)
    assert rt.is_multiple(1e308, 0.5)
    assert not rt.is_multiple(float("inf"), 0.5)


def test_error_display_and_pointer_escaping(rt: types.ModuleType) -> None:
    error = rt.ValidationError(rt.join(rt.join("", "a/b"), "~c"), "type", "msg")

    assert error.path == "/a~1b/~0c"
    assert str(error) == "/a~1b/~0c: msg"
    assert str(rt.ValidationError("", "type", "msg")) == "(root): msg"
    assert len(rt.show("x" * 1000)) < 100


def test_unicode_general_categories_translate(rt: types.ModuleType) -> None:
    assert matches(rt, "^\\p{Letter}cole$", "école")
    assert not matches(rt, "^\\p{L}cole$", "1cole")
    assert matches(rt, "^\\p{digit}+$", "৪২") and not matches(rt, "^\\p{Nd}+$", "12a")
    assert matches(rt, "^[\\P{L}x]+$", "1x2") and not matches(rt, "^[\\P{L}x]+$", "a")
    assert rt.is_regex("\\p{Script=Greek}") and not rt.is_regex("\\p{")
