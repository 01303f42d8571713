"""Where generator caches live: compiled templates and black results, keyed by content.

The cache only ever saves time: every entry is keyed by a hash of everything that decides its
value, so a stale or missing entry means "compute again", never a different output. Set
ASYNCAPI_GEN_NO_CACHE=1 to turn it off.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)


def cache_dir(kind: str) -> Path | None:
    """A writable cache folder for `kind`, or None when caching is off or impossible."""
    if os.environ.get("ASYNCAPI_GEN_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base) / "asyncapi-gen" / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def content_key(*parts: str) -> str:
    """A stable key for the given texts."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def read_entry(folder: Path, key: str) -> str | None:
    try:
        return (folder / key).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write_entry(folder: Path, key: str, text: str) -> None:
    """Store an entry atomically: a reader sees the whole text or nothing."""
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, folder / key)
    except OSError as exc:
        logger.debug("cache entry %s not stored: %s", key[:12], exc)
