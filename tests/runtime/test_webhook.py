"""The generated ASGI webhook receiver, served by uvicorn on 127.0.0.1, called with httpx."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import uvicorn

from tests.conftest import CONNECTX, generated_package

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "router" / "asyncapi.yaml"
LIMIT = 10.0


class Served:
    """An ASGI app under uvicorn on a free loopback port, in a thread of its own."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve()))

    def __enter__(self) -> httpx.Client:
        self.thread.start()
        deadline = time.monotonic() + LIMIT
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=LIMIT)
        return self.client

    def __exit__(self, *exc_info: object) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(LIMIT)
        assert not self.thread.is_alive()


@pytest.fixture(scope="module")
def lockers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generated_package(
        tmp_path_factory, FIXTURE, "lockers_hook", submodules=("webhook", "testing")
    )


@pytest.fixture(scope="module")
def connectx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generated_package(
        tmp_path_factory, CONNECTX, "connectx_hook", submodules=("webhook", "testing")
    )


@pytest.fixture(scope="module")
def served(lockers: ModuleType) -> Iterator[tuple[httpx.Client, dict[str, list[Any]]]]:
    seen: dict[str, list[Any]] = {"alarms": [], "parcels": [], "errors": []}
    router = lockers.Router(on_error=lambda ch, raw, exc: seen["errors"].append(exc))

    @router.on_zone_alarm
    async def alarm(payload: Any, context: Any) -> None:
        seen["alarms"].append((context.channel, payload.level))

    @router.on_parcel_event
    def parcel(payload: Any, context: Any) -> None:
        seen["parcels"].append((context.headers, context.correlation_id))

    @router.on_site_status
    def status(payload: Any, context: Any) -> None:
        raise RuntimeError("status store is down")

    with Served(lockers.webhook.WebhookApp(router, prefix="/hooks/")) as client:
        yield client, seen


def test_a_valid_event_is_handled_with_200(served: Any) -> None:
    client, seen = served

    response = client.post("/hooks/zone.north.alarm", content=b'{"level": 3}')

    assert response.status_code == 200
    assert response.json() == {
        "outcome": "handled",
        "channel": "zone.north.alarm",
        "operation": "onZoneAlarm",
        "message": "ZoneAlarm",
    }
    assert ("zone.north.alarm", 3) in seen["alarms"]


def test_an_invalid_event_gets_422_with_its_errors(served: Any) -> None:
    client, _ = served

    response = client.post("/hooks/zone.north.alarm", json={"level": "high"})

    assert response.status_code == 422
    body = response.json()
    assert body["outcome"] == "invalid"
    assert body["errors"] == [
        {
            "path": "/level",
            "keyword": "type",
            "message": "'high' is not of type 'integer'",
        }
    ]


def test_bad_parameters_and_malformed_json_are_client_errors(served: Any) -> None:
    client, _ = served

    bad_zone = client.post("/hooks/zone.east.alarm", json={"level": 1})
    malformed = client.post("/hooks/zone.north.alarm", content=b"{level")

    assert bad_zone.status_code == 422
    assert [e["path"] for e in bad_zone.json()["errors"]] == ["/zone"]
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["keyword"] == "json"


def test_unknown_channels_and_paths_get_404(served: Any) -> None:
    client, _ = served

    assert client.post("/hooks/zone/north", json={"level": 1}).status_code == 404
    assert (
        client.post("/elsewhere/zone.north.alarm", json={"level": 1}).status_code == 404
    )


def test_other_methods_get_405(served: Any) -> None:
    client, _ = served

    response = client.get("/hooks/zone.north.alarm")

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_a_failing_handler_gets_500_and_reaches_the_error_hook(served: Any) -> None:
    client, seen = served

    response = client.post(
        "/hooks/site/abc12/status", json={"online": True, "report": {"id": "r"}}
    )

    assert response.status_code == 500
    assert response.json()["failed"] == ["RuntimeError"]
    assert "status store is down" not in response.text
    assert any(str(e) == "status store is down" for e in seen["errors"])


def test_http_headers_become_typed_message_headers(
    served: Any, lockers: ModuleType
) -> None:
    client, seen = served

    response = client.post(
        "/hooks/site/abc12/locker/9/parcel",
        json={"parcelId": "P-3", "pin": "000111"},
        headers={"TraceId": "trace-web", "attempt": "2"},
    )
    missing = client.post(
        "/hooks/site/abc12/locker/9/parcel", json={"parcelId": "P-3", "pin": "000111"}
    )

    named = client.post(
        "/hooks/site/abc12/locker/9/parcel?message=parcelStored",
        json={"parcelId": "P-3", "pin": "000111"},
        headers={"TraceId": "trace-web"},
    )
    assert named.status_code == 422
    assert response.status_code == 200
    headers, correlation = seen["parcels"][-1]
    assert headers == lockers.ParcelStoredHeaders(trace_id="trace-web", attempt=2)
    assert correlation == "trace-web"
    assert missing.status_code == 422


def test_no_handler_gets_501_and_oversized_bodies_413(lockers: ModuleType) -> None:
    app = lockers.webhook.WebhookApp(
        lockers.Router(on_error=lambda *a: None), max_body=64
    )

    with Served(app) as client:
        unhandled = client.post("/zone.north.alarm", json={"level": 1})
        large = client.post("/zone.north.alarm", content=b" " * 65 + b"{}")

    assert unhandled.status_code == 501
    assert large.status_code == 413


def test_connectx_sample_events_are_accepted_on_every_channel(
    connectx: ModuleType,
) -> None:
    router = connectx.Router()
    handled: list[str] = []
    for operation in connectx.Router.OPERATIONS:
        router.on(operation, lambda payload, context: handled.append(context.channel))
    events = connectx.testing.sample_events()

    with Served(connectx.webhook.WebhookApp(router)) as client:
        statuses = [
            client.post(f"/{e.channel}", content=json.dumps(e.payload)).status_code
            for e in events
        ]

    assert statuses == [200] * 7
    assert handled == [e.channel for e in events]
    assert len(set(handled)) == 7
