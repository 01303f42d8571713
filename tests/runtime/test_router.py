"""The generated router on the project's own fixture: parameters, messages, headers, hooks."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import GenerateFn, generated_package

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "router" / "asyncapi.yaml"
STORED = {"parcelId": "P-1", "storedAt": "2025-03-01T08:30:00+01:00"}
COLLECTED = {"parcelId": "P-1", "pin": "123456"}
TRACE = {"traceId": "trace-77", "attempt": 1}


@pytest.fixture(scope="module")
def lockers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generated_package(
        tmp_path_factory, FIXTURE, "lockers_router", submodules=("testing",)
    )


def collect(router: Any, operation: str) -> list[tuple[Any, Any]]:
    received: list[tuple[Any, Any]] = []
    router.on(operation, lambda payload, context: received.append((payload, context)))
    return received


# Channel parameters


def test_parameters_are_typed_and_reach_the_handler(lockers: ModuleType) -> None:
    router = lockers.Router()
    received = collect(router, "onParcelEvent")

    result = router.dispatch_sync("site/abc12/locker/7/parcel", STORED, TRACE)

    assert result.outcome is lockers.Outcome.HANDLED
    ((payload, context),) = received
    assert context.channel == "site/abc12/locker/7/parcel"
    assert context.operation_id == "onParcelEvent"
    assert type(context.params).__name__ == "OnParcelEventParams"
    assert (context.params.site_id, context.params.locker_no) == ("abc12", 7)
    assert type(context.params.locker_no) is int
    assert payload.stored_at == dt.datetime(2025, 3, 1, 7, 30, tzinfo=dt.timezone.utc)


def test_enum_parameter_decodes_to_its_enum_and_dots_stay_literal(
    lockers: ModuleType,
) -> None:
    router = lockers.Router()
    received = collect(router, "onZoneAlarm")

    assert router.dispatch_sync("zone.north.alarm", {"level": 2}).ok
    assert router.dispatch_sync("zoneXnorthXalarm", {"level": 2}).outcome is (
        lockers.Outcome.UNKNOWN_CHANNEL
    )
    ((_, context),) = received
    assert context.params.zone.value == "north"


@pytest.mark.parametrize(
    ("channel", "outcome", "path"),
    [
        ("site/abc12/x/locker/7/parcel", "UNKNOWN_CHANNEL", None),
        ("site/abc12/locker/7/8/parcel", "UNKNOWN_CHANNEL", None),
        ("site//locker/7/parcel", "UNKNOWN_CHANNEL", None),
        ("site/ABC12/locker/7/parcel", "INVALID", "/siteId"),
        ("site/abc12/locker/0/parcel", "INVALID", "/lockerNo"),
        ("site/abc12/locker/401/parcel", "INVALID", "/lockerNo"),
        ("site/abc12/locker/seven/parcel", "INVALID", "/lockerNo"),
        ("site/abc12/locker/{lockerNo}/parcel", "INVALID", "/lockerNo"),
        ("site/{siteId}/status", "INVALID", "/siteId"),
        ("zone.east.alarm", "INVALID", "/zone"),
    ],
)
def test_bad_parameters_never_reach_a_handler(
    lockers: ModuleType, channel: str, outcome: str, path: str | None
) -> None:
    router = lockers.Router(on_error=lambda channel, raw, exc: None)
    received = [collect(router, op) for op in lockers.Router.OPERATIONS]
    payload = {"level": 1} if channel.startswith("zone") else STORED

    result = router.dispatch_sync(channel, payload, TRACE)

    assert result.outcome is lockers.Outcome[outcome]
    assert all(r == [] for r in received)
    if path is not None:
        assert [e.path for e in result.errors] == [path]


def test_subscription_filters_use_one_plus_per_parameter_level(
    lockers: ModuleType,
) -> None:
    assert lockers.router.subscriptions()[:2] == [
        "site/+/locker/+/parcel",
        "site/+/status",
    ]
    assert lockers.router.OnSiteStatusParams.SUBSCRIPTION == "site/+/status"


def test_known_limitation_mixed_level_subscription_is_plus(lockers: ModuleType) -> None:
    router = lockers.Router(on_error=lambda channel, raw, exc: None)

    # `zone.{zone}.alarm` is one level mixing text and a parameter: the filter is `+` ...
    assert lockers.router.OnZoneAlarmParams.SUBSCRIPTION == "+"
    # ... and the router still rejects what the filter lets through.
    assert router.dispatch_sync("zone.north", {"level": 1}).outcome is (
        lockers.Outcome.UNKNOWN_CHANNEL
    )


UNION_HEADERS = """
asyncapi: '2.6.0'
info: {title: Ticks, version: '1'}
channels:
  ticks:
    subscribe:
      operationId: onTick
      message:
        headers:
          oneOf:
            - {type: object, required: [a], properties: {a: {type: integer}}}
            - {type: object, required: [b], properties: {b: {type: string}}}
        payload: {type: object}
