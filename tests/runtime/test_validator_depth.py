"""Validators never raise on deep values, even through long chains of distinct schemas."""

from __future__ import annotations

from typing import Any

from tests.conftest import GenerateFn


def chain_document(length: int) -> str:
    lines = [
        "asyncapi: 2.6.0",
        "info: {title: Chain, version: '1'}",
        "channels: {}",
        "components:",
        "  schemas:",
    ]
    for index in range(length):
        last = index + 1 == length
        target = (
            "{type: string}"
            if last
            else f"{{$ref: '#/components/schemas/S{index + 1}'}}"
        )
        lines.append(f"    S{index}: {{type: object, properties: {{next: {target}}}}}")
    return "\n".join(lines) + "\n"


def nested(depth: int, leaf: Any) -> dict[str, Any]:
    value: dict[str, Any] = {"next": leaf}
    for _ in range(depth - 1):
        value = {"next": value}
    return value


def test_a_short_chain_validates_exactly(generate: GenerateFn) -> None:
    pkg = generate(chain_document(150), "--no-format")
    entry = pkg.SCHEMAS["S0"]

    assert entry.validate(nested(150, "x")) == []
    (error,) = entry.validate(nested(150, 1))
    assert error.keyword == "type" and error.path.count("/next") == 150


def test_known_limitation_a_chain_deeper_than_the_bound_reports_depth(
    generate: GenerateFn,
) -> None:
    # Known limitation: past the depth bound a value is reported, not checked further.
    pkg = generate(chain_document(3000), "--no-format")
    entry = pkg.SCHEMAS["S0"]

    errors = entry.validate(nested(3000, "x"))

    assert [e.keyword for e in errors] == ["depth"]
    assert entry.is_valid(nested(3000, "x")) is False
