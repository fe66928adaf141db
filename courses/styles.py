"""The stylesheet every page inlines, read once (again when the file changes, in development)."""

from __future__ import annotations

import base64
import hashlib
import os

from django.contrib.staticfiles import finders

STYLESHEET = "puente/css/puente.css"
_cache: dict[str, tuple[float, str]] = {}


def stylesheet_text(name: str = STYLESHEET) -> str:
    path = finders.find(name)
    if path is None:
        raise FileNotFoundError(name)
    modified = os.stat(path).st_mtime
    cached = _cache.get(name)
    if cached is None or cached[0] != modified:
        with open(path, encoding="utf-8") as handle:
            # "</" could close the <style> element early; a stylesheet never needs it.
            cached = (modified, handle.read().replace("</", "<\\/"))
        _cache[name] = cached
    return cached[1]


def stylesheet_hash(name: str = STYLESHEET) -> str:
    """The CSP source for the inline stylesheet: 'sha256-…'."""
    digest = hashlib.sha256(stylesheet_text(name).encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"
