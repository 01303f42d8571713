"""Validation and decode speed of generated packages against the validators users would pick.

    python benchmarks/bench_validate.py            # about a minute
    python benchmarks/bench_validate.py --quick    # a few seconds, rougher figures

Generates the connectx package and a package of larger nested schemas with asyncapi-gen, then
times, on the same decoded JSON: validation (is-valid answers, and error lists) against
fastjsonschema, jsonschema (Draft7Validator) and jsonschema-rs; decode (decoded JSON to a
validated model) against pydantic v2 `model_validate` and `msgspec.convert`. Formats are checked
by every validator that can check them. Prints microseconds per payload and ratios.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import enum
import importlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import jsonschema_rs
import msgspec
import pydantic
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONNECTX = ROOT / "specs" / "connectx.yaml"
Check = Callable[[Any], object]

# Larger nested schemas: an order with line items and addresses, and a recursive category tree.
NESTED_DOCUMENT = {
    "asyncapi": "2.6.0",
    "info": {"title": "Nested Benchmark", "version": "1.0.0"},
    "channels": {},
    "components": {
        "schemas": {
            "Address": {
                "type": "object",
                "required": ["street", "city", "country"],
                "properties": {
                    "street": {"type": "string", "minLength": 1, "maxLength": 200},
                    "city": {"type": "string", "minLength": 1},
                    "postcode": {"type": "string", "pattern": "^[0-9A-Z -]{3,10}$"},
                    "country": {
                        "type": "string",
                        "enum": ["DE", "FR", "GB", "US", "NL"],
                    },
                },
                "additionalProperties": False,
            },
            "LineItem": {
                "type": "object",
                "required": ["sku", "quantity", "unitPrice"],
                "properties": {
                    "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 1000},
                    "unitPrice": {"type": "number", "exclusiveMinimum": 0},
                    "tags": {
                        "type": "array",
                        "items": {"type": "string"},
                        "uniqueItems": True,
                    },
                    "options": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                    },
                },
            },
            "Order": {
                "type": "object",
                "required": ["orderId", "placedAt", "customer", "items", "status"],
                "properties": {
                    "orderId": {"type": "string", "format": "uuid"},
                    "placedAt": {"type": "string", "format": "date-time"},
                    "status": {"enum": ["new", "paid", "shipped", "cancelled"]},
                    "customer": {
                        "type": "object",
                        "required": ["id", "email", "billing"],
                        "properties": {
                            "id": {"type": "string"},
                            "email": {"type": "string", "format": "email"},
                            "billing": {"$ref": "#/components/schemas/Address"},
                            "shipping": {"$ref": "#/components/schemas/Address"},
                        },
                    },
                    "items": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"$ref": "#/components/schemas/LineItem"},
                    },
                    "total": {"type": "number", "minimum": 0},
                    "note": {"type": ["string", "null"], "maxLength": 500},
                },
            },
            "Category": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer", "minimum": 0},
                    "name": {"type": "string", "minLength": 1},
                    "children": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Category"},
                    },
                },
            },
        }
    },
}


# Payloads


def _envelope(kind: str, index: int) -> dict[str, Any]:
    return {
        "eventId": f"6b1f0c1e-8d2a-4b7e-9c0a-{index:012d}",
        "eventType": kind,
        "eventTime": f"2024-05-{1 + index % 28:02d}T12:{index % 60:02d}:56.789Z",
        "tenantId": "acme-telecom",
    }


def connectx_payloads(index: int) -> dict[str, dict[str, Any]]:
    """One realistic valid payload per connectx payload schema."""
    return {
        "CustomerEventPayload": {
            **_envelope("customer.created", index),
            "customerId": f"C-{index:06d}",
            "accountNumber": f"AC-{index:08d}",
            "customerType": ("Individual", "Business", "Government")[index % 3],
            "status": "Active",
            "email": f"user{index}@example.com",
        },
        "SubscriptionEventPayload": {
            **_envelope("subscription.activated", index),
            "subscriptionId": f"S-{index:06d}",
            "customerId": f"C-{index:06d}",
            "productId": "P-FIBER-1000",
            "productName": "Fiber 1000",
            "status": ("Active", "Suspended", "Cancelled", "Pending")[index % 4],
            "previousStatus": "Pending",
            "effectiveDate": "2024-06-01",
        },
        "InvoiceEventPayload": {
            **_envelope("invoice.created", index),
            "invoiceId": f"I-{index:06d}",
            "invoiceNumber": f"2024-{index:06d}",
            "customerId": f"C-{index:06d}",
            "totalAmount": 49.99 + index,
            "currency": "EUR",
            "dueDate": "2024-06-30",
        },
        "PaymentEventPayload": {
            **_envelope("payment.received", index),
            "paymentId": f"PM-{index:06d}",
            "invoiceId": f"I-{index:06d}",
            "customerId": f"C-{index:06d}",
            "amount": 49.99,
            "currency": "EUR",
            "paymentMethod": ("CreditCard", "BankTransfer", "DirectDebit", "Cash")[
                index % 4
            ],
            "paymentDate": "2024-06-02",
        },
        "EventEnvelope": _envelope("any", index),
    }


def break_payload(payload: dict[str, Any], how: int) -> Any:
    """An invalid variant: the faults issue 2 lists, in turn."""
    broken = copy.deepcopy(payload)
    if how == 0:
        del broken["eventId"]
    elif how == 1:
        broken["eventTime"] = "yesterday"
    elif how == 2:
        broken["tenantId"] = 42
    elif how == 3:
        return [broken]
    else:
        for key in ("customerType", "status", "paymentMethod", "totalAmount", "amount"):
            if key in broken:
                broken[key] = "Person" if key not in ("totalAmount", "amount") else "12"
                break
        else:
            broken["eventType"] = None
    return broken


def order(index: int, items: int = 20) -> dict[str, Any]:
    address = {
        "street": f"{index} Main Street",
        "city": "Berlin",
        "postcode": "10115",
        "country": "DE",
    }
    return {
        "orderId": f"123e4567-e89b-12d3-a456-{index:012d}",
        "placedAt": "2024-05-01T12:34:56Z",
        "status": "paid",
        "customer": {
            "id": f"C{index}",
            "email": f"c{index}@example.com",
            "billing": address,
            "shipping": dict(address),
        },
        "items": [
            {
                "sku": f"ABC-{(index + n) % 10000:04d}",
                "quantity": 1 + n % 5,
                "unitPrice": 9.99 + n,
                "tags": ["new", f"t{n}"],
                "options": {"colour": "red", "size": "M"},
            }
            for n in range(items)
        ],
        "total": 1234.5,
        "note": None,
    }


def tree(depth: int, fan: int, start: int = 0) -> dict[str, Any]:
    node: dict[str, Any] = {"id": start, "name": f"category {start}"}
    if depth:
        node["children"] = [
            tree(depth - 1, fan, start * fan + n + 1) for n in range(fan)
        ]
    return node


# Equivalent models for the decode comparison (CustomerEventPayload)


class CustomerType(enum.Enum):
    INDIVIDUAL = "Individual"
    BUSINESS = "Business"
    GOVERNMENT = "Government"


class CustomerStatus(enum.Enum):
    ACTIVE = "Active"
    INACTIVE = "Inactive"
    SUSPENDED = "Suspended"
    TERMINATED = "Terminated"


class PydanticCustomerEvent(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow", strict=False)

    event_id: str = pydantic.Field(alias="eventId")
    event_type: str = pydantic.Field(alias="eventType")
    event_time: dt.datetime = pydantic.Field(alias="eventTime")
    tenant_id: str = pydantic.Field(alias="tenantId")
    customer_id: str | None = pydantic.Field(None, alias="customerId")
    account_number: str | None = pydantic.Field(None, alias="accountNumber")
    customer_type: CustomerType | None = pydantic.Field(None, alias="customerType")
    status: CustomerStatus | None = None
    email: str | None = None
    previous_status: str | None = pydantic.Field(None, alias="previousStatus")


class MsgspecCustomerEvent(msgspec.Struct, rename="camel"):
    event_id: str
    event_type: str
    event_time: dt.datetime
    tenant_id: str
    customer_id: str | None = None
    account_number: str | None = None
    customer_type: CustomerType | None = None
    status: CustomerStatus | None = None
    email: str | None = None
    previous_status: str | None = None


# Timing


def per_call(check: Check, payloads: Sequence[Any], budget: float) -> float:
    """Best microseconds per payload over repeated passes within `budget` seconds."""
    best = float("inf")
    deadline = time.perf_counter() + budget
    loops = 1
    while True:
        started = time.perf_counter()
        for _ in range(loops):
            for payload in payloads:
                check(payload)
        elapsed = time.perf_counter() - started
        best = min(best, elapsed / (loops * len(payloads)))
        if elapsed < 0.02:
            loops *= 2
        if time.perf_counter() > deadline:
            return best * 1e6


def race(
    contenders: dict[str, Check], payloads: Sequence[Any], budget: float
) -> dict[str, float]:
    """Time contenders in interleaved rounds, so that machine noise hits each alike."""
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(3):
        for name, check in contenders.items():
            slice_budget = budget / 3 if name != "jsonschema" else budget / 12
            best[name] = min(best[name], per_call(check, payloads, slice_budget))
    return best


def raising(check: Callable[[Any], object], error: type[BaseException]) -> Check:
    def run(payload: Any) -> object:
        try:
            return check(payload)
        except error as exc:
            return exc

    return run


# Setup


def generate(spec: Path, output: Path) -> Any:
    """Run asyncapi-gen and import the registry of the package it writes."""
    subprocess.run(
        [sys.executable, "-m", "asyncapi_gen", str(spec), "-o", str(output)],
        check=True,
        cwd=ROOT,
    )
    package = next(p.parent.name for p in output.glob("*/registry.py"))
    sys.path.insert(0, str(output))
    return importlib.import_module(f"{package}.registry")


def standalone(components: dict[str, Any], name: str) -> dict[str, Any]:
    """A draft-07 schema for one component, its references kept inside one document."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$ref": f"#/components/schemas/{name}",
        "components": {"schemas": components},
    }


