"""Real documents (../shared/corpus): each generates a package that imports, and every
example it carries validates and round-trips; the broken ones fail with located errors.

Each document is generated once per module, in-process and without black (black is
exercised by the golden tests), so the IR is at hand to find the model of each schema.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import shutil
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from asyncapi_gen.build import build_ir
from asyncapi_gen.config import Config
from asyncapi_gen.emit import emit_package
from asyncapi_gen.errors import DiagnosticSink
from asyncapi_gen.ir import Api
from asyncapi_gen.load import load_document
from asyncapi_gen.resolve import Node, Resolver, resolve_document, subschemas
from asyncapi_gen.structure import check_structure
from asyncapi_gen.validators.compile import compile_validators
from asyncapi_gen.validators.testing import render_validators
from tests.conftest import run_cli
from tests.runtime.test_shared_cases import same_wire

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
SOCIAL = "spec-social-media"
# Entry files that generate a working package (social media: with --allow-outside-root).
WORKING = (
    "assemblyai-streaming/asyncapi.yml",
    "bell-avr-mqtt/asyncapi.yml",
    "cli-bundle/asyncapi.yaml",
    "cli-bundle/features.yaml",
    "cli-external-refs/main.yaml",
    "defra-pay-processing/asyncapi.yaml",
    "kubescape-synchronizer/asyncapi.yaml",
    "mainflux-websocket/websocket.yml",
    "modelina-schema-name-reflection/schema_name_reflection.json",
    "parserjs-circular-nested/circular-refs.yaml",
    "parserjs-openapi-schemaformat/valid-asyncapi.yaml",
    "spec-mercure/mercure.yml",
    "spec-not/not.yml",
    "spec-oneof/oneof.yml",
    "spec-operation-security/operation-security.yml",
    "spec-rpc-server/rpc-server.yml",
    "spec-slack-rtm/slack-rtm.yml",
    f"{SOCIAL}/backend/asyncapi.yaml",
    f"{SOCIAL}/comments-service/asyncapi.yaml",
    f"{SOCIAL}/frontend/asyncapi.yaml",
    f"{SOCIAL}/notification-service/asyncapi.yaml",
    f"{SOCIAL}/public-api/asyncapi.yaml",
    "spec-streetlights-2.0.0/streetlights.yml",
    "spec-streetlights-kafka/streetlights-kafka.yml",
    "spec-streetlights-mqtt/streetlights-mqtt.yml",
    "spec-websocket-gemini/websocket-gemini.yml",
    "zbos-mqtt/zbos_mqtt-all-asyncapi.json",
    "zenwave-kitchensink-avro/asyncapi-avro.yml",
)
# Broken upstream: entry file -> (error count, a message every error carries).
BROKEN = {
    "parserjs-circular-refs/good/circular-refs.yaml": (1, "referenced file not found"),
    "jasyncapi-kitchen-sink/asyncapi.json": (73, "reference"),
    "diamond-blueapi/asyncapi.yaml": (8, "remote reference"),
}
# Examples that break their own document's schema, upstream: entry file -> (how many,
# why). They must be rejected (JSON Schema says so); every other example must pass.
WRONG_EXAMPLES = {
    # `additionalProperties: false` in one allOf branch forbids the other branch's fields.
    "assemblyai-streaming/asyncapi.yml": (2, "additionalProperties"),
    # '31/03/2023' under `format: date-time`.
    "defra-pay-processing/asyncapi.yaml": (1, "format"),
    # Markdown text given as the example of an object schema.
    "mainflux-websocket/websocket.yml": (2, "type"),
    # Enums of strings under `type: object`, and single items given for arrays.
    "zbos-mqtt/zbos_mqtt-all-asyncapi.json": (76, "type"),
}
_LOCATED = re.compile(r"^(?P<file>[^\s:]+):(\d+):(\d+): error: (?P<message>.*)$")


def require_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(
            f"{CORPUS} is absent: the shared corpus lives beside the repository"
        )


@dataclasses.dataclass
class Generated:
    resolver: Resolver
    api: Api
    package: ModuleType


class Store:
    """Generates each corpus document on first use, once per module."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.done: dict[str, Generated] = {}
        self.paths: list[str] = []

    def get(self, entry: str) -> Generated:
        require_corpus()
        if entry not in self.done:
            self.done[entry] = self._generate(entry)
        return self.done[entry]

    def _generate(self, entry: str) -> Generated:
        name = "corpus_" + re.sub(r"\W", "_", entry.rsplit(".", 1)[0])
        spec = CORPUS / entry
        out = self.folder / name
        config = Config(
            spec=spec,
            output=out,
            package_name=name,
            allow_outside_root=entry.startswith(SOCIAL),
        )
        sink = DiagnosticSink()
        document = load_document(spec)
        check_structure(document, sink)
        sink.raise_if_errors()
        resolver = resolve_document(document, config)
        api = build_ir(resolver, config, sink)
        for path, text in emit_package(api).items():
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            (out / path).write_text(text, encoding="utf-8")
        sys.path.insert(0, str(out))
        self.paths.append(str(out))
        package = importlib.import_module(name)
        for module in ("models", "router", "registry", "testing"):
            importlib.import_module(f"{name}.{module}")
        return Generated(resolver, api, package)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    kept = Store(tmp_path_factory.mktemp("corpus"))
    yield kept
    for path in kept.paths:
        sys.path.remove(path)


