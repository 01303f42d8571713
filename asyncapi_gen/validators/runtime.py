"""The runtime support module of generated packages, loaded for the generator's own use.

templates/validation.py.jinja is rendered as `_validation.py` of every generated package; the
compiler loads the same text once, so a pattern is translated by the very code that checks
`format: regex` at run time.
"""

from __future__ import annotations

import functools
import sys
import types

TEMPLATE = "validation.py.jinja"


def render_runtime(header: str) -> str:
    """Render the runtime module's source with the given header comment."""
    # Imported here: emit.py owns the one jinja environment and comes later in the pipeline.
    from ..emit import make_environment

    return make_environment().get_template(TEMPLATE).render(header=header)


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
