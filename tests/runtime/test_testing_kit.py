"""The generated `<package>.testing` kit: samples that validate, and the in-memory transport."""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import CONNECTX, SHARED, GenerateFn, run_cli

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "router" / "asyncapi.yaml"


def generate_into(out: Path, spec: Path, name: str, *options: str) -> Path:
    code, stdout, stderr = run_cli(
        str(spec), "-o", str(out), "--package-name", name, *options
    )
    assert code == 0, stdout + stderr
    return out


def import_from(out: Path, name: str) -> Iterator[ModuleType]:
    sys.path.insert(0, str(out))
    try:
        package = importlib.import_module(name)
        importlib.import_module(f"{name}.testing")
        yield package
    finally:
        sys.path.remove(str(out))


@pytest.fixture(scope="module")
def lockers_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_into(tmp_path_factory.mktemp("kit"), FIXTURE, "lockers_kit")


@pytest.fixture(scope="module")
def lockers(lockers_out: Path) -> Iterator[ModuleType]:
    yield from import_from(lockers_out, "lockers_kit")


@pytest.fixture(scope="module")
def connectx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = generate_into(tmp_path_factory.mktemp("kitcx"), CONNECTX, "connectx_kit")
    yield from import_from(out, "connectx_kit")


def handle_everything(package: ModuleType) -> tuple[Any, list[Any]]:
    router = package.Router()
    seen: list[Any] = []
    for operation in package.Router.OPERATIONS:
        router.on(operation, lambda payload, context: seen.append((payload, context)))
    return router, seen


def assert_samples_validate(package: ModuleType) -> int:
    """Feed every incoming sample to a router and check every outgoing one; return the count."""
    router, seen = handle_everything(package)
    transport = package.testing.MemoryTransport(router)

    results = asyncio.run(transport.feed_samples())

    assert [r.outcome for r in results] == [package.Outcome.HANDLED] * len(results)
    assert len(seen) == len(results)
    outgoing = package.testing.sample_events("send")
    for event in outgoing:
        body, _ = package.router.prepare_outgoing(
            event.operation_id, event.payload, event.headers, event.message
        )
        assert body
    return len(results) + len(outgoing)


def test_every_sample_of_the_fixture_validates(lockers: ModuleType) -> None:
    count = assert_samples_validate(lockers)

    # Five incoming messages (two on the oneOf channel) and two outgoing ones.
    assert count == 7


def test_every_connectx_sample_reaches_its_handler_typed(connectx: ModuleType) -> None:
    router, seen = handle_everything(connectx)
    transport = connectx.testing.MemoryTransport(router)

    results = asyncio.run(transport.feed_samples())

    assert len(results) == 7 and all(r.ok for r in results)
    assert [c.channel for _, c in seen] == [
        "customer/created",
        "customer/updated",
        "subscription/activated",
        "subscription/suspended",
        "subscription/cancelled",
        "billing/invoice/created",
        "billing/payment/received",
    ]
    assert type(seen[-1][0]).__name__ == "PaymentEventPayload"


def test_a_valid_document_example_wins_over_an_invalid_one(lockers: ModuleType) -> None:
    kit = lockers.testing

    # The first example of parcelStored breaks its schema; the second is used.
    assert kit.sample_payload("parcelStored") == {
        "parcelId": "P-100",
        "storedAt": "2025-03-01T08:30:00Z",
    }
    assert kit.sample_headers("parcelStored") == {"traceId": "trace-0001", "attempt": 2}
    assert kit.sample_payload("openLocker") == {"lockerNo": 7, "reason": "service"}


def test_without_examples_a_sample_is_synthesised_from_the_schema(
    lockers: ModuleType,
) -> None:
    kit = lockers.testing

    assert kit.sample_payload("parcelCollected") == {
        "parcelId": "parcelId",
        "pin": "000000",
    }
    assert kit.sample_payload("ZoneAlarm") == {"level": 1}
    event = kit.sample_event("onParcelEvent", "parcelCollected")
    assert event.channel == "site/aaa00/locker/1/parcel"
    assert event.headers == {"traceId": "traceId", "attempt": 1}


