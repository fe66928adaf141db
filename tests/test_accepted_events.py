"""Events the API checks and keeps now and records a moment later (``Prefer: respond-async``):
refused at once like any event, recorded once by the worker or by the next read of the
learner's progress, with the statements a synchronous request would have stored."""

import logging
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.models import AcceptedEvent, LearnerEvent, LessonProgress, QuestionAttempt, Statement
from lms.services.accepted_events import accepted_events_record, accepted_events_settle
from tests.factories import token_client, viewed_json
from tests.test_events_api import EVENTS_URL, a_whole_lesson, answered

pytestmark = pytest.mark.django_db

ASYNC = {"HTTP_PREFER": "respond-async"}


def send(api, events, **headers):
    return api.post(EVENTS_URL, {"events": events}, format="json", **{**ASYNC, **headers})


def test_accepted_events_are_answered_202_and_recorded_by_the_worker(course_tree, api, learner):
    lesson = course_tree.lessons[0]
    events = a_whole_lesson(lesson)
    response = send(api, events)
    assert response.status_code == 202
    assert response["Preference-Applied"] == "respond-async"
    body = response.json()
    assert body["accepted"] == len(events)
    assert body["recorded"] == body["rejected"] == 0
    assert [r["status"] for r in body["results"]] == ["accepted"] * len(events)
    assert [r["id"] for r in body["results"]] == [e["id"] for e in events]
    assert body["results"][1]["correct"] is True  # graded now: the answer is checked now
    assert not LearnerEvent.objects.exists()
    assert AcceptedEvent.objects.count() == len(events)

    assert accepted_events_record() == len(events)
    assert not AcceptedEvent.objects.exists()
    assert LearnerEvent.objects.filter(learner=learner).count() == len(events)
    progress = LessonProgress.objects.get(learner=learner, lesson_key=lesson.translation_key)
    assert progress.completed_at is not None
    verbs = list(Statement.objects.order_by("created_at").values_list("verb", flat=True))
    assert verbs.count("completed") == 1
    assert verbs[0] == "registered"


def test_the_statements_are_those_a_synchronous_request_stores(course_tree, make_learner):
    """Same learner, same events: recorded later or at once, the same statement ids and
    payloads (each as of when the event arrived)."""
    lesson = course_tree.lessons[0]
    events = a_whole_lesson(lesson)

    def statements_for(headers: dict) -> list[dict]:
        learner = make_learner(f"learner-{len(headers)}")
        client = token_client(learner)
        response = client.post(EVENTS_URL, {"events": events}, format="json", **headers)
        assert response.status_code in (200, 202)
        accepted_events_record()
        rows = Statement.objects.filter(learner=learner).order_by("created_at", "id")
        # Each learner is another actor: compare what does not name them.
        return [
            {k: v for k, v in row.payload.items() if k not in ("id", "actor", "context")}
            for row in rows
        ]

    assert statements_for(ASYNC) == statements_for({})


def test_a_bad_event_is_refused_at_once_and_the_good_ones_kept(course_tree, api):
    lesson = course_tree.lessons[0]
    good = viewed_json(lesson)
    no_lesson = viewed_json(lesson, lesson=str(uuid.uuid4()))
    wrong_question = {**answered(lesson), "question": "no-such-question"}
    response = send(api, [good, no_lesson, wrong_question, None])
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected", "rejected"]
    assert results[1]["errors"] == {"lesson": ["There is no lesson with this key."]}
    assert "question" in results[2]["errors"]
    assert results[3]["errors"] == {"non_field_errors": ["No data provided"]}
    assert AcceptedEvent.objects.count() == 1

    everything_wrong = send(api, [no_lesson])
    assert everything_wrong.status_code == 400
    assert AcceptedEvent.objects.count() == 1


def test_an_event_sent_twice_is_recorded_once(course_tree, api):
    batch = [viewed_json(course_tree.lessons[0]), answered(course_tree.lessons[0])]
    send(api, batch)
    accepted_events_record()
    statements = Statement.objects.count()
    assert send(api, batch).status_code == 202  # its duplicates are known when it is recorded
    send(api, batch)
    assert accepted_events_record() == 4
    assert LearnerEvent.objects.count() == 2
    assert QuestionAttempt.objects.count() == 1
    assert Statement.objects.count() == statements


def test_reading_progress_records_what_was_accepted_first(course_tree, api, learner):
    """No worker ran: the progress the learner reads still has the answer they just gave."""
    lesson = course_tree.lessons[0]
    send(api, a_whole_lesson(lesson))
    course = api.get("/api/v1/me/progress/?language=es").json()[0]
    assert course["modules"][0]["lessons"][0]["status"] == "completed"
    assert course["questions_right"] == len(lesson.specific.lms_questions())
    assert not AcceptedEvent.objects.exists()


def test_finishing_a_lesson_counts_the_answers_the_page_sent_a_moment_ago(
    course_tree, learner_client, learner
):
    """The page sends answers through the API (accepted), then its finish form: the lesson
    is completed, not "answer these questions first"."""
    lesson = course_tree.lessons[0].specific
    answers = a_whole_lesson(lesson)[1:-1]
    response = learner_client.post(
        EVENTS_URL,
        {"events": answers},
        content_type="application/json",
        **ASYNC,
    )
    assert response.status_code == 202
    finish = learner_client.post(lesson.get_url(), {"action": "finish", "event": str(uuid.uuid4())})
    assert finish.status_code == 302
    progress = LessonProgress.objects.get(learner=learner, lesson_key=lesson.translation_key)
    assert progress.completed_at is not None


