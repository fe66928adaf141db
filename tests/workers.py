"""Delivery workers in their own processes, as production runs them, for the tests."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.db import connection

from lms.models import DeliveryStatus, StatementDelivery

REPO = Path(__file__).resolve().parent.parent


class WorkerLog:
    """What a worker process writes to stderr, read as it comes (a pipe nobody reads fills
    up, and the worker then blocks on its next log line)."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.reader.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stderr:
            self.lines.append(line.decode())

    @property
    def text(self) -> str:
        return "".join(self.lines)


def worker_process(
    *, endpoint: str, username: str, password: str, batch_size: int, **extra_env: str
) -> subprocess.Popen:
    """``manage.py deliver_statements`` in its own process, on the test's database; what it
    logs is in ``process.log``."""
    settings_dict = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "courses.settings.test",
        "XAPI_LRS_ENDPOINT": endpoint,
        "XAPI_LRS_USERNAME": username,
        "XAPI_LRS_PASSWORD": password,
        "PUENTE_XAPI_LEASE_SECONDS": "1",
        "PUENTE_XAPI_BATCH_SIZE": str(batch_size),
        **extra_env,
    }
    if "DATABASE_URL" in extra_env:
        pass  # the test's own way to the database (a door it opens late, say)
    elif connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{settings_dict['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}"
            f"/{settings_dict['NAME']}"
        )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "deliver_statements", "--idle", "0.1"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    process.log = WorkerLog(process)
    return process


def delivered_count() -> int:
    return StatementDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count()


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