"""


def test_known_limitation_headers_that_are_not_a_model_stay_a_mapping(
    generate: GenerateFn,
) -> None:
    package = generate(UNION_HEADERS)
    router = package.Router()
    seen: list[Any] = []
    router.on_tick(lambda payload, context: seen.append(context.headers))

    assert router.dispatch_sync("ticks", {}, {"a": 1}).ok
    assert seen == [{"a": 1}]


def test_params_read_from_and_build_a_channel(lockers: ModuleType) -> None:
    params_class = lockers.router.OnParcelEventParams

    params = params_class.from_channel("site/xyz99/locker/12/parcel")

    assert params == params_class(site_id="xyz99", locker_no=12)
    assert params.to_channel() == "site/xyz99/locker/12/parcel"
    with pytest.raises(lockers.DecodeError) as caught:
        params_class(site_id="xy/99", locker_no=500).to_channel()
    assert [e.path for e in caught.value.errors] == ["/siteId", "/lockerNo"]
    with pytest.raises(lockers.DecodeError):
        params_class.from_channel("site/xyz99/locker/12")


# Messages


def test_one_of_picks_the_only_message_whose_schema_accepts(
    lockers: ModuleType,
) -> None:
    router = lockers.Router()
    received = collect(router, "onParcelEvent")

    stored = router.dispatch_sync("site/abc12/locker/1/parcel", STORED, TRACE)
    collected = router.dispatch_sync("site/abc12/locker/1/parcel", COLLECTED, TRACE)

    assert (stored.message, collected.message) == ("parcelStored", "parcelCollected")
    assert [type(p).__name__ for p, _ in received] == [
        "ParcelStoredPayload",
        "ParcelCollectedPayload",
    ]
    assert [c.message for _, c in received] == ["parcelStored", "parcelCollected"]


def test_no_matching_message_lists_the_candidates(lockers: ModuleType) -> None:
    router = lockers.Router(on_error=lambda channel, raw, exc: None)
    received = collect(router, "onParcelEvent")

    result = router.dispatch_sync(
        "site/abc12/locker/1/parcel", {**STORED, "pin": "123456"}, TRACE
    )

    assert result.outcome is lockers.Outcome.INVALID
    assert received == []
    first = result.errors[0]
    assert first.keyword == "oneOf"
    assert "'parcelStored'" in first.message and "'parcelCollected'" in first.message
    assert any(e.message.startswith("parcelCollected: ") for e in result.errors[1:])


def test_a_named_message_is_checked_against_that_message_only(
    lockers: ModuleType,
) -> None:
    router = lockers.Router(on_error=lambda channel, raw, exc: None)
    collect(router, "onParcelEvent")
    channel = "site/abc12/locker/1/parcel"

    named = router.dispatch_sync(channel, STORED, TRACE, message="parcelStored")
    wrong = router.dispatch_sync(channel, STORED, TRACE, message="parcelCollected")
    unknown = router.dispatch_sync(channel, STORED, TRACE, message="parcelLost")

    assert named.ok and named.message == "parcelStored"
    assert wrong.outcome is lockers.Outcome.INVALID
    assert "is not one of" in unknown.errors[0].message


AMBIGUOUS = """
asyncapi: '2.6.0'
info: {title: Ambiguous, version: '1'}
channels:
  things:
    subscribe:
      operationId: onThing
      message:
        oneOf:
          - {messageId: small, payload: {type: object, properties: {size: {type: integer}}}}
          - {messageId: named, payload: {type: object, properties: {name: {type: string}}}}