def test_an_educators_view_of_a_class_records_its_learners_accepted_events(
    course_tree, make_learner
):
    from lms.selectors.assignments import progress_sets

    learners = [make_learner(f"learner-{n}") for n in range(3)]
    lesson = course_tree.lessons[0]
    for learner in learners[:2]:
        send(token_client(learner), a_whole_lesson(lesson))
    sets = progress_sets([learner.pk for learner in learners])
    key = str(lesson.translation_key)
    assert [key in sets[learner.pk].completed_lessons for learner in learners] == [
        True,
        True,
        False,
    ]


def test_an_event_whose_lesson_went_away_is_dropped_with_a_warning(course_tree, api, caplog):
    lesson = course_tree.lessons[0]
    event = viewed_json(lesson)
    send(api, [event])
    AcceptedEvent.objects.update(
        event={**AcceptedEvent.objects.get().event, "lesson": str(uuid.uuid4())}
    )
    with caplog.at_level(logging.WARNING, logger="lms.services.accepted_events"):
        assert accepted_events_record() == 1
    assert not AcceptedEvent.objects.exists()
    assert not LearnerEvent.objects.exists()
    assert f"Accepted event {event['id']} not recorded" in caplog.text


def test_an_event_is_recorded_as_of_when_it_arrived(course_tree, api, learner):
    """Recorded a day later (a worker that was down), an event is still checked against when
    it arrived: not too old, and a phone clock ahead of the server is cut back to then."""
    lesson = course_tree.lessons[0]
    ahead = (timezone.now() + timedelta(hours=2)).isoformat()
    send(api, [viewed_json(lesson, occurred_at=ahead)])
    received = AcceptedEvent.objects.get().received_at
    AcceptedEvent.objects.update(received_at=received - timedelta(days=1))
    accepted_events_record()
    recorded = LearnerEvent.objects.get()
    assert recorded.occurred_at == received - timedelta(days=1)
    assert recorded.received_at == received - timedelta(days=1)


def test_accepting_one_event_writes_one_row_and_reading_nothing_pending_costs_one_query(
    course_tree, api, learner
):
    lesson = course_tree.lessons[0]
    send(api, [viewed_json(lesson)])  # the token's first use, the lesson's context cached
    with CaptureQueriesContext(connection) as queries:
        assert send(api, [viewed_json(lesson)]).status_code == 202
    writes = [q["sql"] for q in queries.captured_queries if "INSERT INTO" in q["sql"]]
    assert len(writes) == 1
    assert "lms_acceptedevent" in writes[0]
    accepted_events_record()
    with CaptureQueriesContext(connection) as queries:
        accepted_events_settle(learner=learner)
    assert len(queries.captured_queries) == 1


def test_without_the_preference_the_answer_is_as_before(course_tree, api):
    response = api.post(EVENTS_URL, {"events": [answered(course_tree.lessons[0])]}, format="json")
    assert response.status_code == 200
    assert "Preference-Applied" not in response
    assert "accepted" not in response.json()
    assert response.json()["results"][0]["status"] == "recorded"
    other = send(api, [viewed_json(course_tree.lessons[1])], HTTP_PREFER="return=minimal")
    assert other.status_code == 200


def test_the_delivery_worker_records_accepted_events_before_it_sends(course_tree, api, learner):
    from lms.xapi.worker import DeliveryWorker

    send(api, a_whole_lesson(course_tree.lessons[0]))
    worker = DeliveryWorker()
    try:
        report = worker.run(once=True)
    finally:
        worker.close()
    assert report.recorded == len(a_whole_lesson(course_tree.lessons[0]))
    assert not AcceptedEvent.objects.exists()
    assert Statement.objects.filter(learner=learner).exists()


def test_a_learner_whose_events_fail_does_not_hold_up_the_others(
    course_tree, make_learner, monkeypatch, caplog
):
    from lms.services import accepted_events

    stuck, fine = make_learner("stuck"), make_learner("fine")
    send(token_client(stuck), [viewed_json(course_tree.lessons[0])])
    send(token_client(fine), [viewed_json(course_tree.lessons[0])])
    real = accepted_events.learner_event_record

    def fails_for_stuck(*, learner, **kwargs):
        if learner == stuck:
            raise RuntimeError("a bug")
        return real(learner=learner, **kwargs)

    monkeypatch.setattr(accepted_events, "learner_event_record", fails_for_stuck)
    with caplog.at_level(logging.ERROR, logger="lms.services.accepted_events"):
        assert accepted_events_record() == 1
    assert LearnerEvent.objects.filter(learner=fine).exists()
    assert AcceptedEvent.objects.filter(learner=stuck).count() == 1  # kept for another try
    assert f"Could not record learner {stuck.pk}'s accepted events" in caplog.text


def test_reading_progress_records_every_waiting_event_not_only_the_first_turn(
    course_tree, api, learner, monkeypatch
):
    from lms.services import accepted_events

    monkeypatch.setattr(accepted_events, "RECORD_AT_ONCE", 2)
    send(api, [viewed_json(lesson) for lesson in course_tree.lessons[:5]])
    accepted_events_settle(learner=learner)
    assert not AcceptedEvent.objects.exists()
    assert LearnerEvent.objects.filter(learner=learner).count() == 5


def test_operators_see_events_waiting_for_a_worker(course_tree, api, client, settings):
    from lms.services.xapi import worker_heartbeat

    send(api, [viewed_json(course_tree.lessons[0]), viewed_json(course_tree.lessons[1])])
    ready = client.get("/health/ready").json()
    assert ready["outbox"]["events_waiting"] == 2
    assert ready["degraded"] == ["no delivery worker"]
    settings.PUENTE_METRICS_TOKEN = "scrape-me"
    worker_heartbeat(worker_id="host:1:abc")
    metrics = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me").content.decode()
    assert "puente_events_waiting 2.0" in metrics
    assert client.get("/health/ready").json()["status"] == "ok"