# Examples: every message example and every schema example the document reaches.


@dataclasses.dataclass
class Example:
    where: str  # pointer of the example, for failure messages
    schema: Node  # the schema it must satisfy, references followed
    value: Any
    message: Node | None = None  # the message whose `examples` hold it
    part: str = ""  # "payload" or "headers" for a message example


def collect_examples(resolver: Resolver) -> list[Example]:
    found: list[Example] = []
    schema_roots: list[Node] = []
    for message in messages_of(resolver):
        parts = {k: message.get(k) for k in ("payload", "headers")}
        schema_format = message.value.get("schemaFormat", "")
        if "avro" in str(schema_format).lower():
            parts["payload"] = None
        schema_roots.extend(p for p in parts.values() if p is not None)
        examples = message.get("examples")
        for index, item in enumerate(examples.value if examples else ()):
            for key, part in parts.items():
                if part is not None and isinstance(item, dict) and key in item:
                    where = f"{examples.pointer}/{index}/{key}"  # type: ignore[union-attr]
                    target = follow(resolver, part)
                    found.append(Example(where, target, item[key], message, key))
    components = resolver.root_node().get("components")
    schemas = components.get("schemas") if components else None
    for key in schemas.value if schemas else ():
        schema_roots.append(schemas.child(key))  # type: ignore[union-attr]
    found.extend(schema_examples(resolver, schema_roots))
    return found


def follow(resolver: Resolver, node: Node) -> Node:
    return resolver.follow(node)


def messages_of(resolver: Resolver) -> list[Node]:
    root = resolver.root_node()
    places: list[Node] = []
    channels = root.get("channels")
    for address in channels.value if channels else ():
        channel = follow(resolver, channels.child(address))  # type: ignore[union-attr]
        for action in ("publish", "subscribe"):
            operation = channel.get(action)
            message = operation.get("message") if operation else None
            if message is not None:
                places.append(message)
    components = root.get("components")
    messages = components.get("messages") if components else None
    places.extend(messages.child(k) for k in (messages.value if messages else ()))
    found: dict[str, Node] = {}
    for place in places:
        target = follow(resolver, place)
        options = target.get("oneOf")
        for node in (
            [options.child(i) for i in range(len(options.value))]
            if options
            else [target]
        ):
            message = follow(resolver, node)
            found.setdefault(message.uri, message)
    return list(found.values())