"""


def test_several_matching_messages_are_an_error_not_a_guess(
    generate: GenerateFn,
) -> None:
    package = generate(AMBIGUOUS)
    router = package.Router(on_error=lambda channel, raw, exc: None)
    received = collect(router, "onThing")

    result = router.dispatch_sync("things", {"size": 3})
    named = router.dispatch_sync("things", {"size": 3}, message="small")

    assert result.outcome is package.Outcome.INVALID
    assert "several messages ('small', 'named')" in result.errors[0].message
    assert named.ok
    assert [c.message for _, c in received] == ["small"]


# Headers and correlation ids


def test_headers_decode_to_their_model_with_the_correlation_id(
    lockers: ModuleType,
) -> None:
    router = lockers.Router()
    received = collect(router, "onParcelEvent")

    router.dispatch_sync("site/abc12/locker/1/parcel", COLLECTED, TRACE)

    ((_, context),) = received
    assert type(context.headers) is lockers.ParcelStoredHeaders
    assert (context.headers.trace_id, context.headers.attempt) == ("trace-77", 1)
    assert context.raw_headers == TRACE
    assert context.correlation_id == "trace-77"


def test_invalid_or_missing_headers_are_rejected(lockers: ModuleType) -> None:
    router = lockers.Router(on_error=lambda channel, raw, exc: None)
    received = collect(router, "onParcelEvent")
    channel = "site/abc12/locker/1/parcel"

    short = router.dispatch_sync(channel, STORED, {"traceId": "abc"})
    missing = router.dispatch_sync(channel, STORED)

    assert received == []
    assert [(e.path, e.keyword) for e in short.errors] == [
        ("/headers/traceId", "minLength")
    ]
    assert [(e.path, e.keyword) for e in missing.errors] == [("/headers", "required")]


def test_correlation_id_can_come_from_the_payload(lockers: ModuleType) -> None:
    router = lockers.Router()
    received = collect(router, "onSiteStatus")

    router.dispatch_sync("site/abc12/status", {"online": True, "report": {"id": "r-9"}})

    ((payload, context),) = received
    assert context.correlation_id == "r-9"
    assert context.headers is None and context.params.site_id == "abc12"
    assert payload.report.id_ == "r-9"


def test_text_headers_match_names_case_insensitively_and_read_types(
    lockers: ModuleType,
) -> None:
    read = lockers.router.read_text_headers(
        "site/abc12/locker/1/parcel",
        {"TRACEID": "trace-1", "Attempt": "4", "x-other": "dropped"},
    )

    assert read == {"traceId": "trace-1", "attempt": 4}


# Handlers, hooks, sync and async


def test_a_failing_handler_never_stops_the_others(lockers: ModuleType) -> None:
    reported: list[tuple[str, object, Exception]] = []
    router = lockers.Router(on_error=lambda *args: reported.append(args))
    order: list[str] = []

    def explode(payload: Any, context: Any) -> None:
        order.append("explode")
        raise RuntimeError("boom")

    async def record(payload: Any, context: Any) -> None:
        await asyncio.sleep(0)
        order.append("record")

    router.on_zone_alarm(explode)
    router.on_zone_alarm(record)

    result = router.dispatch_sync("zone.south.alarm", b'{"level": 5}')

    assert order == ["explode", "record"]
    assert result.outcome is lockers.Outcome.HANDLER_ERROR
    assert [str(e) for e in result.exceptions] == ["boom"]
    ((channel, raw, exc),) = reported
    assert (channel, raw, str(exc)) == ("zone.south.alarm", b'{"level": 5}', "boom")


def test_error_hook_gets_channel_raw_message_and_exception(lockers: ModuleType) -> None:
    reported: list[tuple[str, object, Exception]] = []
    router = lockers.Router(on_error=lambda *args: reported.append(args))

    router.dispatch_sync("nowhere", "{}")
    router.dispatch_sync("zone.north.alarm", '{"level": 9}')
    router.dispatch_sync("zone.north.alarm", "{not json")
    router.dispatch_sync("zone.north.alarm", '{"level": 3}')

    kinds = [type(exc).__name__ for _, _, exc in reported]
    assert kinds == [
        "UnknownChannelError",
        "InvalidMessageError",
        "InvalidMessageError",
        "NoHandlerError",
    ]
    assert [raw for _, raw, _ in reported] == [
        "{}",
        '{"level": 9}',
        "{not json",
        '{"level": 3}',
    ]
    invalid = reported[1][2]
    assert isinstance(invalid, lockers.DecodeError)
    assert [e.path for e in invalid.errors] == ["/level"]
    assert reported[2][2].errors[0].keyword == "json"


def test_dispatch_awaits_async_handlers_inside_a_running_loop(
    lockers: ModuleType,
) -> None:
    router = lockers.Router()
    seen: list[int] = []

    @router.on_zone_alarm
    async def handle(payload: Any, context: Any) -> None:
        await asyncio.sleep(0)
        seen.append(payload.level)

    async def main() -> list[Any]:
        return list(
            await asyncio.gather(
                router.dispatch("zone.north.alarm", {"level": 1}),
                router.dispatch("zone.south.alarm", {"level": 2}),
            )
        )

    results = asyncio.run(main())

    assert [r.outcome for r in results] == [lockers.Outcome.HANDLED] * 2
    assert sorted(seen) == [1, 2]


def test_registering_an_unknown_or_outgoing_operation_fails(
    lockers: ModuleType,
) -> None:
    router = lockers.Router()

    with pytest.raises(KeyError, match="openLocker"):
        router.on("openLocker", lambda p, c: None)


# Outgoing


def test_publisher_validates_encodes_and_addresses(lockers: ModuleType) -> None:
    transport = lockers.testing.MemoryTransport()
    publisher = lockers.Publisher(transport)
    payload = lockers.OpenLockerPayload(
        locker_no=3, reason=lockers.OpenLockerPayloadReason.PICKUP
    )
    headers = lockers.OpenLockerHeaders(requested_by="desk")

    channel = asyncio.run(
        publisher.open_locker(payload, site_id="abc12", headers=headers)
    )

    assert channel == "commands/abc12/open"
    (sent,) = transport.sent
    assert (sent.channel, sent.json(), sent.headers) == (
        "commands/abc12/open",
        {"lockerNo": 3, "reason": "pickup"},
        {"requestedBy": "desk"},
    )


@pytest.mark.parametrize("topic", ["a/b", "a+b", "#", ""])
def test_publisher_rejects_parameter_values_that_change_levels(
    lockers: ModuleType, topic: str
) -> None:
    transport = lockers.testing.MemoryTransport()
    publisher = lockers.Publisher(transport)

    with pytest.raises(lockers.DecodeError) as caught:
        asyncio.run(publisher.post_note("hello", topic=topic))

    assert [e.path for e in caught.value.errors] == ["/topic"]
    assert transport.sent == []


def test_publisher_refuses_an_invalid_payload_before_sending(
    lockers: ModuleType,
) -> None:
    transport = lockers.testing.MemoryTransport()
    publisher = lockers.Publisher(transport)
    payload = lockers.OpenLockerPayload(locker_no=0)

    with pytest.raises(lockers.DecodeError) as caught:
        asyncio.run(publisher.open_locker(payload, site_id="abc12"))

    assert [e.path for e in caught.value.errors] == ["/lockerNo"]
    assert transport.sent == []
    assert asyncio.run(publisher.post_note("ok", topic="news")) == "notes/news"


CONSUMER = """
from __future__ import annotations

