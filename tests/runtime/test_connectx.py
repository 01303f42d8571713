"""The main job on specs/connectx.yaml: every channel round-trips, validates and routes."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import json
import sys
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import CONNECTX, GenerateFn, run_cli

ENVELOPE = {
    "eventId": "0f8c2b4e-5d71-4c1e-9a3b-2f6d8e7c1a90",
    "eventType": "",
    "eventTime": "2026-11-30T14:05:09.250Z",
    "tenantId": "tenant-eu-1",
}

# One realistic event per channel, keys in schema order: to_json() must give the same text.
EVENTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "customer/created": (
        "on_customer_created",
        "CustomerEventPayload",
        {
            "customerId": "CUST-100234",
            "accountNumber": "ACC-77-0012",
            "customerType": "Business",
            "status": "Active",
            "email": "billing@example.com",
        },
    ),
    "customer/updated": (
        "on_customer_updated",
        "CustomerEventPayload",
        {
            "customerId": "CUST-100234",
            "customerType": "Government",
            "status": "Suspended",
            "previousStatus": "Active",
        },
    ),
    "subscription/activated": (
        "on_subscription_activated",
        "SubscriptionEventPayload",
        {
            "subscriptionId": "SUB-9",
            "customerId": "CUST-100234",
            "productId": "P-5G-UNL",
            "productName": "5G Unlimited",
            "status": "Active",
            "previousStatus": "Pending",
            "effectiveDate": "2026-12-01",
        },
    ),
    "subscription/suspended": (
        "on_subscription_suspended",
        "SubscriptionEventPayload",
        {
            "subscriptionId": "SUB-9",
            "status": "Suspended",
            "effectiveDate": "2026-12-15",
        },
    ),
    "subscription/cancelled": (
        "on_subscription_cancelled",
        "SubscriptionEventPayload",
        {
            "subscriptionId": "SUB-9",
            "status": "Cancelled",
            "previousStatus": "Suspended",
        },
    ),
    "billing/invoice/created": (
        "on_invoice_created",
        "InvoiceEventPayload",
        {
            "invoiceId": "INV-2026-11-0042",
            "invoiceNumber": "0042",
            "customerId": "CUST-100234",
            "totalAmount": 129.95,
            "currency": "EUR",
            "dueDate": "2026-12-31",
        },
    ),
    "billing/payment/received": (
        "on_payment_received",
        "PaymentEventPayload",
        {
            "paymentId": "PAY-1",
            "invoiceId": "INV-2026-11-0042",
            "customerId": "CUST-100234",
            "amount": 129.95,
            "currency": "EUR",
            "paymentMethod": "DirectDebit",
            "paymentDate": "2026-12-02",
        },
    ),
}


def event(channel: str) -> dict[str, Any]:
    body = EVENTS[channel][2]
    return {**ENVELOPE, "eventType": channel.replace("/", "."), **body}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    out = tmp_path_factory.mktemp("connectx")
    code, stdout, stderr = run_cli(
        str(CONNECTX), "-o", str(out), "--package-name", "cx_main"
    )
    assert code == 0, stderr
    sys.path.insert(0, str(out))
    return importlib.import_module("cx_main")


@pytest.mark.parametrize("channel", sorted(EVENTS))
def test_event_round_trips_unchanged(package: ModuleType, channel: str) -> None:
    text = json.dumps(event(channel), ensure_ascii=False)
    model = getattr(package, EVENTS[channel][1]).from_json(text)

    assert model.to_json() == text
    assert model.validate(json.loads(text)) == []


@pytest.mark.parametrize("channel", sorted(EVENTS))
def test_event_reaches_its_handler_typed(package: ModuleType, channel: str) -> None:
    router = package.Router()
    received: list[tuple[Any, Any]] = []
    getattr(router, EVENTS[channel][0])(
        lambda payload, context: received.append((payload, context))
    )

    result = router.dispatch_sync(channel, json.dumps(event(channel)).encode())

    assert result.outcome is package.Outcome.HANDLED
    ((payload, context),) = received
    assert type(payload) is getattr(package, EVENTS[channel][1])
    assert context.channel == channel
    assert payload.event_time == dt.datetime(
        2026, 11, 30, 14, 5, 9, 250000, tzinfo=dt.timezone.utc
    )
    for field, kind in TYPED[EVENTS[channel][1]]:
        assert (
            type(getattr(payload, field)) is getattr(package, kind, None)
            or kind == type(getattr(payload, field)).__name__
        ), field


# Fields each event must carry as typed values (an enum class of the package, or a date).
TYPED = {
    "CustomerEventPayload": [
        ("customer_type", "CustomerEventPayloadCustomerType"),
        ("status", "CustomerEventPayloadStatus"),
    ],
    "SubscriptionEventPayload": [("status", "SubscriptionEventPayloadStatus")],
    "InvoiceEventPayload": [("due_date", "date")],
    "PaymentEventPayload": [
        ("payment_method", "PaymentEventPayloadPaymentMethod"),
        ("payment_date", "date"),
    ],
}


def vars_of(model: Any) -> dict[str, Any]:
    return {name: getattr(model, name) for name in model.__dataclass_fields__}


def test_async_handlers_are_awaited(package: ModuleType) -> None:
    router = package.Router()
    seen: list[str] = []

    @router.on_invoice_created
    async def handle(payload: Any, context: Any) -> None:
        await asyncio.sleep(0)
        seen.append(payload.invoice_id)

    dispatch = router.dispatch(
        "billing/invoice/created", event("billing/invoice/created")
    )
    result = asyncio.run(dispatch)

    assert result.outcome is package.Outcome.HANDLED
    assert seen == ["INV-2026-11-0042"]


def test_every_channel_is_received_from_the_client_perspective(
    package: ModuleType,
) -> None:
    assert set(package.Router.OPERATIONS) == {
        "onCustomerCreated",
        "onCustomerUpdated",
        "onSubscriptionActivated",
        "onSubscriptionSuspended",
        "onSubscriptionCancelled",
        "onInvoiceCreated",
        "onPaymentReceived",
    }


def test_the_two_status_enums_are_named_after_their_schemas(
    package: ModuleType,
) -> None:
    customer = package.CustomerEventPayloadStatus
    subscription = package.SubscriptionEventPayloadStatus

    assert [m.value for m in customer] == [
        "Active",
        "Inactive",
        "Suspended",
        "Terminated",
    ]
    assert [m.value for m in subscription] == [
        "Active",
        "Suspended",
        "Cancelled",
        "Pending",
    ]
    assert not hasattr(package, "Status") and not hasattr(package, "Status1")


INVALID = [
    ("customer/created", lambda e: e.pop("eventId"), "", "required"),
    (
        "customer/created",
        lambda e: e.update(customerType="Person"),
        "/customerType",
        "enum",
    ),
    (
        "customer/updated",
        lambda e: e.update(eventTime="yesterday"),
        "/eventTime",
        "format",
    ),
    (
        "billing/invoice/created",
        lambda e: e.update(totalAmount="12"),
        "/totalAmount",
        "type",
    ),
]


@pytest.mark.parametrize(("channel", "change", "path", "keyword"), INVALID)
def test_invalid_events_never_reach_a_handler(
    package: ModuleType, channel: str, change: Any, path: str, keyword: str
) -> None:
    payload = event(channel)
    change(payload)
    router = package.Router()
    handled: list[Any] = []
    rejected: list[Any] = []
    router.handle_invalid = lambda channel, raw, errors: rejected.append(errors)  # type: ignore[method-assign]
    getattr(router, EVENTS[channel][0])(lambda p, c: handled.append(p))

    result = router.dispatch_sync(channel, json.dumps(payload))

    assert result.outcome is package.Outcome.INVALID
    assert handled == []
    assert rejected == [list(result.errors)]
    assert [(e.path, e.keyword) for e in result.errors] == [(path, keyword)]


def test_invalid_enum_error_reads_as_documented(package: ModuleType) -> None:
    payload = {**event("customer/created"), "customerType": "Person"}

    errors = package.MESSAGES["CustomerCreatedEvent"].validate(payload)

    assert [str(e) for e in errors] == [
        "/customerType: 'Person' is not one of ['Individual', 'Business', 'Government']"
    ]


def test_missing_event_id_names_the_field(package: ModuleType) -> None:
    payload = event("customer/created")
    del payload["eventId"]

    with pytest.raises(package.DecodeError) as caught:
        package.CustomerEventPayload.from_dict(payload)

    assert "eventId" in str(caught.value)


def test_a_payload_that_is_a_list_is_rejected(package: ModuleType) -> None:
    router = package.Router()
    handled: list[Any] = []
    router.on_payment_received(lambda p, c: handled.append(p))

    result = router.dispatch_sync("billing/payment/received", b"[1, 2]")

    assert result.outcome is package.Outcome.INVALID
    assert [e.keyword for e in result.errors] == ["type"]
    assert handled == []


def test_unknown_channel_and_handler_failure_reach_their_hooks(
    package: ModuleType,
) -> None:
    router = package.Router()
    unknown: list[str] = []
    failures: list[BaseException] = []
    router.handle_unknown_channel = lambda channel, raw: unknown.append(channel)  # type: ignore[method-assign]
    router.handle_handler_error = lambda channel, raw, exc: failures.append(exc)  # type: ignore[method-assign]

    def explode(payload: Any, context: Any) -> None:
        raise RuntimeError("boom")

    router.on_customer_created(explode)

    assert (
        router.dispatch_sync("customer/deleted", b"{}").outcome
        is package.Outcome.UNKNOWN_CHANNEL
    )
    result = router.dispatch_sync(
        "customer/created", json.dumps(event("customer/created"))
    )
    assert result.outcome is package.Outcome.HANDLER_ERROR
    assert unknown == ["customer/deleted"]
    assert [str(f) for f in failures] == ["boom"]


def test_registry_entries_drive_any_message_the_same_way(package: ModuleType) -> None:
    assert sorted(package.MESSAGES) == [
        "CustomerCreatedEvent",
        "CustomerUpdatedEvent",
        "InvoiceEvent",
        "PaymentEvent",
        "SubscriptionEvent",
    ]
    assert sorted(package.SCHEMAS) == [
        "CustomerEventPayload",
        "EventEnvelope",
        "InvoiceEventPayload",
        "PaymentEventPayload",
        "SubscriptionEventPayload",
    ]
    entry = package.MESSAGES["PaymentEvent"]
    value = event("billing/payment/received")

    decoded = entry.decode(value)

    assert entry.model is package.PaymentEventPayload
    assert entry.encode(decoded) == value
    with pytest.raises(package.DecodeError):
        entry.decode({"eventId": 1})


def test_perspective_application_flips_directions(generate: GenerateFn) -> None:
    flipped = generate(CONNECTX, "--perspective", "application")

    assert flipped.Router.OPERATIONS == ()
    assert hasattr(flipped, "Publisher")
