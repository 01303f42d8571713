"""The generated WebSocket client against a real `websockets` server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from tests.conftest import CONNECTX, generated_package

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "router" / "asyncapi.yaml"
LIMIT = 10.0  # seconds any one scenario may take


@pytest.fixture(scope="module")
def lockers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generated_package(
        tmp_path_factory, FIXTURE, "lockers_ws", submodules=("websocket", "testing")
    )


@pytest.fixture(scope="module")
def connectx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generated_package(
        tmp_path_factory, CONNECTX, "connectx_ws", submodules=("websocket", "testing")
    )


def envelope(channel: str, payload: Any, **extra: Any) -> str:
    return json.dumps({"channel": channel, "payload": payload, **extra})


class Stream:
    """A server that plays one script per connection and records what clients send."""

    def __init__(self, scripts: list[list[str]], drop_first: bool) -> None:
        self.scripts = scripts
        self.drop_first = drop_first
        self.connections = 0
        self.paths: list[str] = []
        self.received: list[str] = []

    async def handle(self, connection: ServerConnection) -> None:
        index = self.connections
        self.connections += 1
        self.paths.append(connection.request.path if connection.request else "")
        for frame in self.scripts[min(index, len(self.scripts) - 1)]:
            await connection.send(frame)
        if index == 0 and self.drop_first:
            # Drop without a closing handshake, as a failing network would.
            connection.transport.abort()
            return
        async for frame in connection:
            self.received.append(str(frame))


def test_client_routes_valid_frames_and_survives_a_dropped_connection(
    lockers: ModuleType,
) -> None:
    first = [
        envelope("zone.north.alarm", {"level": 2}),
        envelope("zone.north.alarm", {"level": 99}),
        envelope("zone.west.alarm", {"level": 1}),
        envelope("lost/channel", {"level": 1}),
        "not json at all",
        envelope(
            "site/abc12/locker/3/parcel",
            {"parcelId": "P-7", "pin": "654321"},
            headers={"traceId": "trace-9"},
            message="parcelCollected",
        ),
    ]
    second = [
        envelope("banner", "closed on sunday"),
        envelope("zone.south.alarm", {"level": 4}),
    ]
    stream = Stream([first, second], drop_first=True)
    errors: list[tuple[str, str]] = []
    router = lockers.Router(
        on_error=lambda ch, raw, exc: errors.append((ch, type(exc).__name__))
    )
    levels: list[tuple[str, int]] = []
    parcels: list[tuple[str, str | None]] = []
    router.on_zone_alarm(
        lambda payload, context: levels.append((context.channel, payload.level))
    )
    router.on_parcel_event(
        lambda payload, context: parcels.append((payload.pin, context.correlation_id))
    )
    rejected: list[str] = []
    banners: list[str] = []
    router.on_banner(lambda payload, context: banners.append(payload))

    async def scenario() -> int:
        async with serve(stream.handle, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            client = lockers.websocket.WebSocketClient(
                router,
                variables={"host": "127.0.0.1", "port": str(port)},
                backoff=lockers.websocket.Backoff(initial=0.05, jitter=0.0),
            )
            client.handle_frame_error = lambda frame, exc: rejected.append(str(frame))
            running = asyncio.create_task(client.run())
            while len(levels) < 2:
                await asyncio.sleep(0.01)
            await client.stop()
            await asyncio.wait_for(running, LIMIT)
            return int(client.connections)

    connections = asyncio.run(asyncio.wait_for(scenario(), LIMIT))

    assert levels == [("zone.north.alarm", 2), ("zone.south.alarm", 4)]
    assert parcels == [("654321", "trace-9")]
    assert banners == ["closed on sunday"]
    assert errors == [
        ("zone.north.alarm", "InvalidMessageError"),
        ("zone.west.alarm", "InvalidMessageError"),
        ("lost/channel", "UnknownChannelError"),
    ]
    assert rejected == ["not json at all"]
    assert connections == stream.connections == 2
    assert stream.paths == ["/events", "/events"]


def test_publisher_sends_through_the_client_connection(lockers: ModuleType) -> None:
    stream = Stream([[]], drop_first=False)
    router = lockers.Router()

    async def scenario() -> None:
        async with serve(stream.handle, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            client = lockers.websocket.WebSocketClient(
                router, f"ws://127.0.0.1:{port}/x"
            )
            running = asyncio.create_task(client.run())
            await client.wait_connected(LIMIT)
            await lockers.Publisher(client).post_note("hello", topic="news")
            while not stream.received:
                await asyncio.sleep(0.01)
            await client.stop()
            await asyncio.wait_for(running, LIMIT)

    asyncio.run(asyncio.wait_for(scenario(), LIMIT))

    assert [json.loads(frame) for frame in stream.received] == [
        {"channel": "notes/news", "payload": "hello"}
    ]


def test_client_gives_up_after_max_reconnects(lockers: ModuleType) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is closed again: every connection attempt is refused at once.
    client = lockers.websocket.WebSocketClient(
        lockers.Router(),
        f"ws://127.0.0.1:{port}/",
        backoff=lockers.websocket.Backoff(initial=0.01, jitter=0.0),
        max_reconnects=2,
    )

    with pytest.raises(ConnectionError, match="after 3 attempts"):
        asyncio.run(asyncio.wait_for(client.run(), LIMIT))
    assert client.connections == 0


def test_backoff_grows_to_its_cap(lockers: ModuleType) -> None:
    backoff_type = lockers.websocket.Backoff
    backoff = backoff_type(initial=0.5, factor=2.0, maximum=3.0, jitter=0.0)

    assert [backoff.delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    jittered = backoff_type(initial=1.0, jitter=0.5)
    assert all(0.5 <= jittered.delay(0) <= 1.0 for _ in range(20))


def test_server_url_fills_variables_from_arguments(lockers: ModuleType) -> None:
    server_url = lockers.websocket.server_url

    assert server_url(host="10.0.0.2", port="9000") == "ws://10.0.0.2:9000/events"
    assert server_url("stream", host="h", port="1") == "ws://h:1/events"
    with pytest.raises(KeyError, match="broker"):
        server_url("broker")
    assert list(lockers.websocket.SERVERS) == ["stream"]


def test_known_limitation_server_variables_need_values(lockers: ModuleType) -> None:
    # The fixture gives `port` a default of 8080; it is not carried over.
    with pytest.raises(ValueError, match="needs values for: port"):
        lockers.websocket.server_url(host="h")


def test_connectx_defaults_to_its_wss_server(connectx: ModuleType) -> None:
    websocket = connectx.websocket

    assert websocket.server_url() == "wss://events.amdocs-dbs.com"
    client = websocket.WebSocketClient(connectx.Router())
    assert client.url == "wss://events.amdocs-dbs.com"


def test_frame_rules_map_envelopes_and_bare_events(connectx: ModuleType) -> None:
    websocket = connectx.websocket
    event = {"eventType": "PaymentReceived", "eventId": "e-1"}

    assert websocket.envelope_rule(
        b'{"channel": "a/b", "payload": [1]}'
    ) == websocket.Incoming("a/b", [1])
    rule = websocket.field_rule(
        "eventType", {"PaymentReceived": "billing/payment/received"}
    )
    assert rule(json.dumps(event)) == websocket.Incoming(
        "billing/payment/received", event
    )
    for frame in (
        '{"payload": 1}',
        "[1]",
        '{"channel": "x", "payload": 1, "headers": 3}',
    ):
        with pytest.raises(websocket.FrameError):
            websocket.envelope_rule(frame)
    with pytest.raises(websocket.FrameError, match="names no channel"):
        rule('{"eventType": "Other"}')
