"""Emit stage: IR -> {relative path: source text}, by rendering templates; no file I/O.

Type annotations, conversion expressions and escaped literals are made here, in Python; the
templates only loop and branch.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from pathlib import Path
from typing import Any

import jinja2

from . import samples
from .cache import cache_dir
from .errors import TemplateError
from .ir import Api, Field, Kind, Model, TypeRef

logger = logging.getLogger(__name__)

FORMAT_VERSION = "1"  # bump when generated output changes for the same input


def template_dir() -> Path:
    """Where the templates are: inside the installed package, else beside it in a checkout."""
    here = Path(__file__).resolve().parent
    shipped = here / "templates"
    return shipped if shipped.is_dir() else here.parent / "templates"


@functools.cache
def make_environment() -> jinja2.Environment:
    """The one jinja environment: strict, whitespace-exact, no HTML escaping.

    Made once per process; compiled templates are kept in the user's cache between runs
    (jinja checks each against its source, so an edited template is compiled again).
    """
    folder = cache_dir(f"templates-{jinja2.__version__}")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(folder)) if folder else None,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    environment.filters.update(
        annotation=annotation,
        field_annotation=field_annotation,
        decode=decode,
        decode_typed=decode_typed,
        enum_lookup=enum_lookup,
        encode=encode,
        literal=literal,
        docstring=docstring,
        param_parser=param_parser,
        model_keys=model_keys,
        toml=toml_string,
        markdown_code=markdown_code,
        markdown_text=markdown_text,
    )
    environment.globals.update(Kind=Kind, field_decode=field_decode)
    return environment


# Types and conversions


def annotation(ref: TypeRef, models: str = "") -> str:
    """The Python annotation for a type; `models` prefixes class names from another module."""
    kind = ref.kind
    if kind in (Kind.MODEL, Kind.ENUM):
        return f"{models}{ref.name}"
    if kind is Kind.LIST:
        return f"list[{annotation(ref.args[0], models)}]"
    if kind is Kind.DICT:
        return f"dict[str, {annotation(ref.args[0], models)}]"
    if kind is Kind.UNION:
        return " | ".join(annotation(a, models) for a in ref.args)
    if kind is Kind.LITERAL:
        return f"_t.Literal[{ref.literal}]"
    return _LEAF_ANNOTATIONS[kind]


_LEAF_ANNOTATIONS = {
    Kind.STR: "str",
    Kind.INT: "int",
    Kind.FLOAT: "float",
    Kind.BOOL: "bool",
    Kind.NONE: "None",
    Kind.JSON: "_rt.JsonValue",
    Kind.DATETIME: "_dt.datetime",
    Kind.DATE: "_dt.date",
}


def field_annotation(item: Field) -> str:
    """A field's annotation with its default: absent optional fields are None or UNSET."""
    base = annotation(item.type)
    if item.required:
        return base
    if item.nullable:
        return f"{base} | _rt.Unset = _rt.UNSET"
    default = item.default or "None"
    return f"{base} | None = {default}"


def _is_identity(ref: TypeRef) -> bool:
    if ref.kind in (Kind.LIST, Kind.DICT):
        return _is_identity(ref.args[0])
    return ref.kind in (
        Kind.STR,
        Kind.INT,
        Kind.FLOAT,
        Kind.BOOL,
        Kind.NONE,
        Kind.JSON,
        Kind.LITERAL,
    )


def decode(ref: TypeRef, value: str, depth: int = 0, models: str = "") -> str:
    """An expression turning the valid wire value `value` into the Python value."""
    if _is_identity(ref):
        return value
    kind = ref.kind
    item = f"v{depth}"
    if kind is Kind.DATETIME:
        return f"_rt.parse_datetime({value})"
    if kind is Kind.DATE:
        return f"_rt.parse_date({value})"
    if kind is Kind.MODEL:
        return f"{models}{ref.name}._from_valid({value})"
    if kind is Kind.ENUM:
        # A dict lookup is several times cheaper than calling the Enum class.
        return f"{models}{enum_lookup(ref.name)}[{value}]"
    if kind is Kind.LIST:
        inner = decode(ref.args[0], item, depth + 1, models)
        return f"[{inner} for {item} in {value}]"
    if kind is Kind.DICT:
        inner = decode(ref.args[0], item, depth + 1, models)
        return f"{{k{depth}: {inner} for k{depth}, {item} in {value}.items()}}"
    if kind is Kind.UNION and _is_optional(ref):
        inner = decode(ref.args[0], item, depth + 1, models)
        return f"(None if ({item} := {value}) is None else {inner})"
    return f"{models}_decode_{ref.name}({value})"


