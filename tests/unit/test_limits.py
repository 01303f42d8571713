"""Hostile sizes end in bounded time and memory, with a clear error or a correct result.

Loading is measured in-process with tracemalloc; whole runs on big files go through a
subprocess whose address space is capped (RLIMIT_AS), so a blow-up fails the test instead
of the machine.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from asyncapi_gen.errors import DocumentError
from asyncapi_gen.limits import MAX_EXPANSION
from asyncapi_gen.load import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, load_document
from tests.conftest import GenerateFn, run_cli

HEAD = "asyncapi: 2.6.0\ninfo: {title: Limits, version: 1.0.0}\n"
MiB = 1024 * 1024
# Address space for one capped run: the interpreter, black and a 50 MB document fit.
ADDRESS_SPACE = 3 * 1024 * MiB


@contextmanager
def bounded(seconds: float, mebibytes: int) -> Iterator[None]:
    """Fail unless the block finishes within `seconds` and allocates at most `mebibytes`."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < mebibytes * MiB, f"peak {peak / MiB:.0f} MiB"


def load_error(path: Path) -> str:
    with pytest.raises(DocumentError) as caught:
        load_document(path, path.name)
    return str(caught.value)


def run_capped(*args: str, cwd: Path, timeout: float) -> tuple[int, str, float]:
    """Run the command in a subprocess with a capped address space; return code, stderr, time."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "asyncapi_gen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap,
        check=False,
    )
    return done.returncode, done.stderr, time.perf_counter() - started


# Alias bombs


def test_alias_bomb_stops_at_the_node_bound(tmp_path: Path) -> None:
    lines = [
        HEAD + "channels: {}\nx-bomb:",
        "  a0: &a0 [" + ", ".join(["lol"] * 9) + "]",
    ]
    lines += [
        f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)
    ]
    spec = tmp_path / "bomb.yaml"
    spec.write_text("\n".join(lines) + "\n")

    with bounded(seconds=10, mebibytes=64):
        message = load_error(spec)

    assert f"document expands to more than {MAX_NODES} values" in message
    assert "at #/x-bomb/a" in message


def test_aliases_that_stay_small_are_shared_not_refused(tmp_path: Path) -> None:
    spec = tmp_path / "shared.yaml"
    spec.write_text(
        HEAD
        + "channels: {}\nx-a: &common {type: string}\nx-b: [*common, *common, *common]\n"
    )

    document = load_document(spec)

    assert document.value["x-b"] == [{"type": "string"}] * 3


# Deep nesting


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("flow.yaml", HEAD + "channels: {}\nx-deep: " + "[" * 50_000 + "]" * 50_000),
        (
            "mapping.yaml",
            HEAD + "channels: {}\nx-deep: " + "{a: " * 5_000 + "1" + "}" * 5_000,
        ),
        ("block.yaml", HEAD + "channels: {}\nx-deep:\n  " + "- " * 5_000 + "leaf"),
        (
            "deep.json",
            '{"asyncapi": "2.6.0", "channels": {}, "x": '
            + "[" * 100_000
            + "]" * 100_000
            + "}",
        ),
    ],
)
def test_document_nested_thousands_of_levels_is_refused(
    tmp_path: Path, name: str, text: str
) -> None:
    spec = tmp_path / name
    spec.write_text(text + "\n")

    with bounded(seconds=10, mebibytes=128):
        message = load_error(spec)

    assert f"document is nested deeper than {MAX_DEPTH} levels" in message
    assert message.startswith(f"{name}:")


def test_schema_nested_to_the_depth_bound_gives_a_working_package(
    generate: GenerateFn,
) -> None:
    # Each schema level is two document levels (properties, then the name).
    levels = (MAX_DEPTH - 10) // 2
    payload = (
        "{type: object, properties: {a: " * levels + "{type: string}" + "}}" * levels
    )
    spec = (
        HEAD
        + f"channels:\n  deep:\n    subscribe:\n      message:\n        payload: {payload}\n"
    )

    started = time.perf_counter()
    package = generate(spec, "--no-format")
    elapsed = time.perf_counter() - started

    value: Any = "leaf"
    for _ in range(levels):
        value = {"a": value}
    entry = next(iter(package.MESSAGES.values()))
    assert entry.validate(value) == []
    assert entry.encode(entry.decode(value)) == value
    wrong = {"a": {"a": 3}}
    assert [e.path for e in entry.validate(wrong)] == ["/a/a"]
    assert elapsed < 90, f"took {elapsed:.1f} s"


def test_known_limitation_recursion_in_a_later_stage_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncapi_gen.generate as generate_module

    def recurse(*args: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(generate_module, "build_ir", recurse)
    spec = tmp_path / "deep.yaml"
    spec.write_text(
        HEAD + "channels:\n  c:\n    subscribe:\n      message:\n"
        "        payload: {type: object, properties: {a: {type: object}}}\n"
    )
    monkeypatch.chdir(tmp_path)

    code, _, stderr = run_cli("deep.yaml", "-o", "out")

    assert code == 1
    assert stderr.startswith(
        "deep.yaml:7:50: error: schemas nest too deeply to generate: 8 levels here"
    )
    assert "  at #/channels/c/subscribe/message/payload/properties/a/type\n" in stderr
    assert "Traceback" not in stderr


# Schemas whose allOf/oneOf expansion explodes


def doubling_schemas(levels: int) -> str:
    """Each level reaches the next through allOf and oneOf: 2**levels checks of one value."""
    lines = [
        HEAD + "channels:\n  c:\n    subscribe:\n      message:\n"
        "        payload: {$ref: '#/components/schemas/S0'}\ncomponents:\n  schemas:"
    ]
    for i in range(levels):
        lines.append(
            f"    S{i}:\n"
            f"      allOf: [{{$ref: '#/components/schemas/S{i + 1}'}}]\n"
            f"      oneOf:\n"
            f"        - {{$ref: '#/components/schemas/S{i + 1}'}}\n"
            f"        - {{type: object, required: [p{i}]}}"
        )
    lines.append(
        f"    S{levels}: {{type: object, properties: {{leaf: {{type: integer}}}}}}"
    )
    return "\n".join(lines) + "\n"


def test_exploding_expansion_is_refused_where_it_crosses_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "explode.yaml").write_text(doubling_schemas(60))
    monkeypatch.chdir(tmp_path)

    started = time.perf_counter()
    code, _, stderr = run_cli("explode.yaml", "-o", "out")
    elapsed = time.perf_counter() - started

    assert code == 1
    first = stderr.splitlines()[0]
    # k levels above the leaf check one value 3 * 2**k - 2 times: 16 levels pass 100000.
    # Schema S<i> starts on line 10 + 5 * i.
    assert first == (
        f"explode.yaml:{10 + 5 * 44}:5: error: schema expands to more than"
        f" {MAX_EXPANSION} checks of one value through allOf/anyOf/oneOf/not/if and"
        " references"
    )
    assert stderr.splitlines()[1] == "  at #/components/schemas/S44"
    assert elapsed < 10, f"took {elapsed:.1f} s"
    assert not (tmp_path / "out").exists()


def test_expansion_under_the_bound_gives_a_working_validator(
    generate: GenerateFn,
) -> None:
    package = generate(doubling_schemas(8))
    entry = next(iter(package.MESSAGES.values()))

    assert entry.validate({"leaf": 1}) == []
    assert entry.validate({"leaf": "x"}) != []


# Big files


def test_file_over_the_size_bound_is_refused_without_reading_it(tmp_path: Path) -> None:
    spec = tmp_path / "huge.yaml"
    with spec.open("wb") as stream:
        stream.truncate(MAX_FILE_BYTES + 1)

    with bounded(seconds=2, mebibytes=8):
        message = load_error(spec)

    assert f"file is larger than {MAX_FILE_BYTES // MiB} MiB" in message


def big_document(items: int) -> dict[str, Any]:
    payload = {"type": "object", "properties": {"id": {"type": "integer"}}}
    return {
        "asyncapi": "2.6.0",
        "info": {"title": "Big", "version": "1.0.0", "description": "d" * 100_000},
        "channels": {"c": {"subscribe": {"message": {"payload": payload}}}},
        "x-data": [
            {"id": i, "name": f"item {i}", "tags": ["a", "b"], "price": i * 1.5}
            for i in range(items)
        ],
    }


def test_50_mb_json_document_is_generated_in_bounded_time_and_memory(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "big.json"
    spec.write_text(json.dumps(big_document(720_000)))
    assert spec.stat().st_size > 50_000_000

    code, stderr, elapsed = run_capped(
        "big.json", "-o", "out", cwd=tmp_path, timeout=180
    )

    assert code == 0, stderr
    assert (tmp_path / "out" / "big" / "models.py").is_file()
    assert elapsed < 90, f"took {elapsed:.1f} s"


def test_50_mb_yaml_document_is_generated_in_bounded_time_and_memory(
    tmp_path: Path,
) -> None:
    # A long description: many megabytes, few values (a YAML file with millions of values
    # is bounded by MAX_NODES instead, and takes about a minute).
    line = "    " + "lorem ipsum dolor sit amet " * 3 + "\n"
    body = line * (50_000_000 // len(line) + 1)
    spec = tmp_path / "big.yaml"
    spec.write_text(
        "asyncapi: 2.6.0\ninfo:\n  title: Big\n  version: 1.0.0\n  description: |\n"
        + body
        + "channels:\n  c:\n    subscribe:\n      message:\n        payload: {type: string}\n"
    )
    assert spec.stat().st_size > 50_000_000

    code, stderr, elapsed = run_capped(
        "big.yaml", "-o", "out", cwd=tmp_path, timeout=180
    )

    assert code == 0, stderr
    assert elapsed < 90, f"took {elapsed:.1f} s"


def test_capped_run_really_is_capped(tmp_path: Path) -> None:
    # The cap is live: a run that needs more than ADDRESS_SPACE fails instead of passing.
    script = f"bytearray({ADDRESS_SPACE})"

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=cap,
        check=False,
    )

    assert done.returncode != 0
    assert "MemoryError" in done.stderr


def test_yaml_document_of_a_million_values_is_generated_in_bounded_time_and_memory(
    tmp_path: Path,
) -> None:
    # About 9 MB; 50 MB of such values takes about 30 s and 0.5 GB, bounded by MAX_NODES.
    items = "".join(
        f"- {{id: {i}, name: item {i}, tags: [a, b, c], price: {i}.5}}\n"
        for i in range(125_000)
    )
    spec = tmp_path / "values.yaml"
    spec.write_text(
        HEAD
        + "channels:\n  c:\n    subscribe:\n      message:\n        payload: {type: string}\n"
        + "x-data:\n"
        + items
    )

    code, stderr, elapsed = run_capped(
        "values.yaml", "-o", "out", "--no-format", cwd=tmp_path, timeout=180
    )

    assert code == 0, stderr
    assert elapsed < 60, f"took {elapsed:.1f} s"
