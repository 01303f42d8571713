"""resolve.py: pointers, relative files, `$id` bases, loops, and where references may go."""

from __future__ import annotations

import http.server
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from asyncapi_gen.config import Config
from asyncapi_gen.load import load_document
from asyncapi_gen.resolve import ReferenceError_, Resolver, resolve_document


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def resolver_for(path: Path, **options: object) -> Resolver:
    config = Config(spec=path, output=path.parent / "out", **options)  # type: ignore[arg-type]
    return resolve_document(load_document(path), config)


def follow(resolver: Resolver, ref: str) -> object:
    root = resolver.root_node()
    return resolver.lookup(ref, root.base).value


def test_pointer_escapes_and_percent_encoding(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "doc.yaml",
        """
        defs:
          m/z: {a: 1}
          tol~ppm: {b: 2}
          x~1y: {c: 3}
          with space: {d: 4}
          list: [{e: 5}]
        """,
    )
    resolver = resolver_for(path)

    assert follow(resolver, "#/defs/m~1z") == {"a": 1}
    assert follow(resolver, "#/defs/tol~0ppm") == {"b": 2}
    assert follow(resolver, "#/defs/x~01y") == {"c": 3}
    assert follow(resolver, "#/defs/with%20space") == {"d": 4}
    assert follow(resolver, "#/defs/list/0") == {"e": 5}


def test_missing_target_names_the_nearest(tmp_path: Path) -> None:
    path = write(tmp_path, "doc.yaml", "components:\n  schemas:\n    Order: {}\n")
    resolver = resolver_for(path)

    with pytest.raises(ReferenceError_) as caught:
        follow(resolver, "#/components/schemas/Ordr")

    assert (
        caught.value.message
        == "reference target not found: '#/components/schemas/Ordr'"
    )
    assert caught.value.hint == "did you mean '#/components/schemas/Order'?"


def test_relative_files_resolve_against_the_referencing_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "parts/schemas.yaml",
        "Item: {type: string}\nList: {items: {$ref: '#/Item'}}\n",
    )
    write(
        tmp_path,
        "parts/messages.yaml",
        "Msg: {payload: {$ref: 'schemas.yaml#/List'}}\n",
    )
    path = write(tmp_path, "doc.yaml", "m: {$ref: 'parts/messages.yaml#/Msg'}\n")
    resolver = resolver_for(path)

    message = resolver.follow(resolver.root_node().child("m"))
    payload = resolver.follow(message.child("payload"))
    item = resolver.follow(payload.child("items"))

    assert item.value == {"type": "string"}
    assert item.document.path.name == "schemas.yaml"
    assert len(resolver.documents) == 3  # each file read once


def test_reference_loops_without_a_schema_are_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path, "doc.yaml", "a: {$ref: '#/b'}\nb: {$ref: '#/a'}\nc: {$ref: '#/c'}\n"
    )
    resolver = resolver_for(path)
    root = resolver.root_node()

    with pytest.raises(
        ReferenceError_, match="reference loop with no schema in it: #/a -> #/b -> #/a"
    ):
        resolver.follow(root.child("a"))
    with pytest.raises(ReferenceError_, match="reference loop"):
        resolver.follow(root.child("c"))


def test_references_outside_the_root_folder_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "outside.yaml", "X: {type: string}\n")
    path = write(tmp_path, "api/doc.yaml", "a: {$ref: '../outside.yaml#/X'}\n")

    with pytest.raises(ReferenceError_) as caught:
        follow(resolver_for(path), "../outside.yaml#/X")
    assert "leaves the document's root folder" in caught.value.message
    assert caught.value.hint == "pass --allow-outside-root to allow it"

    allowed = resolver_for(path, allow_outside_root=True)
    assert follow(allowed, "../outside.yaml#/X") == {"type": "string"}


def test_remote_references_are_off_by_default(tmp_path: Path) -> None:
    path = write(tmp_path, "doc.yaml", "a: 1\n")

    with pytest.raises(ReferenceError_) as caught:
        follow(resolver_for(path), "https://example.invalid/schema.json#/X")

    assert caught.value.hint == "pass --allow-remote to fetch it"


def test_ref_map_reads_a_prefix_from_a_folder(tmp_path: Path) -> None:
    write(tmp_path, "mirror/types.json", '{"definitions": {"n": {"type": "integer"}}}')
    path = write(tmp_path, "doc.yaml", "a: 1\n")
    mapping = (("http://localhost:1234/", tmp_path / "mirror"),)

    resolver = resolver_for(path, ref_map=mapping)

    assert follow(resolver, "http://localhost:1234/types.json#/definitions/n") == {
        "type": "integer"
    }


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "doc.yaml", "a: 1\n")

    with pytest.raises(
        ReferenceError_, match="referenced file not found: 'nope.yaml#/X'"
    ):
        follow(resolver_for(path), "nope.yaml#/X")


