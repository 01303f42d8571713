"""Nothing from the document runs: hostile strings everywhere still give a package that imports.

A property test builds documents whose titles, descriptions, names, enum values, defaults,
examples, patterns, channel addresses and server urls are made of quotes, triple quotes,
backslashes, line breaks, NUL, template syntax, keywords, odd unicode and code that would
fire a canary if it ever ran. Each document is generated, compiled, imported and used; the
canary must stay silent. The example count is bounded so it runs with the normal tests.
"""

from __future__ import annotations

import ast
import builtins
import compileall
import dataclasses
import importlib
import itertools
import json
import re
import subprocess
import sys
from itertools import count
from pathlib import Path
from typing import Any
from unicodedata import normalize

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from asyncapi_gen.emit import docstring, literal
from tests.conftest import run_cli

# Code that marks the canary if it is ever evaluated, as an expression or a statement.
CANARY = "ASYNCAPI_GEN_CANARY"
FIRE = f"__import__('builtins').__dict__.__setitem__('{CANARY}', 1)"

FRAGMENTS = [
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    "\\n",
    "\\x00",
    "\\u0041",
    "\\N{BULLET}",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\x00",
    "\x0b\x0c",
    "\x1b[31m",
    "\u2028\u2029",
    "\u0085",
    "\ufeff",
    "\ud800",
    "é",
    "e\u0301",
    "ß",
    "İ",
    "𝔘𝔫𝔦",
    "😀",
    "ﬁ",
    "{{ ",
    " }}",
    "{% raw %}",
    "{% endraw %}",
    "{#",
    "#}",
    "{{ self.__init__.__globals__ }}",
    "{0}",
    "%s",
    "${x}",
    "#",
    "*/",
    "-->",
    "</script>",
    "`",
    "|",
    "[link](javascript:x)",
    " ",
    "",
    "class",
    "def",
    "import",
    "None",
    "True",
    "lambda",
    "async",
    "await",
    "match",
    "_",
    "__init__",
    "__class__",
    "self",
    "cls",
    "9",
    "-",
    ".",
    "/",
    "~",
    f"__import__('os').system('{FIRE}')",
    f"{FIRE}",
    f"'); {FIRE}; ('",
    f'"); {FIRE}; ("',
    f'"""; {FIRE}; """',
    f"'''\n{FIRE}\n'''",
    f"\\\n{FIRE}",
    f"\n{FIRE}\n",
    f"{{{{ {FIRE} }}}}",
    f"{{% set x = {FIRE} %}}",
]


def continues_only(char: str) -> bool:
    """True when the NFKC form of `char` has a character that may continue an identifier
    but not start one and is no digit: a combining mark (U+00A8 gives ' \u0308'), U+00B7.
    """
    return any(
        f"a{c}".isidentifier() and not c.isidentifier() and not c.isdigit()
        for c in normalize("NFKC", char)
    )


# Random text leaves such characters out: a name that starts with one is a known failure,
# pinned by its own test below. FRAGMENTS has a combining mark after a letter.
_characters = st.characters(exclude_categories=("Cs",)).filter(
    lambda char: not continues_only(char)
)
hostile = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(_characters, max_size=3)),
    min_size=1,
    max_size=6,
).map("".join)
# Names must not be empty; everything else may be.
hostile_name = hostile.filter(lambda text: text.strip() != "")


_KNOWN_FORMATS = {"date-time", "date", "time", "email", "uri", "uuid", "ipv4", "ipv6"}


def ecma_escape(text: str) -> str:
    """A pattern that matches `text` literally in ECMA-262 (Python's re.escape is not)."""
    return re.sub(r"([\\^$.|?*+()\[\]{}/])", r"\\\1", text)


