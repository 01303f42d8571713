"""The shared regression cases (../shared/cases): each case's payloads through its package.

Every `valid.json` entry decodes, validates and round-trips (with the decoded values its
`decoded` map names); every `invalid.json` entry is rejected by `validate` and by `decode`.
Each case is generated once per module. The router cases 25 and 27 are exercised through the
router in test_router_shared_cases.py; case 32's byte-identical output under other hash seeds
is checked in tests/golden/test_determinism.py.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import enum
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from asyncapi_gen import naming
from tests.conftest import run_cli

CASES = Path(__file__).resolve().parents[2] / ".." / "shared" / "cases"
ROUTER_CASES = ("25-router-channel-parameters", "27-router-message-oneof")
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def case_names() -> list[str]:
    if not CASES.is_dir():
        return []
    return sorted(p.name for p in CASES.iterdir() if (p / "spec.yaml").is_file())


def entries(kind: str) -> list[Any]:
    """(case, index) for every entry of every case's valid.json or invalid.json."""
    found = []
    for name in case_names():
        path = CASES / name / f"{kind}.json"
        if name in ROUTER_CASES or not path.is_file():
            continue
        count = len(json.loads(path.read_text(encoding="utf-8")))
        found.extend(pytest.param(name, i, id=f"{name}-{i}") for i in range(count))
    return found or [pytest.param("", 0, id="shared-cases-absent")]


def require_cases() -> None:
    if not CASES.is_dir():
        pytest.skip(f"{CASES} is absent: the shared cases live beside the repository")


class Packages:
    """Generates each case's package on first use, once per module."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.loaded: dict[str, ModuleType] = {}
        self.failed: dict[str, str] = {}

    def get(self, case: str) -> ModuleType:
        if case in self.failed:
            pytest.fail(self.failed[case])
        if case not in self.loaded:
            name = "case_" + case.split("-", 1)[0]
            out = self.folder / name
            code, stdout, stderr = run_cli(
                str(CASES / case / "spec.yaml"), "-o", str(out), "--package-name", name
            )
            if code != 0:
                self.failed[case] = f"generation failed ({code}):\n{stdout}{stderr}"
                pytest.fail(self.failed[case])
            sys.path.insert(0, str(out))
            self.loaded[case] = importlib.import_module(name)
            importlib.import_module(f"{name}.router")
        return self.loaded[case]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Packages]:
    store = Packages(tmp_path_factory.mktemp("cases"))
    yield store
    for package in store.loaded.values():
        sys.path.remove(str(Path(package.__file__ or "").parents[1]))


def load_entry(case: str, kind: str, index: int) -> dict[str, Any]:
    require_cases()
    items = json.loads((CASES / case / f"{kind}.json").read_text(encoding="utf-8"))
    return dict(items[index])


# Targets: a pointer into spec.yaml -> the package's entry (validate, decode, encode).


class HeadersEntry:
    """A message's headers model seen like a registry entry."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.validate = model.validate
        self.decode = model.from_dict

    def encode(self, value: Any) -> Any:
        return value.to_dict()


def entry_for(package: ModuleType, target: str, applies_to: list[str]) -> list[Any]:
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in target.split("/")[1:]]
    if tokens[:2] == ["components", "schemas"] and len(tokens) == 3:
        return [package.SCHEMAS[tokens[2]]]
    if tokens[:2] == ["components", "messages"] and tokens[3:] == ["payload"]:
        return [package.MESSAGES[tokens[2]]]
    if tokens[0] == "channels" and tokens[3:] == ["message", "payload"]:
        route = next(r for r in package.router.ROUTES if r.address == tokens[1])
        (message,) = route.messages
        return [package.MESSAGES[message.key]]
    if tokens[:2] == ["components", "messageTraits"] and tokens[3:] == ["headers"]:
        keys = [pointer.rsplit("/", 1)[1] for pointer in applies_to]
        return [HeadersEntry(headers_model(package, key)) for key in keys]
    raise AssertionError(f"no rule for target {target}")


def headers_model(package: ModuleType, key: str) -> Any:
    """The headers model of message `key`, from the uniform lookup."""
    headers = package.MESSAGES[key].headers
    assert headers is not None, f"message {key} has no headers entry"
    return headers.model


# Comparing wire values and decoded values