from {p} import OpenLockerPayload, ParcelCollectedPayload, ParcelStoredHeaders
from {p} import ParcelStoredPayload, Publisher, Router
from {p}.router import Context, OnParcelEventParams
from {p}.testing import MemoryTransport

router = Router()


@router.on_parcel_event
async def parcel(
    event: ParcelStoredPayload | ParcelCollectedPayload,
    context: Context[OnParcelEventParams, ParcelStoredHeaders],
) -> None:
    print(context.params.locker_no + 1, context.headers.trace_id, context.correlation_id)


def wrong(event: OpenLockerPayload, context: Context[None, None]) -> None:
    print(event.locker_no)


router.on_parcel_event(wrong)


async def send() -> str:
    payload = OpenLockerPayload(locker_no=1)
    return await Publisher(MemoryTransport()).open_locker(payload, site_id=5)
"""


def test_handlers_and_publisher_are_typed_for_mypy(
    lockers: ModuleType, tmp_path: Path
) -> None:
    source = tmp_path / "consumer.py"
    source.write_text(CONSUMER.format(p=lockers.__name__), encoding="utf-8")
    package_root = Path(lockers.__file__).resolve().parents[1]

    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(source)],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(package_root)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )

    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, result.stdout
    assert 'incompatible type "Callable[[OpenLockerPayload' in errors[0]
    assert '"site_id" to "open_locker"' in errors[1]


HOSTILE = r'''
asyncapi: '2.6.0'
info: {title: 'Tricky """ title \ with "quotes"', version: '1'}
servers:
  "odd'server": {url: 'ws://h"x/{v}', protocol: ws}
