"""Shared set-up for the benchmarks: a throw-away database with the demo site, and figures."""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
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


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a script that measures SQLite, then PostgreSQL, each in a process of its
    own (Django is set up once per process): see measure_in_each_database."""
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--database-url", default=None, help=argparse.SUPPRESS)  # child mode


def measure_in_each_database(script: str, args: argparse.Namespace, child_args: list[str]) -> None:
    """Run ``script`` again for SQLite, then for PostgreSQL unless ``--no-postgres``, with
    ``--database-url`` and ``child_args``; a database that fails is said and skipped."""
    for database_url in [""] if args.no_postgres else ["", args.postgres_url]:
        command = [sys.executable, script, "--database-url", database_url, *child_args]
        result = subprocess.run(command, cwd=REPO, check=False)
        if result.returncode:
            print(f"(measuring {database_url or 'SQLite'} failed with {result.returncode})")


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(process: subprocess.Popen, port: int, path: str, seconds: float = 60) -> None:
    """Wait for a server started by a bench to answer ``path`` with 200 (or give up, with its
    last error output)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    process.kill()
    error = process.stderr.read().decode()[-2000:] if process.stderr else ""
    raise SystemExit(f"the server on port {port} did not answer {path}: {error}")


def drive(port: int, users: int, seconds: float, make_request) -> tuple[list[float], int, int]:
    """``users`` threads sending requests back to back for ``seconds``, each on its own
    keep-alive connection (reopened when the server closes it): latencies (ms) of the
    successful ones, their count, and the count of failures. ``make_request(user_index)``
    returns (method, path, body, headers)."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def user(index: int) -> None:
        nonlocal failures
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop_at:
            method, path, body, headers = make_request(index)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status in (200, 201)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            if ok:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            failures += failed

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, len(latencies), failures


def page_figures(client, url: str, times: int) -> tuple[int, float, float]:
    """A page served in-process: the SQL queries of one request, and the median and p90
    milliseconds of ``times`` more (after one that warms templates and caches)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries.captured_queries), statistics.median(timings), percentile(timings, 0.9)