def same_wire(left: Any, right: Any) -> bool:
    """JSON equality, with date-time strings compared as instants."""
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            same_wire(left[k], right[k]) for k in left
        )
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same_wire, left, right))
    if isinstance(left, str) and isinstance(right, str) and _DATETIME.match(left):
        return dt.datetime.fromisoformat(left) == dt.datetime.fromisoformat(right)
    return (
        type(left) is type(right)
        and left == right
        or ({type(left), type(right)} == {int, float} and left == right)
    )


def attribute(value: Any, path: str) -> Any:
    """Step through decoded values by JSON property names: `a.b[0].c`."""
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        if index:
            value = value[int(index)]
        elif dataclasses.is_dataclass(value):
            value = getattr(value, naming.field_name(name))
        else:
            value = value[name]
    return value


def plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def check_decoded(package: ModuleType, value: Any, path: str, expected: str) -> None:
    conditional = path.endswith(" (if defaults applied)")
    path = path.removesuffix(" (if defaults applied)")
    actual = value if path == "$" else attribute(value, path)
    if conditional and actual is None:
        return
    text = re.sub(r" \(\d+ characters\)$", "", expected)
    call = ast.parse(text, mode="eval").body
    if path == "$":
        assert type(actual).__name__ == text
    elif isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
        if call.func.id == "datetime":
            wanted = eval(text, {"datetime": dt.datetime, "timezone": dt.timezone})
            assert actual == wanted and actual.utcoffset() == wanted.utcoffset()
        else:
            # `Model(wireName='x')`: an instance of that model holding those wire values.
            assert type(actual).__name__ == call.func.id
            wire = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
            assert actual.to_dict() == wire
    else:
        assert plain(actual) == ast.literal_eval(text)


# The tests


@pytest.mark.parametrize(("case", "index"), entries("valid"))
def test_valid_payload_decodes_and_round_trips(
    packages: Packages, case: str, index: int
) -> None:
    item = load_entry(case, "valid", index)
    package = packages.get(case)

    for entry in entry_for(package, item["target"], item.get("applies_to", [])):
        assert entry.validate(item["payload"]) == []
        value = entry.decode(item["payload"])
        wire = entry.encode(value)
        assert same_wire(wire, item.get("roundtrip", item["payload"])), wire
        assert same_wire(entry.encode(entry.decode(wire)), wire)
        for path, expected in item.get("decoded", {}).items():
            check_decoded(package, value, path, expected)


@pytest.mark.parametrize(("case", "index"), entries("invalid"))
def test_invalid_payload_is_rejected(packages: Packages, case: str, index: int) -> None:
    item = load_entry(case, "invalid", index)
    package = packages.get(case)

    for entry in entry_for(package, item["target"], item.get("applies_to", [])):
        errors = entry.validate(item["payload"])
        assert errors != [], item["why"]
        assert all(e.path == "" or e.path.startswith("/") for e in errors)
        with pytest.raises(package.DecodeError):
            entry.decode(item["payload"])


# What each case asks beyond its payloads


def required_fields(model: Any) -> set[str]:
    return {
        f.name
        for f in dataclasses.fields(model)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }


def field_names(model: Any) -> set[str]:
    return {f.name for f in dataclasses.fields(model)} - {"additional_properties"}


def test_case01_outer_required_applies_to_inherited_fields(packages: Packages) -> None:
    require_cases()
    pkg = packages.get("01-allof-outer-required")

    assert required_fields(pkg.CreateItemRequest) == {"label", "kind"}
    assert required_fields(pkg.UpdateItemRequest) == set()
    assert required_fields(pkg.ItemBase) == set()
    with pytest.raises(pkg.DecodeError, match="kind"):
        pkg.CreateItemRequest.from_dict({"label": "lamp"})
    item = pkg.CreateItemRequest.from_dict({"label": "lamp", "kind": "gadget"})
    assert isinstance(item.kind, enum.Enum) and item.kind.value == "gadget"


def test_case03_every_branch_of_a_three_way_allof(packages: Packages) -> None:
    require_cases()
    pkg = packages.get("03-allof-three-way-refs")

    assert required_fields(pkg.ContentPublishedPayload) == {
        "occurred_at",
        "data",
        "event_id",
    }
    for base in ("EventHeader", "EventContext", "ContentRef"):
        assert dataclasses.is_dataclass(getattr(pkg, base))
    errors = pkg.ContentPublishedPayload.validate(
        {"occurredAt": "2024-04-05T10:00:00Z", "data": {}, "eventId": "e"}
    )
    assert [e.path for e in errors] == ["/data"]


