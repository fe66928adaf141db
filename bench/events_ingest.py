"""Event ingest through the events API, next to a minimal Django view that writes one row.

A third row is the API's framework alone (DRF, the account-token sign-in, the throttles, one
row written, lms.api.views.base.PuenteAPIView): what any event recording costs at the least.

Each database (SQLite, and PostgreSQL if it answers) is measured in its own process, on a
fresh database with the demo site, through the full middleware stack and DRF, in-process
(no HTTP server; bench/lesson_page.py's approach). Events are a realistic mix: a third
"viewed", the rest "answered", by 20 learners over the 18 demo lessons.

Then the same with ``Prefer: respond-async``, as the lesson page's script sends them: each
event is checked and kept (one row), and the delivery worker records it a moment later; the
last row is that recording, timed on its own.

    .venv/bin/python bench/events_ingest.py [--requests 400] [--postgres-url URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid

from common import (
    add_database_arguments,
    build_site,
    measure_in_each_database,
    setup_django,
    summary,
)

ROUNDS = 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--batch", type=int, default=50, help="events per request, batched run")
    add_database_arguments(parser)
    return parser.parse_args()


def measure(database_url: str, requests: int, batch: int) -> None:
    setup_django(database_url)
    from django.db import connection, transaction
    from django.http import HttpResponse
    from django.test import Client, override_settings
    from django.urls import path
    from django.utils import timezone
    from django.views.decorators.csrf import csrf_exempt
    from rest_framework.authtoken.models import Token
    from rest_framework.response import Response
    from wagtail.models import Page

    from courses import urls as site_urls
    from lms.api.throttles import EventsPerAddress, EventsPerPerson
    from lms.api.views.base import PuenteAPIView
    from lms.services.accepted_events import accepted_events_record
    from lms.services.learners import learner_sign_up

    build_site()
    with connection.cursor() as cursor:
        key = "INTEGER PRIMARY KEY" if connection.vendor == "sqlite" else "SERIAL PRIMARY KEY"
        cursor.execute(f"CREATE TABLE bench_row (id {key}, payload TEXT)")

    @csrf_exempt
    def write_one_row(request):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_row (payload) VALUES (%s)", [request.body.decode()])
        return HttpResponse(status=201)

    class WriteOneRowAPI(PuenteAPIView):
        """The events API's framework alone: DRF, its account-token sign-in, the same
        throttles and JSON body, and one row written: the floor under any event recording."""

        throttle_classes = [EventsPerPerson, EventsPerAddress]

        def post(self, request):
            learner_id = self.principal.profile.pk
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_row (payload) VALUES (%s)",
                    [f"{learner_id}:{request.data['events'][0]['id']}"],
                )
            return Response({"recorded": 1}, status=201)

    urls = type(sys)("bench_ingest_urls")
    urls.urlpatterns = [
        path("bench/write-one/", write_one_row),
        path("bench/api-write-one/", WriteOneRowAPI.as_view()),
        *site_urls.urlpatterns,
    ]
    sys.modules["bench_ingest_urls"] = urls

    lessons = list(Page.objects.filter(depth=5, locale__language_code="en").specific())
    learners = [learner_sign_up(username=f"bench-{i}", password="x" * 12) for i in range(20)]
    clients = []
    for learner in learners:
        token = Token.objects.create(user=learner.user)
        clients.append(Client(HTTP_AUTHORIZATION=f"Token {token.key}"))

    counter = iter(range(10**9))

    def event() -> dict:
        n = next(counter)
        lesson = lessons[n % len(lessons)]
        item = {
            "id": str(uuid.uuid4()),
            "lesson": str(lesson.translation_key),
            "occurred_at": timezone.now().isoformat(),
            "language": "es",
        }
        if n % 3 == 0:
            return {**item, "type": "viewed"}
        question = lesson.lms_questions()[0]
        return {
            **item,
            "type": "answered",
            "question": question.id,
            "choices": [question.choices[n % len(question.choices)].id],
        }

    def run(url_of, body_of, count, **headers):
        timings = []
        for n in range(count):
            client = clients[n % len(clients)]
            body = json.dumps(body_of())  # the phone's work, not the server's
            started = time.perf_counter()
            response = client.post(url_of, data=body, content_type="application/json", **headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 201, 202), response.content[:300]
        return timings

    def record_accepted() -> tuple[float, int]:
        """What the delivery worker then does with the accepted events: seconds, events."""
        started, recorded = time.perf_counter(), 0
        while done := accepted_events_record():
            recorded += done
        return time.perf_counter() - started, recorded

    # The throttles still run (their cache reads and writes are part of every request); their
    # limits are raised so that one machine can play many phones.
    unlimited = {
        "PUENTE_RATE_EVENTS_PER_USER": "1000000/m",
        "PUENTE_RATE_EVENTS_PER_ADDRESS": "1000000/m",
    }
    with override_settings(ROOT_URLCONF="bench_ingest_urls", **unlimited):
        run("/bench/write-one/", lambda: {"x": 1}, 20)  # warm up
        run("/api/v1/events/", lambda: {"events": [event()]}, 20)
        run("/bench/api-write-one/", lambda: {"events": [event()]}, 20)
        # The phone's case (its page grades answers itself): checked and kept now, recorded
        # by the worker a moment later (lms.services.accepted_events).
        later = {"HTTP_PREFER": "respond-async"}
        run("/api/v1/events/", lambda: {"events": [event()]}, 20, **later)
        record_accepted()
        one = lambda: {"events": [event()]}  # noqa: E731
        many = lambda: {"events": [event() for _ in range(batch)]}  # noqa: E731
        plans = {
            "minimal": ("/bench/write-one/", lambda: {"x": 1}, 1, {}),
            "framework": ("/bench/api-write-one/", one, 1, {}),
            "single": ("/api/v1/events/", one, 1, {}),
            "batched": ("/api/v1/events/", many, batch, {}),
            "single_async": ("/api/v1/events/", one, 1, later),
            "batched_async": ("/api/v1/events/", many, batch, later),
        }
        # Interleaved rounds: this machine's speed drifts, and each ratio compares rows
        # measured side by side.
        timings = {name: [] for name in plans}
        for _round in range(ROUNDS):
            for name, (url, body, events, headers) in plans.items():
                count = max(2, requests // ROUNDS // events)
                timings[name] += run(url, body, count, **headers)
        minimal, framework, single, batched, single_async, batched_async = timings.values()
        worker_seconds, worker_events = record_accepted()

    def rate(timings, per_request=1):
        return per_request * len(timings) / (sum(timings) / 1000)

    base = rate(minimal)
    print(f"\n== {connection.vendor} ({len(minimal)} requests each, {ROUNDS} interleaved rounds)")
    print(f"{'':34} {'events/s':>9} {'x minimal':>9}   request ms")
    print(f"{'minimal view writing one row':34} {base:>9.0f} {1.0:>9.2f}   {summary(minimal)}")
    print(
        f"{'API framework writing one row':34} {rate(framework):>9.0f} "
        f"{rate(framework) / base:>9.2f}   {summary(framework)}"
    )
    print(
        f"{'events API, 1 event per request':34} {rate(single):>9.0f} "
        f"{rate(single) / base:>9.2f}   {summary(single)}"
    )
    print(
        f"{f'events API, {batch} per request':34} {rate(batched, batch):>9.0f} "
        f"{rate(batched, batch) / base:>9.2f}   {summary(batched)}"
    )
    print(
        f"   (median ms per event in batches: {statistics.median(batched) / batch:.2f}; "
        f"batches / single events: {rate(batched, batch) / rate(single):.1f}x)"
    )
    print("  Prefer: respond-async (checked and kept; the worker records them)")
    print(
        f"{'events API, 1 event per request':34} {rate(single_async):>9.0f} "
        f"{rate(single_async) / base:>9.2f}   {summary(single_async)}"
    )
    print(
        f"{f'events API, {batch} per request':34} {rate(batched_async, batch):>9.0f} "
        f"{rate(batched_async, batch) / base:>9.2f}   {summary(batched_async)}"
    )
    print(
        f"   (median ms per event in batches: {statistics.median(batched_async) / batch:.2f}; "
        f"batches / single events: {rate(batched_async, batch) / rate(single_async):.1f}x)"
    )
    worker_rate = worker_events / worker_seconds
    print(
        f"{'the worker recording them':34} {worker_rate:>9.0f} {worker_rate / base:>9.2f}   "
        f"{worker_events} events in {worker_seconds:.1f} s"
    )


def main() -> None:
    args = parse_args()
    if args.database_url is not None:
        measure(args.database_url, args.requests, args.batch)
        return
    child_args = ["--requests", str(args.requests), "--batch", str(args.batch)]
    measure_in_each_database(__file__, args, child_args)


if __name__ == "__main__":
    main()
