"""The stylesheet every page inlines, minified and read once (again when the file changes, in
development)."""

from __future__ import annotations

import base64
import functools
import hashlib
import os

import rcssmin
from django.contrib.staticfiles import finders

STYLESHEET = "puente/css/puente.css"
# name -> (its file's modification time, its text, the CSP source for it)
_cache: dict[str, tuple[float, str, str]] = {}


@functools.cache
def _path(name: str) -> str:
    path = finders.find(name)
    if path is None:
        raise FileNotFoundError(name)
    return path


def _read(name: str) -> tuple[float, str, str]:
    """Every page (and its security policy) asks: one stat, and the file read again only when
    it changed."""
    path = _path(name)
    modified = os.stat(path).st_mtime
    cached = _cache.get(name)
    if cached is None or cached[0] != modified:
        with open(path, encoding="utf-8") as handle:
            # Minified: the file's comments are for its readers, not for every page's bytes.
            # "</" could close the <style> element early; a stylesheet never needs it.
            text = rcssmin.cssmin(handle.read()).replace("</", "<\\/")
        digest = hashlib.sha256(text.encode("utf-8")).digest()
        cached = (modified, text, f"'sha256-{base64.b64encode(digest).decode()}'")
        _cache[name] = cached
    return cached


def stylesheet_text(name: str = STYLESHEET) -> str:
    return _read(name)[1]


def stylesheet_hash(name: str = STYLESHEET) -> str:
    """The CSP source for the inline stylesheet: 'sha256-…'."""
    return _read(name)[2]
