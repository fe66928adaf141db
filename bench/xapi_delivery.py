"""xAPI delivery figures against a real Ralph LRS on loopback.

1. Throughput: the outbox and worker deliver N statements; the same N are POSTed to the same
   Ralph directly in batches of the same size. Ralph's file store slows as it grows, so each
   round empties it before each way of sending, and the order alternates between rounds.
2. Latency: learners' events are recorded at a steady rate while a worker runs beside them
   with its default polling interval (1 s); for each statement, the time from its event being
   recorded to Ralph storing it (Ralph's own `stored` time). At light load twice, the worker
   only polling and the worker woken by PostgreSQL's NOTIFY (on SQLite both poll), then at
   the steady rate. Once more at light load with the events accepted for later, as the lesson
   pages send them (the worker records them first).

    .venv/bin/python bench/xapi_delivery.py [--statements 2000] [--batch 100] [--rounds 3]
        [--database-url postgres://...] [--light-rate 2] [--skip-throughput]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid
from datetime import datetime

from common import build_site, percentile, setup_django, summary


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=20.0, help="events per second (latency)")
    parser.add_argument("--seconds", type=float, default=20.0, help="latency test duration")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--light-rate", type=float, default=2.0, help="events/s, light load")
    parser.add_argument("--skip-throughput", action="store_true")
    return parser.parse_args()


def realistic_statements(count: int) -> list[dict]:
    """Statements as the recorder makes them: answers with lesson, module and course."""
    from django.utils import timezone
    from wagtail.models import Page

    from lms.selectors.activities import lesson_context
    from lms.xapi import statements as xapi

    lesson_key = str(
        Page.objects.filter(depth=5, locale__language_code="en").values_list(
            "translation_key", flat=True
        )[0]
    )
    context = lesson_context(lesson_key)
    question = context.questions[0]
    result = []
    for _ in range(count):
        ctx = xapi.StatementContext(
            statement_id=str(uuid.uuid4()),
            activity_base="http://127.0.0.1:8000/xapi/activities",
            actor_home_page="http://127.0.0.1:8000",
            actor_name=str(uuid.uuid4()),
            occurred_at=timezone.now(),
            language="es",
            platform="Puente",
            registration=str(uuid.uuid4()),
        )
        result.append(
            xapi.answered(
                ctx,
                question,
                context.question_texts[question.id],
                selected_ids=[question.choices[0].id],
                correct=question.choices[0].correct,
                lesson=context.lesson,
                module=context.module,
                course=context.course,
            )
        )
    return result


def through_outbox(statements: list[dict], batch: int) -> float:
    from lms.models import Statement
    from lms.services.xapi import statements_enqueue
    from lms.xapi.worker import DeliveryWorker

    Statement.objects.all().delete()
    for start in range(0, len(statements), 500):
        statements_enqueue(statements=statements[start : start + 500], learner=None, event=None)
    worker = DeliveryWorker(batch_size=batch)
    started = time.perf_counter()
    report = worker.run(once=True)
    elapsed = time.perf_counter() - started
    worker.close()
    assert report.delivered == len(statements), report
    return elapsed


def throughput(ralph, statements: list[dict], batch: int, rounds: int) -> None:
    from tests.ralph.server import post_statements_directly

    print(
        f"\n1. Throughput: {len(statements)} statements (~{statement_size(statements)} B each), "
        f"batches of {batch}, {rounds} rounds"
    )
    print(f"{'round':>5} {'direct st/s':>12} {'outbox st/s':>12} {'ratio':>6}")
    ratios, directs, outboxes = [], [], []
    for round_number in range(rounds):
        timings = {}
        order = ("direct", "outbox") if round_number % 2 == 0 else ("outbox", "direct")
        for way in order:
            ralph.clear()
            if way == "direct":
                timings[way] = post_statements_directly(
                    ralph.endpoint, ralph.auth, statements, batch_size=batch
                )
            else:
                timings[way] = through_outbox(statements, batch)
            assert ralph.count() == len(statements), way
        direct = len(statements) / timings["direct"]
        outbox = len(statements) / timings["outbox"]
        directs.append(direct)
        outboxes.append(outbox)
        ratios.append(outbox / direct)
        print(f"{round_number + 1:>5} {direct:>12.0f} {outbox:>12.0f} {outbox / direct:>6.2f}")
    print(
        f"{'median':>5} {statistics.median(directs):>12.0f} {statistics.median(outboxes):>12.0f} "
        f"{statistics.median(ratios):>6.2f}   (aim: >= 0.8)"
    )


def statement_size(statements: list[dict]) -> int:
    import json

    return round(sum(len(json.dumps(s)) for s in statements) / len(statements))


def latency(
    ralph, rate: float, seconds: float, *, wake: bool = True, later: bool = False
) -> list[float]:
    """``later``: the events are accepted for later (Prefer: respond-async, as the lesson
    page's script sends them) and the worker records them before it sends: the time counts
    from when each event arrived."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from wagtail.models import Page

    from lms.models import AcceptedEvent, EventKind, LessonProgress, Statement
    from lms.services.accepted_events import learner_events_accept
    from lms.services.learners import learner_sign_up
    from lms.services.progress import EventInput, learner_event_record
    from lms.xapi.worker import DeliveryWorker

    ralph.clear()
    Statement.objects.all().delete()
    LessonProgress.objects.all().delete()
    get_user_model().objects.filter(username__startswith="bench-").delete()
    lessons = list(
        Page.objects.filter(depth=5, locale__language_code="en").specific().order_by("path")
    )
    learners = [learner_sign_up(username=f"bench-{i}", password="x" * 12) for i in range(20)]

    stop = threading.Event()
    worker = DeliveryWorker()
    if not wake:
        worker.wakeup.listens = False  # the baseline: polling only

    def deliver() -> None:
        from django.db import connection

        try:
            worker.run(should_stop=stop.is_set)
        finally:
            worker.close()
            connection.close()

    thread = threading.Thread(target=deliver)
    thread.start()
    interval = 1.0 / rate
    started = time.perf_counter()
    count = 0
    while time.perf_counter() - started < seconds:
        learner = learners[count % len(learners)]
        lesson = lessons[count % len(lessons)]
        if count % 3 == 0:
            event = EventInput(
                uuid.uuid4(), EventKind.VIEWED, lesson.translation_key, timezone.now(), "es"
            )
        else:
            question = lesson.lms_questions()[0]
            event = EventInput(
                uuid.uuid4(),
                EventKind.ANSWERED,
                lesson.translation_key,
                timezone.now(),
                "es",
                question_id=question.id,
                choice_ids=(question.choices[count % len(question.choices)].id,),
            )
        if later:
            learner_events_accept(learner=learner, events=[event], now=timezone.now())
        else:
            learner_event_record(learner=learner, event=event)
        count += 1
        next_at = started + count * interval
        time.sleep(max(0.0, next_at - time.perf_counter()))
    deadline = time.monotonic() + 60
    while AcceptedEvent.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    total = Statement.objects.count()
    while ralph.count() < total and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    thread.join()

    # From when the event arrived (an accepted event is recorded later, as of then).
    recorded = {
        str(s.id): s.event.received_at if s.event else s.created_at
        for s in Statement.objects.select_related("event")
    }
    delays = []
    for statement in ralph.statements():
        stored = datetime.fromisoformat(statement["stored"].replace("Z", "+00:00"))
        delays.append((stored - recorded[statement["id"]]).total_seconds() * 1000)
    how = (
        "woken by NOTIFY, polling every 1 s"
        if wake and worker.wakeup.listens
        else "polling every 1 s"
    )
    if later:
        how += ", events accepted for later (Prefer: respond-async)"
    print(
        f"\n2. Event -> stored in the LRS, {count} events ({total} statements) at "
        f"{rate:g} events/s for {seconds:g} s, one worker {how}:"
    )
    print(f"   ms: {summary(delays)}   (statements delivered: {len(delays)} of {total})")
    return delays


def main() -> None:
    args = parse_args()
    workdir = setup_django(args.database_url)
    from django.db import connection

    from tests.ralph.server import RalphServer, ensure_ralph_venv

    seconds = build_site()
    print(f"database: {connection.vendor}; demo built in {seconds:.1f} s")
    with RalphServer(workdir / "ralph", python=ensure_ralph_venv()) as ralph:
        from django.test import override_settings

        with override_settings(
            XAPI_LRS_ENDPOINT=ralph.endpoint,
            XAPI_LRS_USERNAME=ralph.username,
            XAPI_LRS_PASSWORD=ralph.password,
        ):
            from lms.services.xapi import endpoints_sync_from_settings

            endpoints_sync_from_settings()
            if not args.skip_throughput:
                throughput(ralph, realistic_statements(args.statements), args.batch, args.rounds)
            polled = latency(ralph, args.light_rate, args.seconds, wake=False)
            woken = latency(ralph, args.light_rate, args.seconds, wake=True)
            p95 = percentile(woken, 0.95), percentile(polled, 0.95)
            print(
                f"   light load p95: woken {p95[0]:.0f} ms / polling {p95[1]:.0f} ms = "
                f"{p95[0] / p95[1]:.2f}"
            )
            accepted = latency(ralph, args.light_rate, args.seconds, wake=True, later=True)
            print(
                f"   light load p95, accepted for later: {percentile(accepted, 0.95):.0f} ms "
                f"(recorded at once: {p95[0]:.0f} ms)"
            )
            latency(ralph, args.rate, args.seconds, wake=True)


if __name__ == "__main__":
    main()