def schema_examples(resolver: Resolver, roots: list[Node]) -> list[Example]:
    found = []
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node = follow(resolver, stack.pop())
        if node.uri in seen or not isinstance(node.value, dict):
            continue
        seen.add(node.uri)
        examples = node.value.get("examples")
        if isinstance(examples, list):
            for index, value in enumerate(examples):
                found.append(Example(f"{node.pointer}/examples/{index}", node, value))
        if "example" in node.value:
            found.append(
                Example(f"{node.pointer}/example", node, node.value["example"])
            )
        stack.extend(subschemas(node))
    return found


def entry_for(generated: Generated, example: Example) -> Any:
    """The registry entry that decodes the example: its component schema or message."""
    root = generated.resolver.root
    tokens = example.schema.pointer.split("/")
    package = generated.package
    if example.schema.document is root and tokens[1:3] == ["components", "schemas"]:
        if len(tokens) == 4:
            return package.SCHEMAS[tokens[3].replace("~1", "/").replace("~0", "~")]
    message = example.message
    if message is None or message.document is not root:
        return None
    tokens = message.pointer.split("/")
    if tokens[1:3] != ["components", "messages"] or len(tokens) != 4:
        return None
    key = message.value.get("messageId") or tokens[3]
    entry = package.MESSAGES[key]
    return entry if example.part == "payload" else entry.headers


def model_for(generated: Generated, schema: Node) -> Any:
    """The generated class whose source is `schema`, or None."""
    root_dir = generated.resolver.root_dir
    try:
        shown = schema.document.path.resolve().relative_to(root_dir).as_posix()
    except ValueError:
        shown = schema.document.path.name
    source = f"{shown}{schema.pointer}"
    for model in generated.api.models:
        if model.pointer == source and model.kind == "dataclass":
            return getattr(generated.package.models, model.name)
    return None


# The tests


@pytest.mark.parametrize("entry", WORKING)
def test_document_generates_and_imports(store: Store, entry: str) -> None:
    generated = store.get(entry)

    assert generated.package.SCHEMAS.keys() == {e.key for e in generated.api.schemas}
    assert len(generated.package.router.ROUTES) == len(generated.api.routes)


@pytest.mark.parametrize("entry", WORKING)
def test_every_example_validates_and_round_trips(store: Store, entry: str) -> None:
    generated = store.get(entry)
    examples = collect_examples(generated.resolver)
    validators = example_validators(generated, examples)

    wrong = []
    for example in examples:
        errors = validators[example.schema.uri](example.value)
        if errors:
            wrong.append(errors)
            continue
        assert round_trips(generated, example), f"{entry} {example.where}"

    count, keyword = WRONG_EXAMPLES.get(entry, (0, ""))
    assert len(wrong) == count, wrong
    assert all(any(e.keyword == keyword for e in errors) for errors in wrong)


def round_trips(generated: Generated, example: Example) -> bool:
    """Decode through the registry entry (or else the model) and encode back unchanged."""
    entry = entry_for(generated, example)
    if entry is not None:
        wire = entry.encode(entry.decode(example.value))
        return same_wire(wire, example.value)
    model = model_for(generated, example.schema)
    if model is not None:
        return same_wire(model.from_dict(example.value).to_dict(), example.value)
    return True  # an inline schema that is not a model: values stay as they are


def example_validators(generated: Generated, examples: list[Example]) -> dict[str, Any]:
    """schema URI -> validate function, compiled by the project's validator compiler."""
    names: dict[str, tuple[str, Node]] = {}
    for example in examples:
        names.setdefault(example.schema.uri, (f"s{len(names)}", example.schema))
    if not names:
        return {}
    sink = DiagnosticSink()
    validators = compile_validators(generated.resolver, list(names.values()), sink)
    module = Path(generated.package.__file__ or "").parent / "examples_check.py"
    module.write_text(render_validators(validators), encoding="utf-8")
    checks = importlib.import_module(f"{generated.package.__name__}.examples_check")
    return {uri: getattr(checks, f"validate_{n}") for uri, (n, _) in names.items()}