def contenders_for(
    registry: Any, components: dict[str, Any], name: str
) -> tuple[dict[str, Check], dict[str, Check]]:
    """(is-valid checks, error-list checks) of every validator for one schema."""
    schema = standalone(components, name)
    entry = registry.SCHEMAS[name]
    fast = fastjsonschema.compile(schema)
    rs = jsonschema_rs.Draft7Validator(schema, validate_formats=True)
    js = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    valid: dict[str, Check] = {
        "asyncapi-gen": entry.is_valid,
        "fastjsonschema": raising(fast, fastjsonschema.JsonSchemaException),
        "jsonschema-rs": rs.is_valid,
        "jsonschema": js.is_valid,
    }
    errors: dict[str, Check] = {
        "asyncapi-gen": entry.validate,
        "fastjsonschema": raising(fast, fastjsonschema.JsonSchemaException),
        "jsonschema-rs": lambda value: list(rs.iter_errors(value)),
        "jsonschema": lambda value: list(js.iter_errors(value)),
    }
    first: dict[str, Check] = {
        "asyncapi-gen": lambda value: entry.validate(value, first_error=True),
        "fastjsonschema": raising(fast, fastjsonschema.JsonSchemaException),
        "jsonschema-rs": raising(rs.validate, jsonschema_rs.ValidationError),
        "jsonschema": lambda value: next(js.iter_errors(value), None),
    }
    return valid, errors, first


