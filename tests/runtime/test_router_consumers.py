"""The consumer examples of docs/consumers.md run as written against loopback servers."""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.server import ServerConnection, serve

from tests.conftest import CONNECTX, REPO, run_cli

DOC = REPO / "docs" / "consumers.md"
PACKAGE = "amdocs_connect_x_bss_event_api"
LIMIT = 10.0


def blocks() -> list[str]:
    """The Python code blocks of docs/consumers.md, in order."""
    text = DOC.read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def forget_package() -> None:
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """connectx generated under its default name, as the examples import it."""
    out = tmp_path_factory.mktemp("consumers")
    code, stdout, stderr = run_cli(str(CONNECTX), "-o", str(out))
    assert code == 0, stdout + stderr
    assert (out / PACKAGE / "__init__.py").is_file()
    forget_package()
    sys.path.insert(0, str(out))
    yield out
    sys.path.remove(str(out))
    forget_package()


def sample(channel: str) -> dict[str, Any]:
    testing = importlib.import_module(f"{PACKAGE}.testing")
    operation = next(
        route.operation_id
        for route in importlib.import_module(f"{PACKAGE}.router").ROUTES
        if route.address == channel
    )
    payload: dict[str, Any] = testing.sample_event(operation).payload
    return payload


def test_the_examples_are_about_fifteen_lines() -> None:
    websocket, webhook, _ = blocks()

    for block in (websocket, webhook):
        code = [line for line in block.splitlines() if line.strip()]
        assert 10 <= len(code) <= 16, block


def test_websocket_example_routes_a_stream(
    package_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = blocks()[0]
    *body, last = source.rstrip().splitlines()
    assert last.startswith("asyncio.run(WebSocketClient(router).run())")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(body), str(DOC), "exec"), namespace)
    customer = sample("customer/created")
    payment = sample("billing/payment/received")
    frames = [
        json.dumps({"channel": "customer/created", "payload": customer}),
        json.dumps(
            {"channel": "billing/payment/received", "payload": {"amount": "12"}}
        ),
        json.dumps({"channel": "billing/payment/received", "payload": payment}),
    ]

    printed: list[str] = []

    def paid() -> bool:
        printed.extend(capsys.readouterr().out.splitlines())
        return any(line.startswith("paid") for line in printed)

    async def stream(connection: ServerConnection) -> None:
        for frame in frames:
            await connection.send(frame)
        await connection.wait_closed()

    async def scenario() -> None:
        async with serve(stream, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            client = namespace["WebSocketClient"](
                namespace["router"], f"ws://127.0.0.1:{port}"
            )
            running = asyncio.create_task(client.run())
            while not paid():
                await asyncio.sleep(0.01)
            await client.stop()
            await asyncio.wait_for(running, LIMIT)

    asyncio.run(asyncio.wait_for(scenario(), LIMIT))

    assert printed[0] == (
        f"customer {customer['customerId']} {customer['customerType']} on customer/created"
    )
    assert printed[1].startswith("rejected billing/payment/received invalid message")
    assert printed[2] == (
        f"paid {payment['amount']} {payment['currency']} for {payment['invoiceId']}"
    )


def test_webhook_example_serves_posts(
    package_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(blocks()[1], str(DOC), "exec"), namespace)
    invoice = sample("billing/invoice/created")
    suspended = sample("subscription/suspended")
    server = uvicorn.Server(
        uvicorn.Config(namespace["app"], host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()))
    thread.start()
    try:
        deadline = time.monotonic() + LIMIT
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=LIMIT) as client:
            statuses = [
                client.post("/billing/invoice/created", json=invoice).status_code,
                client.post("/subscription/suspended", json=suspended).status_code,
                client.post("/subscription/suspended", json={"eventId": 1}).status_code,
                client.post("/customer/deleted", json=invoice).status_code,
            ]
    finally:
        server.should_exit = True
        thread.join(LIMIT)

    assert statuses == [200, 200, 422, 404]
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"invoice {invoice['invoiceNumber']} {invoice['totalAmount']} due {invoice['dueDate']}",
        f"suspended {suspended['subscriptionId']} from {suspended['effectiveDate']}",
    ]


def test_testing_example_passes(package_dir: Path) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(blocks()[2], str(DOC), "exec"), namespace)

    namespace["test_payment_handler_sees_the_invoice"]()
