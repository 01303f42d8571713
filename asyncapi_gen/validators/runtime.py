"""The runtime support module of generated packages, loaded for the generator's own use.

templates/validation.py.jinja is rendered as `_validation.py` of every generated package; the
compiler loads the same text once, so a pattern is translated by the very code that checks
`format: regex` at run time.
"""

from __future__ import annotations

import functools
import sys
import types
from pathlib import Path

import jinja2

TEMPLATE = "validation.py.jinja"


def templates_dir() -> Path:
    """The folder holding the templates: inside the installed package, else the repository's."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / TEMPLATE).is_file():
            return candidate
    raise FileNotFoundError(f"template folder with {TEMPLATE} not found near {package}")


def render_runtime(header: str) -> str:
    """Render the runtime module's source with the given header comment."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    return environment.get_template(TEMPLATE).render(header=header)


@functools.cache
def load_runtime() -> types.ModuleType:
    """Execute the runtime module once and return it."""
    name = "asyncapi_gen.validators._runtime_copy"
    module = types.ModuleType(name)
    # dataclasses resolve string annotations through sys.modules while the class is built.
    sys.modules[name] = module
    code = compile(
        render_runtime("# runtime support, loaded by asyncapi_gen"), TEMPLATE, "exec"
    )
    exec(code, module.__dict__)
    return module
