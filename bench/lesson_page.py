"""Lesson page figures: server render time, SQL queries and bytes a phone downloads.

Builds the demo site in a throw-away database (SQLite by default, or the one in
--database-url), then serves pages in-process through the full middleware stack. Render time
is compared with a minimal Django view measured in the same run, because these machines are
noisy and only ratios travel between runs.

    .venv/bin/python bench/lesson_page.py [--requests 300] [--database-url postgres://...]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time

from common import build_site, percentile, setup_django

LESSONS = [
    "/en/family-digital-skills/getting-connected/home-wifi/",
    "/es/habilidades-digitales-para-la-familia/conectarse-en-casa/wifi-en-casa/",
    "/ar/family-digital-skills/staying-safe/spotting-scams/",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="timed requests per page")
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    return parser.parse_args()


def timed_gets(client, url: str, count: int) -> list[float]:
    client.get(url)  # warm caches: renditions, site root paths, templates
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)

    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import path

    from lms.services.learners import learner_sign_up

    def minimal_view(request):
        return HttpResponse("<!doctype html><title>ok</title><p>ok</p>")

    from courses import urls as site_urls

    bench_urls = type(sys)("bench_urls")
    bench_urls.urlpatterns = [path("bench/minimal/", minimal_view), *site_urls.urlpatterns]
    sys.modules["bench_urls"] = bench_urls

    build_seconds = build_site()
    print(f"database: {connection.vendor}; demo built in {build_seconds:.1f} s")
    client = Client(HTTP_ACCEPT_ENCODING="gzip")

    with override_settings(ROOT_URLCONF="bench_urls"):
        baseline = statistics.median(timed_gets(client, "/bench/minimal/", args.requests))
        print(f"minimal Django view: median {baseline:.2f} ms over {args.requests} requests\n")
        header = (
            f"{'page':<78} {'median ms':>9} {'p90 ms':>7} {'x min':>6} {'SQL':>4} "
            f"{'HTML gz':>8} {'total gz':>9}"
        )
        print(header)
        print("-" * len(header))
        # The page's only other request before its load event: boot.js (the stylesheet is
        # inlined; boot.js fetches puente.js after the load event).
        boot = client.get("/static/puente/js/boot.js")
        boot_body = b"".join(boot.streaming_content) if boot.streaming else boot.content
        boot_gz = len(boot_body) if boot.get("Content-Encoding") else len(gzip.compress(boot_body))
        learner = learner_sign_up(username="bench-learner", password="x" * 12)
        signed_in = Client(HTTP_ACCEPT_ENCODING="gzip")
        signed_in.force_login(learner.user)
        rows = [(url, client) for url in LESSONS] + [(LESSONS[0] + " (signed in)", signed_in)]
        for label, who in rows:
            url = label.split(" ")[0]
            if who is signed_in:
                with CaptureQueriesContext(connection) as first_visit:
                    who.get(url)
                # Read now: Django keeps only the last 9,000 queries.
                first_visit_queries = len(first_visit.captured_queries)
            timings = timed_gets(who, url, args.requests)
            with CaptureQueriesContext(connection) as queries:
                response = who.get(url)
            html_gz = len(response.content)
            median = statistics.median(timings)
            print(
                f"{label:<78} {median:>9.2f} {percentile(timings, 0.9):>7.2f} "
                f"{median / baseline:>6.1f} {len(queries.captured_queries):>4} "
                f"{html_gz:>8,} {html_gz + boot_gz:>9,}"
            )
        another = Client(HTTP_ACCEPT_ENCODING="gzip")
        another.force_login(learner_sign_up(username="bench-other", password="x" * 12).user)
        with CaptureQueriesContext(connection) as later_first_visit:
            another.get(LESSONS[0])
        later_queries = len(later_first_visit.captured_queries)
        print(
            "\nA signed-in learner's first visit to a lesson also records it (event, progress, "
            f"statements): {first_visit_queries} SQL statements in all for the first learner "
            f"(it builds the lesson's cached context), {later_queries} for the next one; "
            "counts include BEGIN/SAVEPOINT/COMMIT."
        )
        print(f"boot.js (the page's only other request before load): {boot_gz:,} bytes gzip")
        compare_caches(args.requests, [("anonymous", client), ("signed in", signed_in)])
        print("budget: <= 12,288 bytes and <= 4 requests before load; <= 10 SQL queries")


CACHE_VARIANTS = [
    ("all caches", {}),
    ("no page cache or shell", {"PUENTE_PAGE_CACHE_SECONDS": 0}),
    ("nor body cache", {"PUENTE_PAGE_CACHE_SECONDS": 0, "PUENTE_CACHE_LESSON_BODY": False}),
]


def compare_caches(requests: int, readers: list) -> None:
    """The whole-page cache for anonymous readers (courses/page_cache.py), the signed-in
    page shell (courses/page_shell.py; both follow PUENTE_PAGE_CACHE_SECONDS) and the lesson
    body cache (courses/lesson_cache.py) on and off, in interleaved rounds. (Routing and the
    page chrome are cached in every variant.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    url = LESSONS[0]
    print("\nThe page and body caches, interleaved rounds (median ms, SQL):")
    for label, who in readers:
        timings = {name: [] for name, _settings in CACHE_VARIANTS}
        sql = {}
        for _round in range(5):
            for name, changes in CACHE_VARIANTS:
                with override_settings(**changes):
                    timings[name] += timed_gets(who, url, max(1, requests // 5))
                    with CaptureQueriesContext(connection) as queries:
                        who.get(url)
                    sql[name] = len(queries.captured_queries)
        fastest = statistics.median(timings[CACHE_VARIANTS[0][0]])
        figures = "  ".join(
            f"{name} {statistics.median(timings[name]):6.2f} ms ({sql[name]} SQL, "
            f"{statistics.median(timings[name]) / fastest:4.2f}x)"
            for name, _settings in CACHE_VARIANTS
        )
        print(f"  {label:<10} {figures}")


if __name__ == "__main__":
    main()
