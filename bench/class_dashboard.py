"""Class dashboard figures: SQL queries and render time for classes of 50 and 500 learners
with 30 assigned lessons, and the CSV export of 1,000 and 10,000 learners (streamed: peak
memory should not grow with the class).

    .venv/bin/python bench/class_dashboard.py [--requests 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
import uuid
from datetime import timedelta

from common import build_site, setup_django


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--export-sizes", default="1000,10000")
    return parser.parse_args()


def populate(classroom, lessons, count: int, offset: int) -> None:
    """Learners in the class with a realistic spread of progress, answers and activity."""
    from django.utils import timezone

    from lms.models import ClassMembership, Learner, LearnerEvent, LessonProgress, QuestionAttempt

    now = timezone.now()
    chance = random.Random(offset)
    learners = Learner.objects.bulk_create(
        [Learner(display_name=f"Learner {offset + n:05d}") for n in range(count)]
    )
    ClassMembership.objects.bulk_create(
        [ClassMembership(classroom=classroom, learner=learner) for learner in learners]
    )
    progress, events, attempts = [], [], []
    for learner in learners:
        reached = chance.randint(0, len(lessons))
        for index, lesson in enumerate(lessons[:reached]):
            moment = now - timedelta(days=chance.randint(0, 25), minutes=index)
            done = index < reached - 1
            progress.append(
                LessonProgress(
                    learner=learner,
                    lesson_key=lesson.translation_key,
                    progress=100,
                    first_viewed_at=moment,
                    last_viewed_at=moment,
                    completed_at=moment if done else None,
                )
            )
            event = LearnerEvent(
                learner=learner,
                event_id=uuid.uuid4(),
                kind="answered",
                lesson_key=lesson.translation_key,
                occurred_at=moment,
            )
            events.append(event)
            question = lesson.lms_questions()[0]
            attempts.append(
                (
                    event,
                    QuestionAttempt(
                        learner=learner,
                        lesson_key=lesson.translation_key,
                        question_id=question.id,
                        selected=[question.choices[0].id],
                        correct=chance.random() < 0.7,
                        answered_at=moment,
                    ),
                )
            )
    LessonProgress.objects.bulk_create(progress, batch_size=2000)
    LearnerEvent.objects.bulk_create(events, batch_size=2000)
    for event, attempt in attempts:
        attempt.event = event
    QuestionAttempt.objects.bulk_create([a for _e, a in attempts], batch_size=2000)


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lms.models import School, StaffRole
    from lms.services.assignments import assignment_create
    from lms.services.classes import classroom_create
    from lms.services.learners import learner_sign_up
    from tests.factories import build_course_tree

    build_site(demo=False)
    tree = build_course_tree(modules=3, lessons_per_module=10, translate_to=())
    lessons = [lesson.specific for lesson in tree.lessons]
    educator = learner_sign_up(username="bench-teacher", password="x" * 12).user
    school = School.objects.create(name="Bench school")
    StaffRole.objects.create(user=educator, school=school)
    client = Client()
    client.force_login(educator)
    print(f"database: {connection.vendor}; 3 modules x 10 lessons assigned")

    print(f"\n{'learners':>8} {'SQL':>4} {'median ms':>9} {'p90 ms':>7} {'ms/learner':>10}")
    for size in (50, 500):
        classroom = classroom_create(school=school, name=f"Class of {size}", educator=educator)
        for module in tree.modules:
            assignment_create(
                classroom=classroom, activity_key=module.translation_key, assigned_by=educator
            )
        populate(classroom, lessons, size, offset=size * 100)
        url = f"/en/teach/classes/{classroom.pk}/"
        assert client.get(url).status_code == 200
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        median = statistics.median(timings)
        print(
            f"{size:>8} {len(queries.captured_queries):>4} {median:>9.1f} "
            f"{sorted(timings)[int(0.9 * len(timings))]:>7.1f} {median / size:>10.2f}"
        )

    print(f"\n{'CSV export':>10} {'rows':>7} {'seconds':>8} {'peak MB':>8}  (tracemalloc)")
    for size in (int(n) for n in args.export_sizes.split(",")):
        classroom = classroom_create(school=school, name=f"Export {size}", educator=educator)
        for module in tree.modules:
            assignment_create(
                classroom=classroom, activity_key=module.translation_key, assigned_by=educator
            )
        for start in range(0, size, 2000):
            populate(classroom, lessons, min(2000, size - start), offset=10**6 + size + start)
        tracemalloc.start()
        started = time.perf_counter()
        response = client.get(f"/en/teach/classes/{classroom.pk}/export.csv")
        rows = sum(chunk.count(b"\n") for chunk in response.streaming_content)
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{size:>10} {rows:>7} {elapsed:>8.2f} {peak / 2**20:>8.1f}")


if __name__ == "__main__":
    main()