def agree(checks: dict[str, Check], payloads: Sequence[Any]) -> list[str]:
    """Refuse to time validators that disagree on which payloads are valid.

    jsonschema checks `date-time` only when rfc3339-validator is installed; without it, its
    disagreement is noted instead.
    """
    answers = {
        name: [_accepted(check(payload)) for payload in payloads]
        for name, check in checks.items()
    }
    reference = answers["asyncapi-gen"]
    notes = []
    for name, answer in answers.items():
        differing = sum(a != b for a, b in zip(answer, reference, strict=True))
        if differing and name == "jsonschema":
            notes.append(
                f"  note: jsonschema accepts {differing} payload(s) the others reject (formats it does not check here)"
            )
        elif differing:
            raise SystemExit(
                f"{name} disagrees with asyncapi-gen on {differing} payloads"
            )
    return notes


def _accepted(answer: object) -> bool:
    return answer is True or not (answer is False or isinstance(answer, Exception))


# Report


def show(title: str, figures: dict[str, float]) -> list[str]:
    ours = figures["asyncapi-gen"]
    lines = [f"{title}"]
    for name, value in figures.items():
        ratio = (
            ""
            if name == "asyncapi-gen"
            else (
                f"  ours is {value / ours:5.2f}x faster"
                if value >= ours
                else f"  ours is {ours / value:5.2f}x slower"
            )
        )
        lines.append(f"  {name:16s} {value:9.3f} us/payload{ratio}")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short timing budget")
    args = parser.parse_args(argv)
    budget = 0.3 if args.quick else 2.0
    out: list[str] = [f"Python {sys.version.split()[0]}, budget {budget}s per figure"]

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        connectx = generate(CONNECTX, folder / "connectx")
        nested_spec = folder / "nested.yaml"
        nested_spec.write_text(
            yaml.safe_dump(NESTED_DOCUMENT, sort_keys=False), encoding="utf-8"
        )
        nested = generate(nested_spec, folder / "nested")
        components = yaml.safe_load(CONNECTX.read_text(encoding="utf-8"))["components"][
            "schemas"
        ]

        names = [
            "CustomerEventPayload",
            "SubscriptionEventPayload",
            "InvoiceEventPayload",
            "PaymentEventPayload",
        ]
        totals: dict[str, dict[str, float]] = {}
        for name in names:
            valid_payloads = [connectx_payloads(i)[name] for i in range(50)]
            mixed = [
                p if i % 2 else break_payload(p, i // 2 % 5)
                for i, p in enumerate(valid_payloads)
            ]
            checks, error_checks, first_checks = contenders_for(
                connectx, components, name
            )
            out += agree(checks, mixed)
            for label, payloads, contenders in (
                ("valid", valid_payloads, checks),
                ("mixed is-valid", mixed, checks),
                ("mixed, every error", mixed, error_checks),
                ("mixed, first error", mixed, first_checks),
            ):
                figures = race(contenders, payloads, budget)
                out += show(f"connectx {name}, {label}", figures)
                bucket = totals.setdefault(label, dict.fromkeys(figures, 0.0))
                for key, value in figures.items():
                    bucket[key] += value
        for label, figures in totals.items():
            out += show(f"connectx, four payload schemas summed, {label}", figures)

        nested_components = NESTED_DOCUMENT["components"]["schemas"]
        for name, payloads in (
            ("Order", [order(i) for i in range(10)]),
            ("Category", [tree(4, 3, i) for i in range(3)]),
        ):
            checks, _, _ = contenders_for(nested, nested_components, name)
            out += agree(checks, payloads)
            out += show(f"nested {name}, valid", race(checks, payloads, budget))

        out += decode_section(connectx, budget)
    print("\n".join(out))


def decode_section(registry: Any, budget: float) -> list[str]:
    """Decoded JSON -> validated model, CustomerEventPayload."""
    payloads = [connectx_payloads(i)["CustomerEventPayload"] for i in range(50)]
    model = registry.SCHEMAS["CustomerEventPayload"].model
    contenders: dict[str, Check] = {
        "asyncapi-gen": model.from_dict,
        "pydantic v2": PydanticCustomerEvent.model_validate,
        "msgspec": lambda value: msgspec.convert(value, MsgspecCustomerEvent),
    }
    for check in contenders.values():
        check(payloads[0])
    figures = race(contenders, payloads, budget)
    ours = figures["asyncapi-gen"]
    lines = ["decode CustomerEventPayload (validate + build the model)"]
    for name, value in figures.items():
        ratio = (
            "" if name == "asyncapi-gen" else f"  {name} / ours = {value / ours:5.2f}"
        )
        lines.append(f"  {name:16s} {value:9.3f} us/payload{ratio}")
    return lines


if __name__ == "__main__":
    main()