def enum_lookup(name: str) -> str:
    """The module-level map from wire value to member of an enum class."""
    return f"_{name}_by_value"


def decode_typed(ref: TypeRef, value: str) -> str:
    """`decode`, cast to the type where the value passes through as it is (it is `Any`)."""
    if _is_identity(ref):
        return f"_t.cast({annotation(ref)!r}, {value})"
    return decode(ref, value)


def encode(ref: TypeRef, value: str, depth: int = 0) -> str:
    """An expression turning the Python value `value` back into its wire value.

    Containers are always rebuilt: the wire value shares no list or dict with the model, and
    the comprehension takes its element type from the JSON target (lists are invariant).
    """
    kind = ref.kind
    if _is_identity(ref) and kind not in (Kind.LIST, Kind.DICT):
        return value
    item = f"v{depth}"
    if kind is Kind.DATETIME:
        return f"_rt.format_datetime({value})"
    if kind is Kind.DATE:
        return f"{value}.isoformat()"
    if kind is Kind.MODEL:
        return f"{value}.to_dict()"
    if kind is Kind.ENUM:
        return f"{value}.value"
    if kind is Kind.LIST:
        return f"[{encode(ref.args[0], item, depth + 1)} for {item} in {value}]"
    if kind is Kind.DICT:
        inner = encode(ref.args[0], item, depth + 1)
        return f"{{k{depth}: {inner} for k{depth}, {item} in {value}.items()}}"
    if kind is Kind.UNION and _is_optional(ref):
        inner = encode(ref.args[0], item, depth + 1)
        return f"(None if ({item} := {value}) is None else {inner})"
    return f"_rt.encode({value})"


def _is_optional(ref: TypeRef) -> bool:
    return len(ref.args) == 2 and ref.args[1].kind is Kind.NONE


def field_decode(item: Field) -> str:
    """The keyword-argument value that builds one field from the valid mapping `data`."""
    wire = literal(item.wire_name)
    present = decode(item.type, f"data[{wire}]")
    if item.required:
        return present
    if not item.nullable and _is_identity(item.type):
        return f"data.get({wire})"
    if not item.nullable:
        # A valid value of a non-nullable field is never null: one lookup tells absence.
        inner = decode(item.type, "v")
        return f"None if (v := data.get({wire})) is None else {inner}"
    absent = "_rt.UNSET" if item.nullable else "None"
    return f"{present} if {wire} in data else {absent}"


def param_parser(ref: TypeRef) -> str:
    """The runtime function reading a channel parameter's text as its JSON type."""
    kind = ref.kind
    if kind is Kind.UNION and _is_optional(ref):
        kind = ref.args[0].kind
    return {
        Kind.INT: "_rt.param_int",
        Kind.FLOAT: "_rt.param_float",
        Kind.BOOL: "_rt.param_bool",
    }.get(kind, "_rt.param_str")


# Literals