def test_ids_set_the_base_and_name_schemas(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "schema.json",
        """
        {"$id": "http://example.test/root.json",
         "definitions": {
           "A": {"$id": "#foo", "type": "integer"},
           "B": {"$id": "nested/b.json", "definitions": {"C": {"type": "string"}}},
           "D": {"enum": [{"$id": "http://example.test/not-an-id", "type": "null"}]}
         }}
        """,
    )
    resolver = resolver_for(path)
    base = "http://example.test/root.json"
    root = resolver.root_node()
    resolver.index_schema(root)

    assert resolver.lookup("#foo", base).value == {"$id": "#foo", "type": "integer"}
    assert resolver.lookup("nested/b.json#/definitions/C", base).value == {
        "type": "string"
    }
    assert "http://example.test/not-an-id" not in resolver.ids


def test_relative_files_at_any_depth_with_their_own_local_refs(tmp_path: Path) -> None:
    write(
        tmp_path, "a/b/c/leaf.yaml", "Leaf: {$ref: '#/Real'}\nReal: {type: integer}\n"
    )
    write(tmp_path, "a/b/mid.yaml", "Mid: {items: {$ref: 'c/leaf.yaml#/Leaf'}}\n")
    write(
        tmp_path,
        "a/top.yaml",
        "Top: {$ref: 'b/mid.yaml#/Mid'}\nBack: {$ref: '../doc.yaml#/d'}\n",
    )
    path = write(
        tmp_path, "doc.yaml", "t: {$ref: 'a/top.yaml#/Top'}\nd: {type: string}\n"
    )
    resolver = resolver_for(path)

    mid = resolver.follow(resolver.root_node().child("t"))
    leaf = resolver.follow(mid.child("items"))
    back = resolver.lookup("a/top.yaml#/Back", resolver.root_node().base)

    assert leaf.value == {"type": "integer"}
    assert leaf.document.path == (tmp_path / "a/b/c/leaf.yaml").resolve()
    assert resolver.follow(back).value == {"type": "string"}
    assert len(resolver.documents) == 4


def test_a_long_reference_chain_is_followed_once(tmp_path: Path) -> None:
    count = 5000
    lines = [f"r{i}: {{$ref: '#/r{i + 1}'}}" for i in range(count)]
    path = write(
        tmp_path, "doc.yaml", "\n".join([*lines, f"r{count}: {{type: string}}"])
    )
    resolver = resolver_for(path)
    root = resolver.root_node()

    targets = [resolver.follow(root.child(f"r{i}")) for i in range(count)]

    assert {t.pointer for t in targets} == {f"#/r{count}"}
    assert resolver.followed == count


class _Served(http.server.BaseHTTPRequestHandler):
    """Serves /schema.json, /big.json (large) and /slow.json (answers late)."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        if self.path == "/slow.json":
            time.sleep(1.0)
        body = {
            "/schema.json": b'{"definitions": {"n": {"$ref": "other.json#/x"}}}',
            "/other.json": b'{"x": {"type": "integer"}}',
            "/big.json": b'{"pad": "' + b"x" * 5000 + b'"}',
        }.get(self.path, b'{"x": 1}')
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Served)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_remote_references_are_fetched_behind_the_flag(
    tmp_path: Path, server: str
) -> None:
    path = write(tmp_path, "doc.yaml", "a: 1\n")
    resolver = resolver_for(path, allow_remote=True)

    target = resolver.follow(
        resolver.lookup(f"{server}/schema.json#/definitions/n", "")
    )

    # The remote file's own relative reference resolves against its URL.
    assert target.value == {"type": "integer"}
    assert target.document.uri == f"{server}/other.json"


def test_remote_references_have_a_size_limit_and_a_timeout(
    tmp_path: Path, server: str
) -> None:
    path = write(tmp_path, "doc.yaml", "a: 1\n")
    small = resolver_for(path, allow_remote=True, remote_max_bytes=1000)
    hasty = resolver_for(path, allow_remote=True, remote_timeout=0.2)

    with pytest.raises(ReferenceError_, match="is larger than 1000 bytes"):
        small.lookup(f"{server}/big.json#/pad", "")
    started = time.monotonic()
    with pytest.raises(ReferenceError_, match="cannot fetch remote reference"):
        hasty.lookup(f"{server}/slow.json#/x", "")
    assert time.monotonic() - started < 0.9
