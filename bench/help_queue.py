"""Help queue figures: SQL queries and render time of a helper's queue page, and of the school
administrator's (with the figures under it), at 10, 1,000 and 10,000 help requests; and the
time of each administrator figure (one query each). The query count must not grow with the
queue; render time should stay flat (a page shows 30 requests).

    .venv/bin/python bench/help_queue.py [--requests 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import timedelta

from common import build_site, page_figures, setup_django

LANGUAGES = ["es", "vi", "zh-hans", "ar", "en", "so"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sizes", default="10,1000,10000")
    return parser.parse_args()


def populate(*, school, classroom, lessons, helper, count: int, offset: int) -> None:
    """Requests from the class's learners over the last 8 weeks, in several languages and
    states, a third of them answered (bulk: the services are measured by the tests)."""
    from django.utils import timezone

    from lms.models import ClassMembership, HelpReply, HelpRequest, HelpStatus, Learner

    chance = random.Random(offset)
    now = timezone.now()
    learners = Learner.objects.bulk_create(
        [Learner(display_name=f"Family {offset + n:05d}") for n in range(max(1, count // 3))]
    )
    ClassMembership.objects.bulk_create(
        [ClassMembership(classroom=classroom, learner=learner) for learner in learners]
    )
    requests = []
    for number in range(count):
        created = now - timedelta(minutes=chance.randint(0, 8 * 7 * 24 * 60))
        answered = number % 3 == 0
        requests.append(
            HelpRequest(
                client_id=uuid.uuid4(),
                learner=learners[number % len(learners)],
                school=school,
                classroom=classroom,
                lesson_key=lessons[number % len(lessons)].translation_key,
                message=f"Request {offset + number}: I cannot open the school app.",
                language=LANGUAGES[number % len(LANGUAGES)],
                status=HelpStatus.ANSWERED if answered else HelpStatus.NEW,
                assigned_to=helper if answered else None,
                created_at=created,
                first_reply_at=created + timedelta(hours=chance.randint(1, 48))
                if answered
                else None,
            )
        )
    HelpRequest.objects.bulk_create(requests, batch_size=2000)
    HelpReply.objects.bulk_create(
        [
            HelpReply(request=request, author=helper, text="Try this.", language=request.language)
            for request in requests
            if request.status == HelpStatus.ANSWERED
        ],
        batch_size=2000,
    )


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lms.models import HelpRequest, School, StaffRole
    from lms.selectors.help import (
        help_median_first_reply,
        help_open_older_than,
        help_requests_per_week,
    )
    from lms.services.classes import classroom_create
    from lms.services.learners import learner_sign_up
    from tests.factories import build_course_tree

    build_site(demo=False)
    tree = build_course_tree(modules=2, lessons_per_module=5, translate_to=("es",))
    lessons = list(tree.lessons)
    school = School.objects.create(name="Bench school")
    helper = learner_sign_up(username="bench-helper", password="x" * 12).user
    StaffRole.objects.create(user=helper, school=school, role=StaffRole.Role.HELPER)
    admin = learner_sign_up(username="bench-admin", password="x" * 12).user
    StaffRole.objects.create(user=admin, school=school, role=StaffRole.Role.ADMINISTRATOR)
    classroom = classroom_create(school=school, name="Family night", educator=helper)
    helper_client, admin_client = Client(), Client()
    helper_client.force_login(helper)
    admin_client.force_login(admin)
    schools = School.objects.filter(pk=school.pk)
    print(f"database: {connection.vendor}; a page shows 30 requests")

    header = (
        f"{'requests':>8} {'page':>7} {'SQL':>4} {'median ms':>9} {'p90 ms':>7}   "
        f"{'per week':>8} {'median':>7} {'stale':>6}  (figure ms, 1 query each)"
    )
    print("\n" + header)
    done = 0
    baseline = None
    for size in (int(n) for n in args.sizes.split(",")):
        populate(
            school=school,
            classroom=classroom,
            lessons=lessons,
            helper=helper,
            count=size - done,
            offset=done,
        )
        done = size
        assert HelpRequest.objects.count() == size
        figure_ms = []
        for figure in (help_requests_per_week, help_median_first_reply, help_open_older_than):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                figure(schools=schools)
            figure_ms.append((time.perf_counter() - started) * 1000)
            assert len(queries.captured_queries) == 1, figure.__name__
        for name, client in (("helper", helper_client), ("admin", admin_client)):
            count, median, p90 = page_figures(client, "/es/teach/help/?status=new", args.requests)
            if name == "helper":
                baseline = baseline or (count, median)
            print(
                f"{size:>8} {name:>7} {count:>4} {median:>9.1f} {p90:>7.1f}   "
                f"{figure_ms[0]:>8.1f} {figure_ms[1]:>7.1f} {figure_ms[2]:>6.1f}"
            )
    print(
        f"\nqueries at {done} requests / at the first size: same page, same count is the goal "
        f"(helper baseline: {baseline[0]} queries, {baseline[1]:.1f} ms)"
    )


if __name__ == "__main__":
    main()
