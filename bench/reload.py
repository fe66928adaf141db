"""Reload without stalls: the longest wait a page request sees while gunicorn reloads
(`kill -HUP`), with the application preloaded (courses/gunicorn_conf.py) and without, in one run.

Requests keep going from 4 client threads; HUP is sent after a few seconds of steady traffic.
Without preloading, each new worker imports Django and Wagtail again while the old ones stop;
with it, new workers are forked from the loaded application.

    .venv/bin/python bench/reload.py [--rounds 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import threading
import time

from common import REPO, build_site, free_port, setup_django

PAGE = "/en/accounts/sign-in/"


def serve(port: int, workers: int, preload: bool) -> subprocess.Popen:
    env = {**os.environ, "GUNICORN_PRELOAD": "1" if preload else "0", "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "gunicorn"),
            "-c",
            "python:courses.gunicorn_conf",
            "courses.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", PAGE)
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def measure(port: int, server: subprocess.Popen, seconds: float = 10.0) -> tuple[float, float, int]:
    """(median before the reload, longest wait after it, failed requests), in ms."""
    waits: list[tuple[float, float]] = []  # (started, took)
    failures = [0]
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", PAGE)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failures[0] += 1
            except OSError:
                failures[0] += 1
            waits.append((started, time.monotonic() - started))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    reloaded_at = time.monotonic()
    server.send_signal(signal.SIGHUP)
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    before = [took for started, took in waits if started < reloaded_at]
    after = [took for started, took in waits if started >= reloaded_at - 1]
    return statistics.median(before) * 1000, max(after) * 1000, failures[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    workdir = setup_django()
    build_site(demo=False)
    os.environ["DJANGO_SETTINGS_MODULE"] = "courses.settings.dev"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1"
    print(f"gunicorn, {args.workers} workers x 4 threads, SQLite in {workdir}; GET {PAGE}")
    results: dict[bool, list[tuple[float, float, int]]] = {True: [], False: []}
    for _round in range(args.rounds):
        for preload in (False, True):  # interleaved: the machine's noise hits both alike
            port = free_port()
            server = serve(port, args.workers, preload)
            try:
                results[preload].append(measure(port, server))
            finally:
                server.terminate()
                server.wait(timeout=30)
    for preload in (False, True):
        rows = results[preload]
        label = "preloaded (shipped)" if preload else "not preloaded"
        print(
            f"{label:22} median before {statistics.median(r[0] for r in rows):6.1f} ms   "
            f"longest wait during reload {statistics.median(r[1] for r in rows):7.1f} ms "
            f"(rounds: {', '.join(f'{r[1]:.0f}' for r in rows)})   failed requests "
            f"{sum(r[2] for r in rows)}"
        )
    slow = statistics.median(r[1] for r in results[False])
    fast = statistics.median(r[1] for r in results[True])
    print(f"ratio (preloaded / not): {fast / slow:.2f}")


if __name__ == "__main__":
    main()