def test_case04_base_unchanged_and_order_free(
    packages: Packages, tmp_path: Path
) -> None:
    require_cases()
    pkg = packages.get("04-allof-base-not-polluted")
    spec = (CASES / "04-allof-base-not-polluted" / "spec.yaml").read_text("utf-8")
    cat, dog = spec.index("    Cat:"), spec.index("    Dog:")
    swapped = spec[:cat] + spec[dog:] + spec[cat:dog]
    (tmp_path / "swapped").mkdir()
    (tmp_path / "swapped" / "spec.yaml").write_text(swapped, encoding="utf-8")

    assert field_names(pkg.Animal) == {"name"}
    assert field_names(pkg.Cat) == {"name", "lives_left"} == required_fields(pkg.Cat)
    assert field_names(pkg.Dog) == {"name", "good_boy"}
    assert required_fields(pkg.Dog) == {"name"}
    first = generated_text(CASES / "04-allof-base-not-polluted" / "spec.yaml", tmp_path)
    second = generated_text(tmp_path / "swapped" / "spec.yaml", tmp_path / "swapped")
    assert first == second


def generated_text(spec: Path, folder: Path) -> str:
    out = folder / f"out_{spec.stem}"
    code, stdout, stderr = run_cli(
        str(spec), "-o", str(out), "--package-name", "same", "--force"
    )
    assert code == 0, stdout + stderr
    text = (out / "same" / "models.py").read_text(encoding="utf-8")
    return text.split("\n", 1)[1]  # below the header, which names the input file


