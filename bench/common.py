"""Shared set-up for the benchmarks: a throw-away database with the demo site, and figures."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/puente_bench"


def fresh_postgres(url: str) -> str:
    """Drop and create the database named in the URL (the server must let us)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url


def setup_django(database_url: str = "", settings: str = "courses.settings.dev") -> Path:
    """Point Django at a new database (a temporary SQLite file unless a URL is given)."""
    workdir = Path(tempfile.mkdtemp(prefix="puente-bench-"))
    if database_url.startswith("postgres"):
        database_url = fresh_postgres(database_url)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("MEDIA_ROOT", str(workdir / "media"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    return workdir


def build_site(*, demo: bool = True) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
        if demo:
            call_command("load_demo", stdout=quiet)
    return time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):7.2f}  p95 {percentile(values, 0.95):7.2f}  "
        f"p99 {percentile(values, 0.99):7.2f}"
    )