@pytest.mark.parametrize("entry", sorted(BROKEN))
def test_broken_document_gives_located_errors(tmp_path: Path, entry: str) -> None:
    require_corpus()
    count, words = BROKEN[entry]

    code, stdout, stderr = run_cli(str(CORPUS / entry), "-o", str(tmp_path / "out"))

    errors = [m for m in map(_LOCATED.match, stderr.splitlines()) if m]
    assert code == 1, stderr
    assert "Traceback" not in stdout + stderr
    assert len(errors) == count, stderr
    assert all(words in e["message"] for e in errors)
    assert all(e["file"].endswith(Path(entry).name) for e in errors)
    lines = stderr.splitlines()
    assert all(
        lines[i + 1].startswith("  at #")
        for i, line in enumerate(lines)
        if ": error: " in line
    )
    assert not (tmp_path / "out").exists()


def test_references_leaving_the_root_folder_need_the_flag(tmp_path: Path) -> None:
    require_corpus()
    spec = CORPUS / SOCIAL / "backend" / "asyncapi.yaml"

    code, _, stderr = run_cli(str(spec), "-o", str(tmp_path / "refused"))
    allowed = run_cli(
        str(spec),
        "-o",
        str(tmp_path / "allowed"),
        "--allow-outside-root",
        "--no-format",
    )

    assert code == 1
    assert "leaves the document's root folder" in stderr
    assert "hint: pass --allow-outside-root to allow it" in stderr
    assert allowed[0] == 0, allowed[2]


def test_avro_payloads_warn_and_the_rest_generates(tmp_path: Path) -> None:
    require_corpus()
    spec = CORPUS / "zenwave-kitchensink-avro" / "asyncapi-avro.yml"

    code, _, stderr = run_cli(str(spec), "-o", str(tmp_path / "out"), "--no-format")

    warnings = [line for line in stderr.splitlines() if ": warning: " in line]
    assert code == 0
    assert len(warnings) == 3
    assert all(
        re.match(r"\S+asyncapi-avro\.yml:\d+:\d+: warning: ", w) for w in warnings
    )
    assert all("application/vnd.apache.avro+json" in w for w in warnings)


def test_circular_refs_of_every_shape_once_the_file_ref_resolves(
    tmp_path: Path,
) -> None:
    require_corpus()
    # The upstream test resolves './good/...' from the fixture's parent folder; a copy of
    # the external file where the document's own folder says gives every other shape.
    good = tmp_path / "good"
    shutil.copytree(CORPUS / "parserjs-circular-refs" / "good", good)
    (good / "good").mkdir()
    shutil.copy(good / "circular-refs-file-ref.yaml", good / "good")
    out = tmp_path / "out"

    code, _, stderr = run_cli(
        str(good / "circular-refs.yaml"), "-o", str(out), "--package-name", "circular"
    )
    sys.path.insert(0, str(out))
    try:
        package = importlib.import_module("circular")
        models = [
            getattr(package.models, m)
            for m in dir(package.models)
            if dataclasses.is_dataclass(getattr(package.models, m))
        ]
        hints = [typing.get_type_hints(m) for m in models]
    finally:
        sys.path.remove(str(out))

    assert code == 0, stderr
    self_ref = package.SCHEMAS["RecursiveSelf"].model
    assert len(hints) == len(models) > 10
    children = typing.get_type_hints(self_ref)["self_children"]
    assert typing.get_args(children)[0] == list[self_ref]


def test_remote_references_that_cannot_be_fetched_are_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_corpus()

    def offline(*args: object, **kwargs: object) -> None:
        raise OSError("network is unreachable")

    # The same whether this machine has a network or not.
    monkeypatch.setattr("asyncapi_gen.resolve.urllib.request.urlopen", offline)
    spec = CORPUS / "diamond-blueapi" / "asyncapi.yaml"

    code, stdout, stderr = run_cli(str(spec), "-o", str(tmp_path), "--allow-remote")

    errors = [m for m in map(_LOCATED.match, stderr.splitlines()) if m]
    assert code == 1 and "Traceback" not in stdout + stderr
    assert len(errors) == 8
    assert all(
        e["message"].startswith("cannot fetch remote reference 'https://")
        and e["message"].endswith("network is unreachable")
        for e in errors
    )
