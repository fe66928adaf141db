"""Delivery workers in their own processes, as production runs them, for the tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

from lms.models import DeliveryStatus, StatementDelivery

REPO = Path(__file__).resolve().parent.parent


def worker_process(
    *, endpoint: str, username: str, password: str, batch_size: int, **extra_env: str
) -> subprocess.Popen:
    """``manage.py deliver_statements`` in its own process, on the test's database."""
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
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver_statements", "--idle", "0.1"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def delivered_count() -> int:
    return StatementDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count()


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
