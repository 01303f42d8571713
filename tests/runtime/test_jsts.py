"""JSON Schema Test Suite (draft-07) against the generated validators.

Each group's schema is written to a file of its own and referenced from a small AsyncAPI 2.6
document, so `#` and `$id` keep their meaning; remote references under
http://localhost:1234/ read ../shared/jsts/remotes through the reference map.
"""

from __future__ import annotations

import importlib
import json
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from asyncapi_gen.validators.testing import (
    CASE_DOCUMENT,
    compile_case,
    import_module,
    write_package,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
JSTS = SHARED / "jsts"
# The draft-07 meta-schema, which definitions.json references, ships inside the AsyncAPI schema.
META_SOURCE = SHARED / "asyncapi-schemas" / "2.6.0.json"
META = "http://json-schema.org/draft-07/"
SUITE = JSTS / "tests" / "draft7"
REMOTE = "http://localhost:1234/"
# The formats the generator checks; their optional cases are held to the same bar as required ones.
CHECKED_FORMATS = (
    "date-time date email hostname idn-email idn-hostname ipv4 ipv6 iri iri-reference "
    "json-pointer regex relative-json-pointer time uri uri-reference uri-template unknown "
    "ecmascript-regex"
).split()

# (file, group description, case description) -> why the generated validator disagrees.
KNOWN_EXCEPTIONS: dict[tuple[str, str, str], str] = {}
# Groups whose schema the generator cannot honour, with the reason (see docs/validators.md).
KNOWN_UNCHECKED: dict[tuple[str, str], str] = {
    (
        "optional/cross-draft.json",
        "refs to future drafts are processed as future drafts",
    ): "its remote draft2019-09/dependentRequired.json is not in ../shared/jsts/remotes",
}


@dataclass
class Group:
    file: str
    index: int
    description: str
    schema: Any
    tests: list[dict[str, Any]]
    module: types.ModuleType | None = None
    diagnostics: list[str] = field(default_factory=list)


def _suite_files() -> list[str]:
    if not SUITE.is_dir():
        return []
    names = [p.name for p in sorted(SUITE.glob("*.json"))]
    names += [f"optional/{p.name}" for p in sorted((SUITE / "optional").glob("*.json"))]
    names += [
        f"optional/format/{name}.json"
        for name in CHECKED_FORMATS
        if (SUITE / "optional" / "format" / f"{name}.json").is_file()
    ]
    return names


def _groups() -> list[Group]:
    groups = []
    for name in _suite_files():
        for index, raw in enumerate(json.loads((SUITE / name).read_text("utf-8"))):
            groups.append(
                Group(name, index, raw["description"], raw["schema"], raw["tests"])
            )
    return groups


def _write_meta_schema(folder: Path) -> Path:
    definitions = json.loads(META_SOURCE.read_text("utf-8"))["definitions"]
    meta = folder / "meta"
    meta.mkdir()
    # Inside the AsyncAPI schema its own references are rewritten; point them back at its root.
    text = json.dumps(definitions["json-schema-draft-07-schema"])
    text = text.replace('"#/definitions/json-schema-draft-07-schema', '"#')
    (meta / "schema").write_text(text, encoding="utf-8")
    return meta


def _compile_group(group: Group, folder: Path, package: Path, meta: Path) -> None:
    ref_map = ((REMOTE, JSTS / "remotes"), (META, meta))
    text, sink = compile_case(folder / _module_name(group), group.schema, ref_map)
    group.diagnostics = [d.render() for d in sink.items]
    (package / f"{_module_name(group)}.py").write_text(text, encoding="utf-8")


def _module_name(group: Group) -> str:
    stem = group.file.removesuffix(".json").replace("/", "_").replace("-", "_")
    return f"case_{stem}_{group.index}"


@pytest.fixture(scope="session")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], Group]:
    if not SUITE.is_dir():
        pytest.skip(f"JSON Schema Test Suite not found at {JSTS} (../shared/jsts)")
    folder = tmp_path_factory.mktemp("jsts")
    package = write_package(folder, "jsts_cases", {})
    groups = _groups()
    meta = _write_meta_schema(folder)
    for group in groups:
        _compile_group(group, folder / "schemas", package, meta)
    for group in groups:
        group.module = import_module(folder, "jsts_cases", _module_name(group))
    return {(g.file, g.index): g for g in groups}


