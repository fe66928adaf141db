"""ASGI entry point serving Ralph's LRS API with a writable file-system backend.

Served by uvicorn from Ralph's own venv (see ``server.py``):
``uvicorn --app-dir tests/ralph asgi:app``. Two patches, applied before
``ralph.api`` is imported because the API instantiates its backend at import time:

1. Write-once store. Ralph 5.1.0's ``FSLRSBackend`` inherits the fs data
   backend's default operation type ``CREATE``: the first POST creates the data
   file and every later write fails with 500 "Statements bulk indexation failed".
   ``APPEND`` makes it a store that accepts any number of writes.
2. Ever-growing history. Every read and write of the fs backend appends an event
   to ``history.json`` and rewrites the whole file (bookkeeping for the CLI's
   ``ralph list --new``; the LRS never reads it). So each request costs more
   than the one before, for the whole process lifetime, even after the data is
   cleared. Measured at equal store sizes, one-statement POSTs ran at half the
   rate with it (108/s vs 252/s on an empty store, 12/s vs 25/s at 7,500
   statements). Turning it off leaves timings dependent on the store size only.
"""

from typing import Any

from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend


def _skip_history(self: FSLRSBackend, event: Any) -> None:
    """Keep no history: the LRS never reads it."""


FSLRSBackend.default_operation_type = BaseOperationType.APPEND
FSLRSBackend.append_to_history = _skip_history

from ralph.api import app  # noqa: E402

__all__ = ["app"]
