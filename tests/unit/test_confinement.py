"""Nothing outside its place is read: references stay in the root folder, no network.

Every file opened and every socket used during a run is seen through a Python audit hook,
so these tests show what the generator touches, not only what it reports.
"""

from __future__ import annotations

import http.server
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli

# Audit hooks cannot be removed: one is installed for the module and records while active.
_events: list[tuple[str, tuple[Any, ...]]] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _events is not None and (event == "open" or event.startswith("socket.")):
        _events.append((event, args))


sys.addaudithook(_audit)


@pytest.fixture()
def audit() -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    """Record files opened and socket calls from here to the end of the test.

    Fixtures that use sockets themselves (the server) come before it in a test's arguments.
    """
    global _events
    _events = []
    try:
        yield _events
    finally:
        _events = None


def opened(events: list[tuple[str, tuple[Any, ...]]]) -> set[Path]:
    return {
        Path(os.fsdecode(args[0])).resolve()
        for event, args in events
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike))
    }


def sockets(events: list[tuple[str, tuple[Any, ...]]]) -> list[str]:
    return [event for event, _ in events if event.startswith("socket.")]


PAYLOAD_REF = """\
asyncapi: 2.6.0
info: {{title: Shop, version: 1.0.0}}
channels:
  orders:
    subscribe:
      message:
        payload:
          $ref: '{ref}'
"""


@pytest.fixture()
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp/api/ is the root folder; tmp/secret.yaml is outside it."""
    (tmp_path / "api").mkdir()
    (tmp_path / "secret.yaml").write_text("Order: {type: object}\n")
    (tmp_path / "api" / "inside.yaml").write_text("Order: {type: object}\n")
    monkeypatch.chdir(tmp_path / "api")
    return tmp_path


def generate_with(layout: Path, ref: str, *flags: str) -> tuple[int, str]:
    (layout / "api" / "asyncapi.yaml").write_text(PAYLOAD_REF.format(ref=ref))
    code, _, stderr = run_cli("asyncapi.yaml", "-o", str(layout / "out"), *flags)
    return code, stderr


@pytest.mark.parametrize(
    "ref",
    [
        "../secret.yaml#/Order",
        "sub/../../secret.yaml#/Order",
        "..%2Fsecret.yaml#/Order",
        "SECRET_URI#/Order",
        "link.yaml#/Order",
    ],
)
def test_reference_leaving_the_root_folder_is_refused_and_not_read(
    layout: Path, audit: list[tuple[str, tuple[Any, ...]]], ref: str
) -> None:
    secret = layout / "secret.yaml"
    (layout / "api" / "link.yaml").symlink_to(secret)
    ref = ref.replace("SECRET_URI", secret.as_uri())

    code, stderr = generate_with(layout, ref)

    assert code == 1
    assert f"error: reference '{ref}' leaves the document's root folder" in stderr
    assert "  hint: pass --allow-outside-root to allow it" in stderr
    assert secret.resolve() not in opened(audit)


def test_allow_outside_root_lets_the_same_reference_through(
    layout: Path, audit: list[tuple[str, tuple[Any, ...]]]
) -> None:
    code, stderr = generate_with(
        layout, "../secret.yaml#/Order", "--allow-outside-root"
    )

    assert code == 0, stderr
    assert (layout / "secret.yaml").resolve() in opened(audit)


def test_reference_inside_the_root_folder_reads_only_what_it_names(
    layout: Path, audit: list[tuple[str, tuple[Any, ...]]]
) -> None:
    code, stderr = generate_with(layout, "inside.yaml#/Order")

    read = {p for p in opened(audit) if p.is_relative_to(layout / "api")}
    assert code == 0, stderr
    assert read == {
        (layout / "api" / "asyncapi.yaml").resolve(),
        (layout / "api" / "inside.yaml").resolve(),
    }


def test_a_whole_run_touches_no_socket(
    layout: Path, audit: list[tuple[str, tuple[Any, ...]]]
) -> None:
    spec = Path(__file__).resolve().parents[2] / "specs" / "connectx.yaml"

    code, _, stderr = run_cli(str(spec), "-o", str(layout / "out"), "--force")

    assert code == 0, stderr
    assert sockets(audit) == []


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on loopback serving one schema; yields its base URL and the paths asked."""
    asked: list[str] = []
    body = b"Order: {type: object, properties: {id: {type: string}}}\n"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", asked
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_remote_reference_is_refused_without_touching_the_network(
    layout: Path,
    server: tuple[str, list[str]],
    audit: list[tuple[str, tuple[Any, ...]]],
) -> None:
    base, asked = server
    ref = f"{base}/schemas.yaml#/Order"

    code, stderr = generate_with(layout, ref)

    assert code == 1
    assert f"error: remote reference '{ref}' is not allowed" in stderr
    assert "  hint: pass --allow-remote to fetch it" in stderr
    assert asked == []
    assert sockets(audit) == []


def test_allow_remote_fetches_the_reference(
    layout: Path,
    server: tuple[str, list[str]],
    audit: list[tuple[str, tuple[Any, ...]]],
) -> None:
    base, asked = server

    code, stderr = generate_with(
        layout, f"{base}/schemas.yaml#/Order", "--allow-remote"
    )

    assert code == 0, stderr
    assert asked == ["/schemas.yaml"]
    assert "socket.connect" in sockets(audit)