def _disagreements(group: Group) -> list[tuple[str, Any, bool]]:
    module = group.module
    assert module is not None
    wrong = []
    for test in group.tests:
        errors = module.validate_case(test["data"])
        valid = module.is_valid_case(test["data"])
        assert valid == (
            errors == []
        ), f"fast and error paths disagree on {test['data']!r}"
        if valid != test["valid"]:
            wrong.append((test["description"], test["data"], test["valid"]))
    return wrong


PARAMS = [pytest.param((g.file, g.index), id=f"{g.file}:{g.index}") for g in _groups()]


@pytest.mark.parametrize("key", PARAMS)
def test_group(compiled: dict[tuple[str, int], Group], key: tuple[str, int]) -> None:
    group = compiled[key]
    reason = KNOWN_UNCHECKED.get((group.file, group.description))
    if reason is not None:
        assert group.diagnostics, "expected a diagnostic for an untranslatable pattern"
        pytest.xfail(reason)
    errors = [d for d in group.diagnostics if ": error:" in d]
    assert not errors, "\n".join(errors)
    wrong = _disagreements(group)
    pinned = {
        (f, g, c): r
        for (f, g, c), r in KNOWN_EXCEPTIONS.items()
        if (f, g) == (group.file, group.description)
    }
    unexpected = [
        w for w in wrong if (group.file, group.description, w[0]) not in pinned
    ]
    assert not unexpected, f"{group.description}: " + "; ".join(
        f"{d} ({data!r} should be {'valid' if v else 'invalid'})"
        for d, data, v in unexpected
    )
    still = {w[0] for w in wrong}
    fixed = [c for (_, _, c) in pinned if c not in still]
    assert not fixed, f"pinned exceptions now pass, remove them: {fixed}"


def test_pass_count(
    compiled: dict[tuple[str, int], Group], capsys: pytest.CaptureFixture[str]
) -> None:
    """Count agreeing cases, required and optional, and print the totals."""
    totals = {"required": [0, 0], "optional": [0, 0]}
    for group in compiled.values():
        kind = "optional" if group.file.startswith("optional/") else "required"
        cases = len(group.tests)
        wrong = len(_disagreements(group)) if group.module else cases
        totals[kind][0] += cases - wrong
        totals[kind][1] += cases
    with capsys.disabled():
        for kind, (good, total) in totals.items():
            print(
                f"\nJSON Schema Test Suite draft-07 {kind}: {good}/{total} cases pass"
            )
    assert totals["required"][0] == totals["required"][1]


# A few groups through the whole generator (CLI, every stage, black, package import).
WHOLE_PACKAGE_GROUPS = [
    ("ref.json", "root pointer ref"),
    ("ref.json", "Recursive references between schemas"),
    ("refRemote.json", "base URI change - change folder in subschema"),
    ("uniqueItems.json", "uniqueItems validation"),
    ("oneOf.json", "oneOf with required"),
    ("if-then-else.json", "validate against correct branch, then vs else"),
    (
        "patternProperties.json",
        "regexes are not anchored by default and are case sensitive",
    ),
    ("optional/format/date-time.json", "validation of date-time strings"),
]


@pytest.mark.parametrize(("file", "description"), WHOLE_PACKAGE_GROUPS)
def test_group_through_whole_package(
    generate: Any, tmp_path: Path, file: str, description: str
) -> None:
    if not SUITE.is_dir():
        pytest.skip(f"JSON Schema Test Suite not found at {JSTS} (../shared/jsts)")
    [raw] = [
        g
        for g in json.loads((SUITE / file).read_text("utf-8"))
        if g["description"] == description
    ]
    (tmp_path / "case.json").write_text(json.dumps(raw["schema"]), encoding="utf-8")
    (tmp_path / "asyncapi.yaml").write_text(CASE_DOCUMENT, encoding="utf-8")

    package = generate(
        tmp_path / "asyncapi.yaml", "--ref-map", f"{REMOTE}={JSTS / 'remotes'}"
    )
    entry = importlib.import_module(f"{package.__name__}.registry").SCHEMAS["Case"]

    wrong = [
        t["description"]
        for t in raw["tests"]
        if (entry.validate(t["data"]) == []) != t["valid"]
    ]
    assert not wrong
