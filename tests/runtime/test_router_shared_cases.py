"""Shared cases 25 (channel parameters) and 27 (message.oneOf) through the generated router.

Both cases describe the application's side (`publish` operations are what it receives), so
their packages are generated with `--perspective application`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import run_cli

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
PARAMETERS = SHARED / "cases" / "25-router-channel-parameters"
ONE_OF = SHARED / "cases" / "27-router-message-oneof"


def case_file(case: Path, name: str) -> Any:
    if not case.is_dir():
        pytest.skip(f"{case} is absent: the shared cases live beside the repository")
    return json.loads((case / name).read_text(encoding="utf-8"))


def generate_case(
    factory: pytest.TempPathFactory, case: Path, name: str, *options: str
) -> Iterator[ModuleType]:
    if not case.is_dir():
        pytest.skip(f"{case} is absent: the shared cases live beside the repository")
    out = factory.mktemp(name)
    code, stdout, stderr = run_cli(
        str(case / "spec.yaml"), "-o", str(out), "--package-name", name, *options
    )
    assert code == 0, stdout + stderr
    sys.path.insert(0, str(out))
    try:
        package = importlib.import_module(name)
        importlib.import_module(f"{name}.testing")
        yield package
    finally:
        sys.path.remove(str(out))


@pytest.fixture(scope="module")
def users_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generate_case(
        tmp_path_factory, PARAMETERS, "case25_app", "--perspective", "application"
    )


@pytest.fixture(scope="module")
def users_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generate_case(tmp_path_factory, PARAMETERS, "case25_client")


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generate_case(
        tmp_path_factory, ONE_OF, "case27_app", "--perspective", "application"
    )


def wire(value: Any) -> Any:
    """A decoded parameter value back in its JSON form (enum members become their value)."""
    return getattr(value, "value", value)


def routing_router(package: ModuleType) -> tuple[Any, list[tuple[str, Any, Any]]]:
    router = package.Router(on_error=lambda channel, raw, exc: None)
    received: list[tuple[str, Any, Any]] = []
    for operation in package.Router.OPERATIONS:
        router.on(
            operation,
            lambda payload, context, op=operation: received.append(
                (op, payload, context)
            ),
        )
    return router, received


@pytest.mark.parametrize("index", range(3))
def test_case25_valid_channels_route_with_typed_params(
    users_app: ModuleType, index: int
) -> None:
    item = case_file(PARAMETERS, "valid.json")[index]
    router, received = routing_router(users_app)

    result = router.dispatch_sync(item["channel"], item["payload"])

    assert result.outcome is users_app.Outcome.HANDLED
    ((operation, _, context),) = received
    route = next(r for r in users_app.router.ROUTES if r.operation_id == operation)
    assert route.address == item["expect"]["route"]
    assert context.channel == item["channel"]
    assert wire_params(context.params) == item["expect"]["params"]
    assert [type(v) for v in wire_params(context.params).values()] == [
        type(v) for v in item["expect"]["params"].values()
    ]


def wire_params(params: Any) -> dict[str, Any]:
    """The decoded parameters keyed by wire name, in address order, as JSON values."""
    wires = [part.split("}")[0] for part in type(params).ADDRESS.split("{")[1:]]
    values = [wire(getattr(params, f.name)) for f in dataclasses.fields(params)]
    return dict(zip(wires, values, strict=True))


@pytest.mark.parametrize("index", range(9))
def test_case25_invalid_channels_never_reach_a_handler(
    users_app: ModuleType, index: int
) -> None:
    item = case_file(PARAMETERS, "invalid.json")[index]
    router, received = routing_router(users_app)

    result = router.dispatch_sync(item["channel"], item["payload"])

    assert received == [], item["why"]
    assert result.outcome in (
        users_app.Outcome.UNKNOWN_CHANNEL,
        users_app.Outcome.INVALID,
    )
    if result.outcome is users_app.Outcome.INVALID:
        assert result.errors, item["why"]


def test_case25_subscription_filter_and_handler_names(users_app: ModuleType) -> None:
    assert users_app.router.subscriptions()[0] == "user/+/signup"
    assert "{" not in "".join(users_app.router.subscriptions())
    names = [
        name
        for name in vars(users_app.Router)
        if name.startswith("publish") and callable(getattr(users_app.Router, name))
    ]
    assert len(names) == len(set(names)) == 3
    assert all(name.isidentifier() for name in names)


def test_case25_outgoing_topic_is_built_and_injection_refused(
    users_client: ModuleType,
) -> None:
    transport = users_client.testing.MemoryTransport()
    publisher = users_client.Publisher(transport)
    chat = next(
        name for name in vars(users_client.Publisher) if name.startswith("publish_chat")
    )
    payload = users_client.MESSAGES["ChatMessage"].decode({"text": "hi"})

    channel = asyncio.run(
        getattr(publisher, chat)(payload, room_id=7, user_id="alice01")
    )
    with pytest.raises(users_client.DecodeError) as caught:
        asyncio.run(getattr(publisher, chat)(payload, room_id=7, user_id="a/b"))

    assert channel == "chat/7/alice01/message"
    assert [m.channel for m in transport.sent] == ["chat/7/alice01/message"]
    assert [e.path for e in caught.value.errors] == ["/userId"]


@pytest.mark.parametrize("index", range(2))
def test_case27_incoming_payload_picks_its_message(
    songs: ModuleType, index: int
) -> None:
    item = case_file(ONE_OF, "valid.json")[index]
    router, received = routing_router(songs)

    result = router.dispatch_sync(item["channel"], item["payload"])

    assert result.outcome is songs.Outcome.HANDLED
    ((operation, payload, context),) = received
    assert operation == item["expect"]["operation"]
    assert context.message == item["expect"]["message"]
    assert type(payload) is songs.MESSAGES[item["expect"]["message"]].model
    if "releasedAt" in item["payload"]:
        assert payload.released_at == dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("index", range(3))
def test_case27_no_match_names_both_candidates(songs: ModuleType, index: int) -> None:
    item = case_file(ONE_OF, "invalid.json")[index]
    router, received = routing_router(songs)

    result = router.dispatch_sync(item["channel"], item["payload"])

    assert received == [], item["why"]
    assert result.outcome is songs.Outcome.INVALID
    reason = result.errors[0].message
    assert "none of the messages" in reason
    assert "songReleased" in reason and "songDeleted" in reason


def test_case27_outgoing_reuses_the_incoming_model(songs: ModuleType) -> None:
    item = case_file(ONE_OF, "valid.json")[2]
    transport = songs.testing.MemoryTransport()
    model = songs.MESSAGES["songReleased"].model
    payload = model.from_dict(item["payload"])

    channel = asyncio.run(songs.Publisher(transport).emit_song_released(payload))

    assert channel == item["channel"]
    assert transport.sent[0].json() == item["payload"]
    assert songs.MESSAGES["songDeleted"].model.__module__ == model.__module__
    classes = [n for n in vars(songs.models) if n.startswith("SongReleased")]
    assert classes == ["SongReleasedPayload"]
