"""Load: lesson pages and the events API under concurrent users, on gunicorn and PostgreSQL,
next to a minimal Django view served by the same gunicorn in the same run.

The lessons are read without signing in and, in English, by signed-in learners (one session
each).

Builds the demo site in a fresh PostgreSQL database, starts gunicorn (courses/gunicorn_conf.py, the
production middleware, Redis as the cache) on loopback, and drives it from this process with
keep-alive connections, one thread per simulated user. The client shares the machine's cores
with the server, so only the ratios to the minimal view travel between machines.

    .venv/bin/python bench/load.py [--users 16] [--seconds 15] [--workers 3]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from common import REPO, build_site, drive, free_port, percentile, setup_django, wait_until_ready

LESSONS = {
    "lesson page, en": "/en/family-digital-skills/getting-connected/home-wifi/",
    "lesson page, ar (right-to-left)": "/ar/family-digital-skills/staying-safe/spotting-scams/",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16, help="concurrent simulated users")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured time per scenario")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/puente_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    return parser.parse_args()


def start_gunicorn(port: int, workers: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    # Its output goes to a file: a pipe nobody reads fills up, and then the server stalls.
    process = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "gunicorn"),
            "courses.wsgi:application",
            "--config",
            "python:courses.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        wait_until_ready(process, port, "/health/ready")
    except SystemExit:
        print(log.read_text()[-3000:], file=sys.stderr)
        raise
    return process


def main() -> None:
    args = parse_args()
    workdir = setup_django(args.database_url, settings="bench.serve_settings")
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token
    from wagtail.models import Page

    from lms.services.learners import learner_sign_up

    build_seconds = build_site()
    lessons = list(Page.objects.filter(depth=5, locale__language_code="en").specific())
    tokens, sessions = [], []
    for index in range(args.users):
        learner = learner_sign_up(username=f"load-{index}", password="x" * 12)
        tokens.append(Token.objects.create(user=learner.user).key)
        signed_in = Client()
        signed_in.force_login(learner.user)  # the session is in the database, which it shares
        sessions.append(signed_in.cookies["sessionid"].value)
    vendor = connection.vendor
    connection.close()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.serve_settings",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": args.redis_url,
        "PUENTE_SECRET_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "WARNING",
    }
    port = free_port()
    server_log = workdir / "gunicorn.log"
    server = start_gunicorn(port, args.workers, env, server_log)
    print(f"(the server's log: {server_log})")
    gzip = {"Accept-Encoding": "gzip"}

    def get(path):
        return lambda _index: ("GET", path, None, gzip)

    def one_event(index):
        lesson = lessons[index % len(lessons)]
        event = {
            "id": str(uuid.uuid4()),
            "type": "viewed",
            "lesson": str(lesson.translation_key),
            "occurred_at": datetime.now(UTC).isoformat(),
        }
        body = json.dumps({"events": [event]})
        headers = {
            "Authorization": f"Token {tokens[index]}",
            "Content-Type": "application/json",
        }
        return "POST", "/api/v1/events/", body, headers

    def signed_in(path):
        return lambda index: ("GET", path, None, {**gzip, "Cookie": f"sessionid={sessions[index]}"})

    scenarios = [("minimal Django view", get("/bench/minimal/"))]
    scenarios += [(label, get(path)) for label, path in LESSONS.items()]
    scenarios.append(("lesson page, en, signed in", signed_in(LESSONS["lesson page, en"])))
    scenarios.append(("events API, 1 event per request", one_event))
    try:
        print(
            f"\n== {vendor}, gunicorn {args.workers} workers x 4 threads, {args.users} users, "
            f"{args.seconds:.0f} s each (demo built in {build_seconds:.0f} s)"
        )
        print(f"{'':34} {'req/s':>7} {'x minimal':>9} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7}")
        baseline = None
        for label, make_request in scenarios:
            drive(port, args.users, 2.0, make_request)  # warm up
            latencies, done, failed = drive(port, args.users, args.seconds, make_request)
            rate = done / args.seconds
            baseline = baseline or rate
            print(
                f"{label:<34} {rate:>7.0f} {rate / baseline:>9.2f} "
                f"{percentile(latencies, 0.5):>8.1f} {percentile(latencies, 0.99):>8.1f} "
                f"{failed:>7}"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
