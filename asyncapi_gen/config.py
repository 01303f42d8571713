"""Config: what one generation run needs to know, built from flags and pyproject.toml."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


class Perspective(enum.Enum):
    """Whose side of a 2.x document the generated code takes.

    AsyncAPI 2.x describes the application: its `publish` operations are what the application
    receives. A client of that application receives the `subscribe` operations instead.
    """

    CLIENT = "client"
    APPLICATION = "application"


@dataclass(frozen=True, slots=True)
class Config:
    """Options of one generation run."""

    spec: Path
    output: Path
    package_name: str | None = None
    perspective: Perspective = Perspective.CLIENT
    allow_outside_root: bool = False
    allow_remote: bool = False
    remote_timeout: float = 10.0
    remote_max_bytes: int = 10 * 1024 * 1024
    # Prefix -> local folder: a reference whose URI starts with the prefix reads the file there.
    ref_map: tuple[tuple[str, Path], ...] = field(default_factory=tuple)