def literal(value: Any) -> str:
    """A Python literal for a JSON-like value; strings are always repr-escaped.

    Strings come out double-quoted where that needs no more escapes, as black writes them.
    """
    if isinstance(value, str):
        return _string_literal(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{literal(k)}: {literal(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    return repr(value)


def _string_literal(text: str) -> str:
    quoted = repr(text)
    if quoted.startswith("'") and '"' not in text:
        # repr escaped only the single quotes; inside double quotes they need none.
        return '"' + quoted[1:-1].replace("\\'", "'") + '"'
    # A literal may stand inside a docstring too: no run of double quotes may close it.
    return _QUOTE_RUN.sub(r'\\"', quoted)


# A double quote followed by another: escaped, so no '"""' is left in the text.
_QUOTE_RUN = re.compile(r'"(?=")')


def toml_string(text: str) -> str:
    """A TOML basic string; JSON string escapes are valid TOML escapes."""
    return json.dumps(text, ensure_ascii=True)


def markdown_code(text: str) -> str:
    """Text safe inside a Markdown code span on one table row."""
    return _printable(" ".join(text.replace("`", "'").replace("|", "\\|").split()))


def markdown_text(text: str) -> str:
    """Text safe as plain Markdown on one line: no markup, tags or table breaks."""
    cleaned = _printable(" ".join(text.split()))
    return re.sub(r"([\\`*_{}\[\]()<>#+!|~-])", r"\\\1", cleaned)


def _printable(text: str) -> str:
    # Control characters and lone surrogates (which UTF-8 cannot hold) show as escapes.
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_UNPRINTABLE = re.compile(
    r"[^\n\t\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def docstring(text: str) -> str:
    """A triple-quoted docstring literal whose value is `text` (stripped).

    A lone surrogate stays as the text of its escape (a backslash, 'u' and four digits):
    a class cannot be created with one in its docstring.
    """
    text = text.strip()
    escaped = text.replace("\\", "\\\\")
    # Each quote followed by a quote or by the closing quotes is escaped: no '"""' remains.
    escaped = re.sub(r'"(?="|\Z)', r'\\"', escaped)
    escaped = _UNPRINTABLE.sub(_escape_unprintable, escaped)
    return f'"""{escaped}"""'


def _escape_unprintable(match: re.Match[str]) -> str:
    code = ord(match.group())
    backslashes = "\\\\" if 0xD800 <= code <= 0xDFFF else "\\"
    return f"{backslashes}u{code:04x}"


# Rendering


def _header(api: Api) -> str:
    # The source name goes through repr-like escaping: a file name is user text too.
    name = api.source_name.encode("unicode_escape").decode("ascii")
    return f"# generated by asyncapi_gen from {name}, do not edit"


def _render(environment: jinja2.Environment, template: str, **context: Any) -> str:
    try:
        return environment.get_template(template).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            template, exc.lineno, exc.message or "syntax error"
        ) from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(template, _template_line(exc), str(exc)) from exc


def _template_line(exc: BaseException) -> int | None:
    trace = exc.__traceback__
    line = None
    while trace is not None:
        if trace.tb_frame.f_code.co_filename.endswith(".jinja"):
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _unions(api: Api) -> list[TypeRef]:
    """Every named union the models module needs a decoder for, once each, in order."""
    found: dict[str, TypeRef] = {}

    def visit(ref: TypeRef) -> None:
        if ref.kind is Kind.UNION and not _is_optional(ref) and ref.name:
            found.setdefault(ref.name, ref)
        for arg in ref.args:
            visit(arg)

    for model in api.models:
        for item in model.fields:
            visit(item.type)
        if model.extra is not None:
            visit(model.extra)
    for entry in (*api.schemas, *api.messages):
        visit(entry.type)
    for route in api.routes:
        # A route's payload union is settled by the router, message by message.
        for message in route.messages:
            visit(message.payload)
        for parameter in route.parameters:
            visit(parameter.type)
    return [found[name] for name in sorted(found)]


def emit_package(api: Api) -> dict[str, str]:
    """Render every file of the generated package, keyed by path under the output folder."""
    environment = make_environment()
    header = _header(api)
    package = api.package_name
    context: dict[str, Any] = {
        "api": api,
        "header": header,
        "unions": _unions(api),
        # Looked up per message by the router template: a scan there would be quadratic.
        "models_by_name": {model.name: model for model in api.models},
    }
    files = {
        "pyproject.toml": "package_pyproject.toml.jinja",
        "README.md": "package_readme.md.jinja",
        f"{package}/__init__.py": "__init__.py.jinja",
        f"{package}/_runtime.py": "runtime.py.jinja",
        f"{package}/models.py": "models.py.jinja",
        f"{package}/registry.py": "registry.py.jinja",
        f"{package}/router.py": "router.py.jinja",
        f"{package}/websocket.py": "websocket.py.jinja",
        f"{package}/webhook.py": "webhook.py.jinja",
    }
    rendered = {}
    for path, template in files.items():
        logger.debug("rendering %s from %s", path, template)
        rendered[path] = _render(environment, template, **context)
    rendered[f"{package}/validators.py"] = _render(
        environment, "validators.py.jinja", header=header, validators=api.validators
    )
    rendered[f"{package}/_validation.py"] = _render(
        environment, "validation.py.jinja", header=header
    )
    # Samples are checked by the validators just rendered, so each one shipped validates.
    chosen = samples.settle_api(
        api,
        rendered[f"{package}/validators.py"],
        rendered[f"{package}/_validation.py"],
    )
    rendered[f"{package}/testing.py"] = _render(
        environment, "testing.py.jinja", **context, samples=chosen
    )
    rendered[f"{package}/py.typed"] = ""
    return rendered


def model_keys(model: Model) -> str:
    """A frozenset literal of the model's declared wire names, in document order."""
    names = ", ".join(literal(f.wire_name) for f in model.fields)
    return f"frozenset({{{names}}})" if names else "frozenset()"