def address(text: str) -> str:
    # Braces in a channel address or server url name parameters or variables, which a
    # valid document must declare; they are kept, doubled into literal text, elsewhere.
    return text.replace("{", "(").replace("}", ")")


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    text = draw(hostile)
    names = draw(st.lists(hostile_name, min_size=2, max_size=3, unique=True))
    literal = draw(hostile)
    values = draw(st.lists(hostile, min_size=1, max_size=4, unique=True))
    properties: dict[str, Any] = {
        names[0]: {
            "type": "string",
            "description": draw(hostile),
            "title": draw(hostile),
            "enum": values,
            "default": values[0],
            "examples": [values[-1]],
        },
        names[1]: {
            "type": "string",
            "pattern": ecma_escape(literal),
            "default": draw(hostile),
            "format": draw(hostile.filter(lambda f: f not in _KNOWN_FORMATS)),
        },
    }
    if len(names) > 2:
        properties[names[2]] = {
            "type": "object",
            "title": draw(hostile),
            "properties": {draw(hostile_name): {"type": "integer", "default": 3}},
            "additionalProperties": {"type": "string", "const": draw(hostile)},
        }
    payload = {
        "type": "object",
        "title": draw(hostile),
        "description": draw(hostile),
        "properties": properties,
        "required": [names[0]],
        "examples": [{names[0]: values[0], names[1]: f"{draw(hostile)}{literal}"}],
    }
    # A parameter level at the end, so routing fills in a value the address does not hold.
    channel = address(draw(hostile_name)) + "/{id}"
    return {
        "asyncapi": "2.6.0",
        "info": {
            "title": draw(hostile_name),
            "version": draw(hostile_name),
            "description": text,
            "contact": {"name": draw(hostile), "url": "https://example.com"},
            "license": {"name": draw(hostile_name)},
        },
        "servers": {
            "production": {
                "url": address(draw(hostile_name)),
                "protocol": draw(st.sampled_from(["ws", "kafka", "https"])),
                "description": draw(hostile),
            }
        },
        "channels": {
            channel: {
                "description": draw(hostile),
                "parameters": {
                    "id": {"description": draw(hostile), "schema": {"type": "string"}}
                },
                "subscribe": {
                    "operationId": draw(hostile_name),
                    "summary": draw(hostile),
                    "description": draw(hostile),
                    "message": {
                        "name": draw(hostile_name),
                        "title": draw(hostile),
                        "summary": draw(hostile),
                        "contentType": "application/json",
                        "payload": payload,
                        "examples": [
                            {"name": draw(hostile), "payload": payload["examples"][0]}
                        ],
                    },
                },
            },
            address(draw(hostile_name))
            + "/other": {
                "publish": {"message": {"payload": {"type": "string", "enum": values}}}
            },
        },
        "components": {
            "schemas": {
                "Named": {"title": draw(hostile), "type": "string", "enum": values}
            }
        },
    }


_count = count()


