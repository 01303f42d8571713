"""Property tests: generated validators never raise, and their two paths always agree.

Arbitrary JSON goes into the connectx payload validators and into every schema of the
JSON Schema Test Suite (when ../shared/jsts is present).
"""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncapi_gen.errors import DiagnosticSink
from asyncapi_gen.load import load_document
from asyncapi_gen.resolve import resolve_document
from asyncapi_gen.validators import compile_validators
from asyncapi_gen.validators.testing import (
    compile_case,
    import_module,
    render_validators,
    write_package,
)

REPO = Path(__file__).resolve().parents[2]
CONNECTX = REPO / "specs" / "connectx.yaml"
JSTS = REPO / ".." / "shared" / "jsts"
SUITE = JSTS / "tests" / "draft7"
PAYLOADS = [
    "EventEnvelope",
    "CustomerEventPayload",
    "SubscriptionEventPayload",
    "InvoiceEventPayload",
    "PaymentEventPayload",
]
KEYS = [
    "eventId",
    "eventType",
    "eventTime",
    "tenantId",
    "customerType",
    "status",
    "totalAmount",
    "amount",
    "dueDate",
    "effectiveDate",
    "paymentMethod",
    "foo",
    "bar",
    "",
    "~/",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    # json.loads also reads NaN and Infinity; validators must not raise on them either.
    | st.floats()
    | st.text()
    | st.sampled_from(
        ["2024-05-01T12:34:56Z", "2024-02-30", "12:00:00Z", "Active", "1.0"]
    )
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(
        st.sampled_from(KEYS) | st.text(max_size=5), children, max_size=6
    ),
    max_leaves=25,
)
# Objects shaped like the payloads, so values reach the checks deep inside.
payload_like = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=10)


def _check_value(module: types.ModuleType, name: str, value: Any) -> None:
    is_valid = getattr(module, f"is_valid_{name}")
    validate = getattr(module, f"validate_{name}")
    valid = is_valid(value)
    errors = validate(value)
    first = validate(value, first_error=True)
    assert valid == (errors == []), f"paths disagree on {value!r}: {errors}"
    assert first == errors[:1]
    for error in errors:
        assert error.path == "" or error.path.startswith("/")
        assert error.keyword and error.message
        assert str(error)


@pytest.fixture(scope="module")
def connectx(tmp_path_factory: pytest.TempPathFactory) -> types.ModuleType:
    folder = tmp_path_factory.mktemp("connectx_validators")
    resolver = resolve_document(load_document(CONNECTX))
    schemas = resolver.root_node().child("components").child("schemas")
    roots = [(name.lower(), schemas.child(name)) for name in PAYLOADS]
    sink = DiagnosticSink()
    text = render_validators(compile_validators(resolver, roots, sink))
    assert not sink.items
    write_package(folder, "connectx_validators", {"validators": text})
    return import_module(folder, "connectx_validators", "validators")


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> list[types.ModuleType]:
    if not SUITE.is_dir():
        pytest.skip(f"JSON Schema Test Suite not found at {JSTS} (../shared/jsts)")
    folder = tmp_path_factory.mktemp("suite_validators")
    package = write_package(folder, "suite_validators", {})
    names = []
    for path in sorted(SUITE.glob("*.json")):
        for index, group in enumerate(json.loads(path.read_text("utf-8"))):
            name = f"g_{path.stem.replace('-', '_')}_{index}"
            ref_map = (("http://localhost:1234/", JSTS / "remotes"),)
            text, sink = compile_case(folder / name, group["schema"], ref_map)
            if any(d.severity.value == "error" for d in sink.items):
                continue  # the meta-schema reference; test_jsts covers that group
            (package / f"{name}.py").write_text(text, encoding="utf-8")
            names.append(name)
    return [import_module(folder, "suite_validators", name) for name in names]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values | payload_like)
def test_connectx_validators_never_raise(
    connectx: types.ModuleType, value: Any
) -> None:
    for name in PAYLOADS:
        _check_value(connectx, name.lower(), value)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values)
def test_suite_validators_never_raise(
    suite: list[types.ModuleType], value: Any
) -> None:
    for module in suite:
        _check_value(module, "case", value)


def _nested(depth: int, kind: str) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value] if kind == "list" else {"foo": value, "bar": [1, {"baz": 2}]}
    return value


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_deep_values_never_raise(
    connectx: types.ModuleType, suite: list[types.ModuleType], kind: str
) -> None:
    value = _nested(3000, kind)
    for name in PAYLOADS:
        _check_value(connectx, name.lower(), value)
    for module in suite:
        _check_value(module, "case", value)