channels:
  'a"b/{user-id}/c\d''e':
    parameters:
      user-id: {schema: {type: string}}
    subscribe:
      operationId: 'on"Quoted'
      message:
        messageId: 'm"1'
        payload: {type: object, properties: {'k"ey': {type: string}}}
'''


def test_document_text_reaches_code_only_escaped(generate: GenerateFn) -> None:
    package = generate(HOSTILE)
    modules = {
        name: importlib.import_module(f"{package.__name__}.{name}")
        for name in ("router", "testing", "webhook", "websocket")
    }
    router = package.Router()
    seen: list[Any] = []
    router.on('on"Quoted', lambda payload, context: seen.append(context.params))
    channel = "a\"b/x'y/c\\d'e"

    result = router.dispatch_sync(channel, {'k"ey': "v"})

    assert result.ok, result.errors
    assert [p.user_id for p in seen] == ["x'y"]
    assert modules["router"].__doc__.startswith(
        'Channel router of Tricky """ title \\ with'
    )
    assert modules["websocket"].SERVERS == {"odd'server": ('ws://h"x/{v}', "ws")}
    assert modules["testing"].sample_event('on"Quoted').channel == "a\"b/user-id/c\\d'e"


CLASHING = """
asyncapi: '2.6.0'
info: {title: Clashing names, version: '1'}
channels:
  a: {subscribe: {operationId: dispatch, message: {payload: {type: integer}}}}
  b: {subscribe: {operationId: onError, message: {payload: {type: integer}}}}
  c: {subscribe: {operationId: subscriptions, message: {payload: {type: integer}}}}
  d: {subscribe: {operationId: on, message: {payload: {type: integer}}}}
"""


def test_operations_named_like_router_members_keep_both(generate: GenerateFn) -> None:
    package = generate(CLASHING)
    reported: list[Exception] = []
    router = package.Router(on_error=lambda channel, raw, exc: reported.append(exc))
    seen: list[tuple[str, int]] = []
    for name in vars(package.Router):
        if name not in ("on", "dispatch", "dispatch_sync") and name.startswith(
            ("dispatch", "on", "subscriptions")
        ):
            getattr(router, name)(lambda p, c, n=name: seen.append((n, p)))

    results = [router.dispatch_sync(ch, "1") for ch in "abcd"]
    router.dispatch_sync("nowhere", "1")

    assert [r.outcome.value for r in results] == ["handled"] * 4
    assert len({name for name, _ in seen}) == 4
    assert [type(e).__name__ for e in reported] == ["UnknownChannelError"]
    assert package.router.subscriptions() == ["a", "b", "c", "d"]