def test_case05_relative_refs_follow_the_file_that_holds_them(
    packages: Packages, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_cases()
    case = CASES / "05-ref-relative-to-document"
    pkg = packages.get("05-ref-relative-to-document")
    copy = tmp_path / "elsewhere"
    shutil.copytree(case, copy)
    monkeypatch.chdir(tmp_path)

    from_copy = generated_text(Path("elsewhere") / "spec.yaml", tmp_path)
    monkeypatch.chdir(case)
    from_case = generated_text(Path("spec.yaml"), tmp_path)
    (copy / "parts" / "schemas.yaml").unlink()
    code, _, stderr = run_cli(str(copy / "spec.yaml"), "-o", str(tmp_path / "bad"))

    assert from_copy == from_case
    assert pkg.MeasurementEnvelope.validate(
        {"reading": {"lux": "310", "sentAt": "2024-01-01T00:00:00Z"}}
    )
    assert code == 1
    assert "messages.yaml" in stderr and "'schemas.yaml#/Measurement'" in stderr
    # The file tried is named relative to the working folder.
    assert os.path.relpath((copy / "parts" / "schemas.yaml").resolve()) in stderr


def test_case07_escaped_pointer_names_are_fields(packages: Packages) -> None:
    require_cases()
    pkg = packages.get("07-ref-pointer-tilde-escapes")
    hints = typing.get_type_hints(pkg.PointerProbe)

    assert len(field_names(pkg.Keys)) == 2
    assert all(name.isidentifier() for name in field_names(pkg.Keys))
    assert [hints[n] for n in sorted(field_names(pkg.PointerProbe))] == [
        float | None,
        str | None,
        int | None,
        float | None,
    ]


def test_case09_recursive_models_refer_to_themselves(packages: Packages) -> None:
    require_cases()
    pkg = packages.get("09-recursion-self-and-json-value")
    hints = typing.get_type_hints(pkg.Comment)

    assert hints["replies"] == list[pkg.Comment] | None
    assert hints["parent"] == pkg.Comment | None
    assert not [name for name in dir(pkg) if name.startswith("Comment2")]


def test_case11_reserved_names_import_under_warnings_as_errors(
    packages: Packages,
) -> None:
    require_cases()
    pkg = packages.get("11-naming-reserved-schema-and-enum-names")
    out = Path(pkg.__file__ or "").parents[1]

    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", f"import {pkg.__name__}.router"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert len(list(pkg.Mode)) == 10 and pkg.Mode("mro").value == "mro"
    assert {m.value for m in pkg.Mode} >= {"None", "True", "_missing_", "__init__", ""}
    names = [pkg.SCHEMAS[k].model.__name__ for k in ("None", "True", "false")]
    assert len(set(names)) == 3 and all(n.isidentifier() for n in names)
    assert pkg.SCHEMAS["Enum"].model is not enum.Enum


def test_case13_sanitised_names_keep_wire_names(packages: Packages) -> None:
    require_cases()
    pkg = packages.get("13-naming-digits-and-special-chars")
    names = field_names(pkg.QuarterlyReport)

    assert all(n.isidentifier() for n in names) and len(names) == 12
    assert pkg.SCHEMAS["3DPoint"].model.__name__.isidentifier()


def test_case15_methods_survive_fields_named_like_them(packages: Packages) -> None:
    require_cases()
    pkg = packages.get("15-naming-method-name-collisions")
    value = {"from_dict": "a", "to_dict": "b"}

    record = pkg.Record.from_dict(value)

    assert record.to_dict() == value and record.from_dict_ == "a"
    assert pkg.Record.from_dict(record.to_dict()) == record
    assert callable(pkg.Record.validate) and callable(pkg.Record.from_json)


def test_case17_texts_and_literals_survive(packages: Packages) -> None:
    require_cases()
    pkg = packages.get("17-escaping-descriptions-and-literals")

    assert "\\N{BULLET}" in (pkg.Note.__doc__ or "")
    assert '"""Triple double"""' in (pkg.Note.__doc__ or "")
    assert pkg.Note(label="x").path == "C:\\temp\\new"
    tone = typing.get_type_hints(pkg.Note)["tone"].__args__[0]
    assert [m.value for m in tone] == ["it's", 'say "hi"', "back\\slash", '"""', "{x}"]


def test_case18_yaml_1_1_booleans_stay_strings(packages: Packages) -> None:
    require_cases()
    pkg = packages.get("18-yaml11-norway-booleans")
    model = pkg.MESSAGES["SwitchCommand"].model
    hints = typing.get_type_hints(model)

    states = hints["state"]
    states = states.__args__[0] if typing.get_origin(states) else states
    assert [m.value for m in states] == ["on", "off", "yes", "no", "Y", "N"]
    assert hints["on"] == bool | None
    assert model(state=states("no"), country=None).default == "off"


def test_case20_duplicate_keys_are_refused(tmp_path: Path) -> None:
    require_cases()
    case = CASES / "20-yaml-duplicate-keys"
    lines = (case / "spec.yaml").read_text(encoding="utf-8").splitlines(True)
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text("".join(lines[:21] + lines[23:]), encoding="utf-8")

    yaml_run = run_cli(str(case / "spec.yaml"), "-o", str(tmp_path / "a"))
    json_run = run_cli(str(case / "spec-dup.json"), "-o", str(tmp_path / "b"))
    fixed_run = run_cli(str(fixed), "-o", str(tmp_path / "c"), "--package-name", "c")

    assert yaml_run[0] == 1 and "spec.yaml:22:" in yaml_run[2]
    assert "duplicate key 'total' (first at line 18)" in yaml_run[2]
    assert json_run[0] == 1 and "spec-dup.json:17:" in json_run[2]
    assert "duplicate key 'total'" in json_run[2] and "line 15" in json_run[2]
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    assert fixed_run[0] == 0, fixed_run[2]


def test_case28_payload_oneof_stays_a_union(packages: Packages) -> None:
    require_cases()
    pkg = packages.get("28-oneof-payload-union")
    probe = pkg.MESSAGES["Probe"]

    assert typing.get_args(probe.model) == (pkg.TextProbe, pkg.NumericProbe)
    assert field_names(pkg.TextProbe) == {"str1", "str2"}


def test_case30_traits_reach_unreferenced_messages(packages: Packages) -> None:
    require_cases()
    pkg = packages.get("30-traits-on-unreferenced-message")

    for key in ("LightMeasured", "TurnOff"):
        model = headers_model(pkg, key)
        assert required_fields(model) == {"x_correlation_id"}
        assert model.from_dict({"x-correlation-id": "a"}).to_dict() == {
            "x-correlation-id": "a"
        }


def test_case32_inline_shapes_named_by_document_order(packages: Packages) -> None:
    require_cases()
    pkg = packages.get("32-determinism-stable-output")
    zeta = typing.get_type_hints(pkg.MESSAGES["ZetaChanged"].model)
    alpha = typing.get_type_hints(pkg.MESSAGES["AlphaChanged"].model)

    zeta_where, alpha_where = (
        typing.get_args(zeta["where"])[0],
        typing.get_args(alpha["where"])[0],
    )
    assert zeta_where is not alpha_where
    assert zeta_where.__name__.startswith("ZetaChanged")
    assert alpha_where.__name__.startswith("AlphaChanged")