@pytest.fixture(autouse=True)
def canary_is_silent() -> Any:
    yield
    assert not hasattr(builtins, CANARY), "a string from the document ran as code"


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    # Shrinking a failure could take minutes; the failing document is shown as found.
    phases=[Phase.explicit, Phase.generate],
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=documents())
def test_hostile_strings_reach_the_package_only_as_data(
    document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("hostile")
    spec = folder / "asyncapi.json"
    spec.write_text(json.dumps(document, ensure_ascii=True), encoding="utf-8")
    package = f"hostile_{next(_count)}"
    out = folder / "out"

    code, _, stderr = run_cli(str(spec), "-o", str(out), "--package-name", package)

    assert code == 0, stderr
    assert compileall.compile_dir(out, quiet=2, force=True)
    use_package(out, package, document)
    assert not hasattr(builtins, CANARY), "a string from the document ran as code"


def use_package(out: Path, package: str, document: dict[str, Any]) -> None:
    """Import the package, validate and decode the document's own example, route it."""
    sys.path.insert(0, str(out))
    try:
        module = importlib.import_module(package)
        message = next(iter(module.MESSAGES.values()))
        example = document["channels"]
        payload = next(iter(example.values()))["subscribe"]["message"]["examples"][0]
        for entry in module.MESSAGES.values():
            for value in (payload["payload"], {}, [], "x"):
                entry.validate(value)
        assert message.validate(payload["payload"]) == []
        decoded = message.decode(payload["payload"])
        assert message.encode(decoded) == payload["payload"]
        for entry in module.SCHEMAS.values():
            entry.validate(payload["payload"])
        route(module, document, payload["payload"])
    finally:
        sys.path.remove(str(out))
        for name in [
            n for n in sys.modules if n == package or n.startswith(f"{package}.")
        ]:
            del sys.modules[name]


def route(module: Any, document: dict[str, Any], payload: Any) -> None:
    """Dispatch the example to the channel with a value for its parameter; it is handled."""
    address, channel = next(iter(document["channels"].items()))
    operation = module.Router.OPERATIONS[0]
    received: list[tuple[Any, Any]] = []
    router = module.Router()
    router.on(operation, lambda model, context: received.append((model, context)))

    result = router.dispatch_sync(address.replace("{id}", "p1"), json.dumps(payload))

    assert result.outcome is module.Outcome.HANDLED, result
    ((model, context),) = received
    assert model.to_dict() == payload
    assert dataclasses.astuple(context.params) == ("p1",)


def test_canary_fires_when_its_code_runs() -> None:
    # The canary is live: evaluating the fragment sets it (and the fixture would fail).
    try:
        eval(FIRE)
        assert hasattr(builtins, CANARY)
    finally:
        builtins.__dict__.pop(CANARY, None)


def test_generated_readme_and_pyproject_keep_hostile_title_as_text(
    tmp_path: Path,
) -> None:
    title = f'"""\n[tool.x]\n{FIRE}\n{{{{ 1 }}}}'
    document = {
        "asyncapi": "2.6.0",
        "info": {"title": title, "version": "1.0.0", "description": title},
        "channels": {},
    }
    spec = tmp_path / "asyncapi.json"
    spec.write_text(json.dumps(document), encoding="utf-8")

    code, _, stderr = run_cli(str(spec), "-o", str(tmp_path / "out"))

    assert code == 0, stderr
    pyproject = next((tmp_path / "out").glob("pyproject.toml")).read_text()
    assert "[tool.x]" not in pyproject.splitlines()
    assert (
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"import tomllib; tomllib.load(open({str(tmp_path / 'out' / 'pyproject.toml')!r}, 'rb'))",
            ],
            check=False,
        ).returncode
        == 0
    )


@pytest.mark.parametrize("name", ["\u00a8", "\u00b7x", "\u203fx"])
def test_property_named_by_a_continuing_character_gives_an_identifier(
    name: str, tmp_path: Path
) -> None:
    payload = {"type": "object", "properties": {name: {"type": "string"}}}
    document = {
        "asyncapi": "2.6.0",
        "info": {"title": "Shop", "version": "1.0.0"},
        "channels": {"c": {"subscribe": {"message": {"payload": payload}}}},
    }
    spec = tmp_path / "asyncapi.json"
    spec.write_text(json.dumps(document), encoding="utf-8")

    code, _, stderr = run_cli(str(spec), "-o", str(tmp_path / "out"))

    assert code == 0, stderr
    assert compileall.compile_dir(tmp_path / "out", quiet=2, force=True)


# The escaping filters, over every short text of the characters that matter.

_TRICKY = ['"', "'", "\\", "a", "\n", "\r", "\x00", "\ud800"]
_SHORT_TEXTS = [
    "".join(chars)
    for size in range(1, 5)
    for chars in itertools.product(_TRICKY, repeat=size)
]


def test_docstring_filter_gives_a_closed_docstring_with_the_text() -> None:
    for text in _SHORT_TEXTS:
        source = docstring(text)
        namespace: dict[str, Any] = {}
        exec(f"class Model:\n    {source}\n", namespace)
        expected = text.strip().replace("\ud800", "\\ud800")
        assert namespace["Model"].__doc__ == expected, text


def test_literal_filter_gives_the_value_and_is_safe_inside_a_docstring() -> None:
    for text in _SHORT_TEXTS:
        source = literal(text)
        assert ast.literal_eval(source) == text
        ast.parse(f'"""Channel router of {source}."""')