def test_samples_are_fresh_copies(lockers: ModuleType) -> None:
    first = lockers.testing.sample_payload("ZoneAlarm")
    first["level"] = 99

    assert lockers.testing.sample_payload("ZoneAlarm") == {"level": 1}


def test_samples_are_the_same_on_every_generation(
    lockers_out: Path, tmp_path: Path
) -> None:
    again = generate_into(tmp_path, FIXTURE, "lockers_kit")
    text = "lockers_kit/testing.py"

    assert (again / text).read_bytes() == (lockers_out / text).read_bytes()


UNSATISFIABLE = """
asyncapi: '2.6.0'
info: {title: Impossible, version: '1'}
channels:
  odd:
    subscribe:
      operationId: onOdd
      message:
        messageId: odd
        payload: {type: string, minLength: 5, maxLength: 2}
        examples:
          - payload: toolong
"""


def test_known_limitation_unsatisfiable_message_has_no_sample(
    generate: GenerateFn,
) -> None:
    package = generate(UNSATISFIABLE)
    kit = importlib.import_module(f"{package.__name__}.testing")

    with pytest.raises(KeyError, match="no valid sample for message 'odd'"):
        kit.sample_payload("odd")
    with pytest.raises(KeyError, match="no message 'even'"):
        kit.sample_payload("even")
    assert kit.sample_events() == []


def test_memory_transport_feeds_json_text_values_and_models(
    lockers: ModuleType,
) -> None:
    router, seen = handle_everything(lockers)
    transport = lockers.testing.MemoryTransport(router)
    model = lockers.ZoneAlarmPayload(level=4)

    results = [
        transport.feed_sync("zone.north.alarm", b'{"level": 2}'),
        transport.feed_sync("zone.north.alarm", {"level": 3}),
        transport.feed_sync("zone.north.alarm", model),
        transport.feed_sync("zone.north.alarm", {"level": 0}),
    ]

    assert [p.level for p, _ in seen] == [2, 3, 4]
    assert [r.outcome.value for r in results] == ["handled"] * 3 + ["invalid"]
    assert transport.results == results


def test_memory_transport_tells_json_text_from_a_decoded_string(
    lockers: ModuleType,
) -> None:
    router, seen = handle_everything(lockers)
    transport = lockers.testing.MemoryTransport(router)
    event = lockers.testing.sample_event("onBanner")

    asyncio.run(transport.feed_event(event))
    transport.feed_sync("banner", '"as text"')

    assert [p for p, _ in seen] == [event.payload, "as text"]
    assert isinstance(event.payload, str)


def test_memory_transport_captures_what_a_publisher_sends(lockers: ModuleType) -> None:
    transport = lockers.testing.MemoryTransport()
    publisher = lockers.Publisher(transport)
    event = lockers.testing.sample_event("openLocker")
    payload = lockers.MESSAGES["openLocker"].decode(event.payload)

    asyncio.run(publisher.open_locker(payload, site_id="abc12"))
    asyncio.run(publisher.post_note("n", topic="t1"))

    assert [m.channel for m in transport.sent] == ["commands/abc12/open", "notes/t1"]
    assert transport.sent_to("notes/t1")[0].json() == "n"
    assert transport.sent[0].json() == event.payload


def test_the_kit_imports_with_the_standard_library_alone(lockers_out: Path) -> None:
    code = (
        "import sys, lockers_kit.testing\n"
        "third = sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names)"
        " - {'lockers_kit', '__main__'})\n"
        "assert not third, third\n"
    )

    result = subprocess.run(
        [sys.executable, "-E", "-s", "-S", "-c", code],
        cwd=lockers_out,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("case", "options"),
    [
        ("25-router-channel-parameters", ("--perspective", "application")),
        ("27-router-message-oneof", ("--perspective", "application")),
    ],
)
def test_shared_case_samples_validate(
    case: str, options: tuple[str, ...], tmp_path: Path
) -> None:
    folder = SHARED / "cases" / case
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: the shared cases live beside the repository")
    name = f"kit_{case[:2]}"
    out = generate_into(tmp_path, folder / "spec.yaml", name, *options)

    for package in import_from(out, name):
        assert assert_samples_validate(package) >= 3
