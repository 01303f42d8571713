"""Smoke test of the benchmark's synthetic documents at 1x: shape, counts, references, validity."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
OFFICIAL_SCHEMA = SHARED / "asyncapi-schemas" / "2.6.0.json"


def load_make_specs() -> ModuleType:
    # benchmarks/ is a folder of scripts, not a package, so load the module from its path.
    spec = importlib.util.spec_from_file_location(
        "make_specs", REPO / "benchmarks" / "make_specs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


make_specs = load_make_specs()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_specs.write_specs(tmp_path_factory.mktemp("specs"), 1)


def read_yaml(path: Path) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def multi_files(written: Any) -> dict[str, Any]:
    """Return {path relative to the tree: content} of the multi-file layout."""
    base = written.multi_root.parent
    return {
        p.relative_to(base).as_posix(): read_yaml(p)
        for p in sorted(base.rglob("*.yaml"))
    }


def iter_refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("$ref"), str):
            yield value["$ref"]
        for item in value.values():
            yield from iter_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_refs(item)


def split_ref(current: str, ref: str) -> tuple[str, str]:
    """Return (target file relative to the tree, pointer) of a reference made in `current`."""
    file_part, _, pointer = ref.partition("#")
    if not file_part:
        return current, pointer
    joined = (Path(current).parent / file_part).as_posix()
    parts: list[str] = []
    for part in joined.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts), pointer


def follow_pointer(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        assert (
            isinstance(node, dict) and token in node
        ), f"pointer {pointer!r} not found"
        node = node[token]
    return node


def test_counts_at_1x(written: Any) -> None:
    files = multi_files(written)
    schemas = [n for path, c in files.items() if path.startswith("schemas/") for n in c]
    messages = [
        n for path, c in files.items() if path.startswith("messages/") for n in c
    ]

    assert len(files["asyncapi.yaml"]["channels"]) == 100
    assert len(schemas) == 310 and len(set(schemas)) == 310
    assert len(messages) == 100
    assert len(files) == 22
    assert (written.channels, written.schemas, written.files) == (100, 310, 22)


def test_bundled_holds_the_same_counts(written: Any) -> None:
    bundled = read_yaml(written.bundled)

    assert len(bundled["channels"]) == 100
    assert len(bundled["components"]["schemas"]) == 310
    assert len(bundled["components"]["messages"]) == 100
    assert all(ref.startswith("#/components/") for ref in iter_refs(bundled))


def test_every_reference_in_the_tree_resolves(written: Any) -> None:
    files = multi_files(written)

    for current, content in files.items():
        for ref in iter_refs(content):
            target, pointer = split_ref(current, ref)
            assert target in files, f"{current}: {ref!r} names a missing file"
            assert isinstance(
                follow_pointer(files[target], pointer), dict
            ), f"{current}: {ref!r}"


def test_every_schema_and_message_is_reachable_from_the_root(written: Any) -> None:
    files = multi_files(written)
    seen: set[tuple[str, str]] = set()
    todo = [("asyncapi.yaml", "")]
    while todo:
        current, pointer = todo.pop()
        if (current, pointer) in seen:
            continue
        seen.add((current, pointer))
        node = follow_pointer(files[current], pointer) if pointer else files[current]
        todo.extend(split_ref(current, ref) for ref in iter_refs(node))
    named = {
        (path, f"/{name}")
        for path, c in files.items()
        if path != "asyncapi.yaml"
        for name in c
    }

    assert named - seen == set()


def test_bundled_content_matches_the_tree(written: Any) -> None:
    files = multi_files(written)
    bundled = read_yaml(written.bundled)

    def localise(value: Any) -> Any:
        if isinstance(value, dict):
            if isinstance(value.get("$ref"), str) and not value["$ref"].startswith(
                "#/components"
            ):
                section = "messages" if "messages/" in value["$ref"] else "schemas"
                return {
                    "$ref": f"#/components/{section}/{value['$ref'].rsplit('/', 1)[1]}"
                }
            return {key: localise(item) for key, item in value.items()}
        if isinstance(value, list):
            return [localise(item) for item in value]
        return value

    for path, content in files.items():
        if path.startswith(("schemas/", "messages/")):
            section = path.split("/")[0]
            for name, value in content.items():
                assert bundled["components"][section][name] == localise(value), name
    assert bundled["channels"] == localise(files["asyncapi.yaml"]["channels"])


def test_documents_have_the_shapes_the_benchmark_needs(written: Any) -> None:
    bundled = read_yaml(written.bundled)
    schemas = bundled["components"]["schemas"].values()
    channels = bundled["channels"].values()
    text = written.bundled.read_text(encoding="utf-8")

    assert sum("allOf" in s for s in schemas) == 100
    assert sum("oneOf" in s for s in schemas) == 20
    assert sum("enum" in s for s in schemas) == 42
    assert sum("parameters" in c for c in channels) >= 30
    assert {op for c in channels for op in c if op in ("publish", "subscribe")} == {
        "publish",
        "subscribe",
    }
    assert "type: array" in text and "additionalProperties" in text


def test_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    first = make_specs.write_specs(tmp_path / "a", 1)
    second = make_specs.write_specs(tmp_path / "b", 1)
    other = make_specs.write_specs(tmp_path / "c", 1, seed=7)

    def tree(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.yaml")
        }

    assert tree(first.multi_root.parents[1]) == tree(second.multi_root.parents[1])
    assert tree(first.multi_root.parents[1]) != tree(other.multi_root.parents[1])


def test_documents_are_valid_asyncapi_2_6(written: Any) -> None:
    if not OFFICIAL_SCHEMA.is_file():
        pytest.skip(f"official AsyncAPI schema not found at {OFFICIAL_SCHEMA}")
    jsonschema = pytest.importorskip("jsonschema")
    official = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    document_check = jsonschema.Draft7Validator(official)
    definitions = {"definitions": official["definitions"]}
    schema_check = jsonschema.Draft7Validator(
        {"$ref": "#/definitions/schema", **definitions}
    )
    message_check = jsonschema.Draft7Validator(
        {"$ref": "#/definitions/message", **definitions}
    )
    files = multi_files(written)

    assert list(document_check.iter_errors(read_yaml(written.bundled))) == []
    assert list(document_check.iter_errors(files["asyncapi.yaml"])) == []
    for path, content in files.items():
        check = schema_check if path.startswith("schemas/") else message_check
        for name, value in content.items() if path != "asyncapi.yaml" else ():
            assert list(check.iter_errors(value)) == [], f"{path}#/{name}"
