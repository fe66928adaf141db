"""The class dashboard: statuses, hard questions, activity chart, CSV; queries stay constant."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.models import ClassMembership, EventKind, Learner
from lms.selectors.dashboard import class_dashboard
from lms.services.assignments import assignment_create
from lms.services.progress import learner_event_record
from tests.factories import lesson_event, lesson_finish, past_due
from tests.people import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def assigned(world, course_tree):
    past_due(
        assignment_create(
            classroom=world.class_a1,
            activity_key=course_tree.modules[0].translation_key,
            assigned_by=world.users["educator"],
        )
    )
    assignment_create(
        classroom=world.class_a1,
        activity_key=course_tree.modules[1].translation_key,
        assigned_by=world.users["educator"],
        learners=[world.child],
    )
    return world


def test_grid_shows_each_learners_status_with_overdue(assigned, course_tree):
    ana, kiko = assigned.learners["ana"], assigned.child
    for lesson in course_tree.lessons[:3]:
        lesson_finish(ana, lesson)
    learner_event_record(learner=kiko, event=lesson_event(course_tree.lessons[0], EventKind.VIEWED))
    dashboard = class_dashboard(classroom=assigned.class_a1, language="en")
    assert [c.node.title for c in dashboard.columns] == ["Module 1", "Module 2"]
    rows = {row.learner.name: row for row in dashboard.rows}
    ana_row, kiko_row = rows["ana"], rows["Kiko"]
    assert (ana_row.cells[0].status, ana_row.cells[0].overdue) == ("completed", False)
    assert ana_row.cells[1] is None  # module 2 is assigned to Kiko only
    assert (kiko_row.cells[0].status, kiko_row.cells[0].overdue) == ("in_progress", True)
    assert kiko_row.cells[1].status == "not_started"
    assert ana_row.last_active is not None
    assert dashboard.completions_by_day[-1][1] == 3


def test_the_question_most_learners_miss_comes_first(assigned, course_tree):
    for learner in (assigned.learners["ana"], assigned.child):
        lesson_finish(learner, course_tree.lessons[1], right=False)
        lesson_finish(learner, course_tree.lessons[2], right=True)
    hardest = class_dashboard(classroom=assigned.class_a1, language="en").hardest_questions
    assert hardest[0].lesson.title == "Lesson 1.2"
    assert hardest[0].success_percent == 0
    assert hardest[0].learners == 2
    assert hardest[-1].success_percent == 100


def add_learners(world, course_tree, count):
    """Learners with progress in the assigned modules (built directly, for speed)."""
    from lms.models import LessonProgress

    now = timezone.now()
    for n in range(count):
        learner = Learner.objects.create(display_name=f"Learner {n:03d}")
        ClassMembership.objects.create(classroom=world.class_a1, learner=learner)
        LessonProgress.objects.bulk_create(
            [
                LessonProgress(
                    learner=learner,
                    lesson_key=lesson.translation_key,
                    progress=100,
                    last_viewed_at=now,
                    completed_at=now if i % 2 else None,
                )
                for i, lesson in enumerate(course_tree.lessons)
            ]
        )


def dashboard_queries(client, world):
    url = f"/en/teach/classes/{world.class_a1.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_dashboard_queries_do_not_grow_with_the_class(assigned, course_tree, client):
    client.force_login(assigned.users["educator"])
    add_learners(assigned, course_tree, 5)
    small = dashboard_queries(client, assigned)
    add_learners(assigned, course_tree, 45)
    large = dashboard_queries(client, assigned)
    assert small == large
    api = class_dashboard(classroom=assigned.class_a1, language="en")
    assert len(api.rows) == 52


def test_csv_export_streams_one_row_per_learner_safely(assigned, course_tree, client):
    Learner.objects.filter(pk=assigned.child.pk).update(display_name='=HYPERLINK("x")')
    add_learners(assigned, course_tree, 3)
    client.force_login(assigned.users["administrator"])
    response = client.get(f"/en/teach/classes/{assigned.class_a1.pk}/export.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["name", "username", "last_active", "Module 1 (%)", "Module 2 (%)"]
    assert len(rows) == 1 + 5
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("x")' in names  # never run as a formula
    assert "ana" in names


def test_dashboard_page_shows_assignments_learners_behind_first_and_weeks(
    assigned, course_tree, client
):
    lesson_finish(assigned.learners["ana"], course_tree.lessons[0])
    client.force_login(assigned.users["educator"])
    html = client.get(f"/en/teach/classes/{assigned.class_a1.pk}/").content.decode()
    summaries = html[html.index('class="summaries"') : html.index('id="learners"')]
    assert "Module 1" in summaries
    assert "2 overdue" in summaries  # the module was due yesterday, and nobody finished it
    learners = html[html.index('id="learners"') : html.index("Questions learners miss most")]
    assert learners.index("Kiko") < learners.index("ana")  # the most behind first
    assert f"/en/teach/classes/{assigned.class_a1.pk}/learners/{assigned.child.pk}/" in learners
    assert "Lessons completed each week" in html
    assert "<svg" not in html  # no chart with tiny labels: text the size of the page's
    assert assigned.class_a1.join_code in html
