"""A lesson page on a slow phone, next to a plain 5 KB HTML page measured in the same run.

Serves the demo site as production would (gunicorn, DEBUG off, WhiteNoise's compressed static
files), then loads each page in Debian's chromium with a cold cache under a slow-3G-like
profile (400 kbps down and up, 400 ms round trip, CPU 4x slower, 360x740 phone) and prints,
up to the load event: bytes transferred and requests (lesson images excluded, as the budget
says), and the first contentful paint. The plain page is the floor.

    .venv/bin/python bench/phone_budget.py [--runs 5]
"""

from __future__ import annotations

import argparse
import base64
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import redis
from common import REPO, free_port, fresh_postgres

from tests.browser import CHROMIUM_ARGS, LoadRecorder, chromium_path

LESSON = "/en/family-digital-skills/getting-connected/home-wifi/"
PLAIN = "/static/bench-plain.html"
PROFILE = {"latency": 400, "download": 400_000 / 8, "upload": 400_000 / 8, "cpu": 4}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()


def plain_page() -> str:
    """About 5 KB of plain HTML: the least a page can cost."""
    words = "Wi-Fi lets your phone use the internet at home without using your data. " * 65
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        f"<title>Plain</title><h1>A plain page</h1><p>{words}</p></html>"
    )


@contextmanager
def production_server():
    """The demo site on gunicorn with production settings, in a throw-away directory."""
    workdir = Path(tempfile.mkdtemp(prefix="puente-budget-"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "courses.settings.production",
        "DJANGO_SECRET_KEY": "bench-only-" + os.urandom(8).hex(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        # Production settings want PostgreSQL and Redis, as production has them.
        "DATABASE_URL": fresh_postgres("postgres://postgres@127.0.0.1:5432/puente_budget"),
        "REDIS_URL": "redis://127.0.0.1:6379/13",
        "PUENTE_SECRET_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PUENTE_SERVE_MEDIA": "1",
        "LOG_LEVEL": "WARNING",
    }
    # A fresh database reuses page revision ids: pages kept in Redis by an earlier run would
    # be served with pictures from that run's media folder, gone since.
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    python = sys.executable
    # The demo courses on production settings: its people get passwords of their own.
    load = ["load_demo", "--production"]
    for command in (["migrate", "--noinput"], load, ["collectstatic", "--noinput"]):
        subprocess.run(
            [python, "manage.py", *command],
            cwd=REPO,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    (workdir / "static" / "bench-plain.html").write_text(plain_page())
    server = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "-c",
            "python:courses.gunicorn_conf",
            "courses.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + PLAIN, timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.1)
        urllib.request.urlopen(base + LESSON, timeout=10)  # noqa: S310 - warm caches
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def measure(browser, url: str, *, throttle: bool = True) -> dict:
    """One cold load: bytes and requests up to the load event, and first contentful paint."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, device_scale_factor=2
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    recorder = LoadRecorder(cdp)
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttle:
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": PROFILE["latency"],
                "downloadThroughput": PROFILE["download"],
                "uploadThroughput": PROFILE["upload"],
            },
        )
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": PROFILE["cpu"]})
    page.goto(url, wait_until="load")
    recorder.load_done()
    # The paint timing entry can be recorded a moment after the load event.
    page.wait_for_function(  # a function, not a string: the site's CSP forbids eval
        "() => performance.getEntriesByName('first-contentful-paint').length > 0"
    )
    fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime")
    counted = recorder.before_load()
    result = {
        "requests": len(counted),
        "bytes": sum(recorder.sizes.get(rid, 0) for rid in counted),
        "fcp": fcp,
        "urls": sorted(u.split("/", 3)[-1] for u in counted.values()),
    }
    context.close()
    return result


def main() -> None:
    args = parse_args()
    from playwright.sync_api import sync_playwright

    with production_server() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        runs: dict[str, list[dict]] = {"plain": [], "lesson": []}
        for run in range(args.runs):
            order = ("plain", "lesson") if run % 2 == 0 else ("lesson", "plain")
            for name in order:
                runs[name].append(measure(browser, base + (PLAIN if name == "plain" else LESSON)))
        browser.close()

    print(
        "Profile: 400 kbps down/up, 400 ms RTT, CPU 4x slower, 360x740, cold cache; "
        f"{args.runs} loads each, alternating\n"
    )
    print(f"{'page':<58} {'requests':>8} {'KB':>6} {'FCP ms (median)':>16}")
    medians = {}
    for name, path in (("plain", PLAIN), ("lesson", LESSON)):
        loads = runs[name]
        medians[name] = statistics.median(load["fcp"] for load in loads)
        print(
            f"{path:<58} {loads[0]['requests']:>8} {loads[0]['bytes'] / 1024:>6.1f} "
            f"{medians[name]:>16.0f}"
        )
    print(
        f"\nFCP ratio lesson / plain: {medians['lesson'] / medians['plain']:.2f} (issue 15: <= 1.1)"
    )
    print(f"lesson page requests before load: {', '.join(runs['lesson'][0]['urls'])}")
    print("budget: <= 12.0 KB and <= 4 requests before load, lesson images excluded")


if __name__ == "__main__":
    main()
