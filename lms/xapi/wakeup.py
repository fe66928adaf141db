"""Waking the delivery worker when statements are stored, instead of it asking the database
every second whether there is anything to send.

On PostgreSQL the transaction that stores statements also runs ``pg_notify``: PostgreSQL
delivers the notification when (and only if) the transaction commits, so the worker hears of
exactly the statements it can see, with no extra round trip for the learner's request. The
worker LISTENs on its own connection and still polls now and then: a notification is a hint,
and a restarted database or a dropped connection loses them. Elsewhere (SQLite) the worker
only polls.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections

logger = logging.getLogger(__name__)

CHANNEL = "puente_statements"
# How often a waiting worker looks at its stop flag (SIGTERM).
STOP_CHECK_SECONDS = 0.25


def statements_stored() -> None:
    """Tell listening workers, at commit, that statements wait (in the caller's transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])


def notifying(insert_sql: str, params: list) -> tuple[str, list]:
    """An INSERT that also tells listening workers when it commits, in the same statement (a
    request that is one INSERT pays no second round trip, nor a transaction around both)."""
    if connection.vendor != "postgresql":
        return insert_sql, params
    sql = f"WITH stored AS ({insert_sql} RETURNING 1) SELECT pg_notify(%s, '')"
    return sql, [*params, CHANNEL]


class Wakeup:
    """What a worker waits on between rounds: a notification, or its polling interval."""

    def __init__(self) -> None:
        self.listens = connections[DEFAULT_DB_ALIAS].vendor == "postgresql"
        self._database = None  # a connection of its own, LISTENing

    def wait(self, seconds: float, stop_event: threading.Event) -> bool:
        """Wait up to ``seconds``; True when woken by stored statements."""
        if not self.listens:
            stop_event.wait(seconds)
            return False
        deadline = time.monotonic() + seconds
        try:
            raw = self._listening()
            while not stop_event.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                timeout = min(remaining, STOP_CHECK_SECONDS)
                if list(raw.notifies(timeout=timeout, stop_after=1)):
                    list(raw.notifies(timeout=0))  # the others that came at once: one round
                    return True
            return False
        except Exception as error:  # any failure: fall back to polling
            logger.warning(
                "Delivery worker: not listening for new statements (%s); polling instead",
                type(error).__name__,
            )
            self.close()
            stop_event.wait(max(0.0, deadline - time.monotonic()))
            return False

    def _listening(self):
        if self._database is None:
            database = connections.create_connection(DEFAULT_DB_ALIAS)
            database.ensure_connection()
            raw = database.connection
            raw.autocommit = True
            raw.execute(f"LISTEN {CHANNEL}")
            self._database = database
        return self._database.connection

    def close(self) -> None:
        if self._database is not None:
            with contextlib.suppress(DatabaseError):  # closing a broken connection
                self._database.close()
            self._database = None
