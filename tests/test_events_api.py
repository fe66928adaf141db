"""The REST API: event batches (idempotent, partial), progress, catalog, schema, auth."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lms.models import LearnerEvent, QuestionAttempt, Statement
from tests.factories import viewed_json

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/events/"


def answered(lesson, **extra):
    question = lesson.specific.lms_questions()[0]
    return viewed_json(
        lesson,
        type="answered",
        question=question.id,
        choices=[c.id for c in question.choices if c.correct],
        **extra,
    )


def test_events_need_authentication(course_tree):
    response = APIClient().post(
        EVENTS_URL, {"events": [viewed_json(course_tree.lessons[0])]}, format="json"
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_session_authentication_needs_csrf(course_tree, learner):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(learner.user)
    response = client.post(
        EVENTS_URL, {"events": [viewed_json(course_tree.lessons[0])]}, format="json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_batch_replayed_three_times_is_recorded_once(course_tree, api):
    batch = {
        "events": [
            viewed_json(course_tree.lessons[0]),
            answered(course_tree.lessons[0]),
            viewed_json(course_tree.lessons[1]),
        ]
    }
    first = api.post(EVENTS_URL, batch, format="json")
    assert first.status_code == 200
    assert first.json()["recorded"] == 3
    statements = Statement.objects.count()
    for _ in range(2):
        again = api.post(EVENTS_URL, batch, format="json")
        assert again.status_code == 200
        assert again.json()["duplicates"] == 3
    assert LearnerEvent.objects.count() == 3
    assert Statement.objects.count() == statements


def test_an_answer_reports_whether_it_was_right(course_tree, api):
    response = api.post(EVENTS_URL, {"events": [answered(course_tree.lessons[0])]}, format="json")
    result = response.json()["results"][0]
    assert result["status"] == "recorded"
    assert result["correct"] is True
    assert QuestionAttempt.objects.get().correct


def test_a_bad_event_does_not_cost_the_good_ones(course_tree, api):
    good = viewed_json(course_tree.lessons[0])
    unknown_lesson = viewed_json(course_tree.lessons[0], lesson=str(uuid.uuid4()))
    malformed_id = viewed_json(course_tree.lessons[1], id="not-a-uuid")
    wrong_types = viewed_json(course_tree.lessons[1], occurred_at=12, type="danced")
    too_old = viewed_json(
        course_tree.lessons[1], occurred_at=(timezone.now() - timedelta(days=40)).isoformat()
    )
    response = api.post(
        EVENTS_URL,
        {
            "events": [
                *(good, unknown_lesson, malformed_id, wrong_types, too_old, "not an object"),
                None,
            ]
        },
        format="json",
    )
    assert response.status_code == 207
    body = response.json()
    assert (body["recorded"], body["rejected"]) == (1, 6)
    results = body["results"]
    assert results[0] == {"id": good["id"], "status": "recorded", "lesson_completed": False}
    assert results[1]["errors"] == {"lesson": ["There is no lesson with this key."]}
    assert results[2]["errors"]["id"] == ["Must be a valid UUID."]
    assert set(results[3]["errors"]) == {"occurred_at", "type"}
    assert "older than 30 days" in results[4]["errors"]["occurred_at"][0]
    assert "Expected a dictionary" in results[5]["errors"]["non_field_errors"][0]
    assert results[6] == {
        "id": None,
        "status": "rejected",
        "errors": {"non_field_errors": ["No data provided"]},
    }
    assert LearnerEvent.objects.count() == 1


def test_a_lone_surrogate_in_the_json_is_judged_like_any_other_bad_text(course_tree, api):
    """JSON can spell text no UTF-8 can hold ("\\ud800", JavaScript text cut inside an emoji):
    the event holding it is refused with a message, the good event beside it is recorded."""
    good = viewed_json(course_tree.lessons[0])
    cut_id = viewed_json(course_tree.lessons[1], id=good["id"][:-1] + "\ud83d")
    body = json.dumps({"events": [good, cut_id]})  # ASCII JSON: the surrogate as an escape
    assert "\\ud83d" in body
    response = api.post(EVENTS_URL, body, content_type="application/json")
    assert response.status_code == 207
    results = response.json()["results"]
    assert results[0]["status"] == "recorded"
    assert results[1]["errors"]["id"] == ["Must be a valid UUID."]
    assert LearnerEvent.objects.count() == 1


def test_a_lone_surrogate_in_another_charset_is_judged_too(course_tree, api):
    """UTF-7 spells a surrogate without any escape (the parser looks for escapes in UTF-8)."""
    good = viewed_json(course_tree.lessons[0])
    cut_id = viewed_json(course_tree.lessons[1], id=good["id"][:-1] + "\ud83d")
    body = json.dumps({"events": [good, cut_id]}, ensure_ascii=False).encode("utf-7")
    assert b"\\u" not in body
    response = api.post(EVENTS_URL, body, content_type="application/json; charset=utf-7")
    assert response.status_code == 207
    assert response.json()["results"][1]["errors"]["id"] == ["Must be a valid UUID."]
    assert LearnerEvent.objects.count() == 1


def test_an_answer_without_a_question_is_rejected(course_tree, api):
    bad = viewed_json(course_tree.lessons[0], type="answered")
    response = api.post(EVENTS_URL, {"events": [bad]}, format="json")
    assert response.status_code == 400
    assert response.json()["results"][0]["errors"] == {
        "question": ["An answer needs its question."]
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Send a non-empty list of events."),
        ({"events": []}, "Send a non-empty list of events."),
        ({"events": "lots"}, "Send a non-empty list of events."),
        ([1, 2], "Send a non-empty list of events."),
    ],
)
def test_malformed_batches_get_a_clear_400(api, body, message):
    response = api.post(EVENTS_URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"events": [message]}


def test_malformed_json_is_a_400(api):
    response = api.post(EVENTS_URL, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_an_oversized_batch_is_a_413(course_tree, api, settings):
    settings.PUENTE_EVENTS_MAX_BATCH = 5
    events = [viewed_json(course_tree.lessons[0]) for _ in range(6)]
    response = api.post(EVENTS_URL, {"events": events}, format="json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "At most 5 events per request; this one has 6.",
        "code": "too_large",
    }
    assert not LearnerEvent.objects.exists()


def test_learners_only_see_their_own_progress(course_tree, api, make_learner):
    other = make_learner("other")
    other_api = APIClient()
    other_api.force_authenticate(other.user)
    other_api.post(EVENTS_URL, {"events": [viewed_json(course_tree.lessons[2])]}, format="json")
    api.post(EVENTS_URL, {"events": [viewed_json(course_tree.lessons[0])]}, format="json")

    course = api.get("/api/v1/me/progress/?language=en").json()[0]
    statuses = [lesson["status"] for m in course["modules"] for lesson in m["lessons"]]
    assert statuses == ["in_progress"] + ["not_started"] * 5
    assert course["continue_url"] == course_tree.lessons[0].get_url()
    assert APIClient().get("/api/v1/me/progress/").status_code == 401


def test_progress_reports_percent_and_questions_right(course_tree, api):
    lesson = course_tree.lessons[1]
    api.post(
        EVENTS_URL,
        {"events": [answered(lesson), viewed_json(lesson, type="completed")]},
        format="json",
    )
    course = api.get("/api/v1/me/progress/?language=es").json()[0]
    assert course["title"] == "[es] Family Digital Skills"
    assert course["percent"] == 17  # one lesson of six
    assert course["questions_right"] == 1
    module = course["modules"][0]
    assert module["percent"] == 33
    assert module["lessons"][1]["status"] == "completed"


def test_catalog_lists_lesson_keys_in_the_requested_language(course_tree):
    response = APIClient().get("/api/v1/catalog/?language=es")
    assert response.status_code == 200
    course = response.json()[0]
    assert course["title"] == "[es] Family Digital Skills"
    lesson = course["modules"][0]["lessons"][0]
    assert lesson["key"] == str(course_tree.lessons[0].translation_key)
    assert lesson["url"].startswith("/es/")
    assert lesson["questions"] == 3


def test_schema_documents_only_puentes_api():
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert set(schema["paths"]) == {
        "/api/v1/events/",
        "/api/v1/me/progress/",
        "/api/v1/catalog/",
        "/api/v1/classes/",
        "/api/v1/classes/join/",
        "/api/v1/classes/{classroom_id}/members/",
        "/api/v1/classes/{classroom_id}/assignments/",
        "/api/v1/classes/{classroom_id}/dashboard/",
        "/api/v1/classes/{classroom_id}/",
        "/api/v1/classes/{classroom_id}/assignments/{assignment_id}/",
        "/api/v1/classes/{classroom_id}/members/{learner_id}/",
        "/api/v1/classes/{classroom_id}/members/{learner_id}/move/",
        "/api/v1/classes/{classroom_id}/members/{learner_id}/password/",
        "/api/v1/classes/{classroom_id}/messages/",
        "/api/v1/classes/{classroom_id}/messages/{message_id}/",
        "/api/v1/activity/",
        "/api/v1/household/",
        "/api/v1/help/requests/",
        "/api/v1/help/requests/{help_request_id}/",
        "/api/v1/help/requests/{help_request_id}/handling/",
        "/api/v1/help/requests/{help_request_id}/replies/",
    }
    responses = schema["paths"]["/api/v1/events/"]["post"]["responses"]
    assert {"200", "207", "400", "413"} <= set(responses)


def test_api_docs_are_served_without_a_cdn():
    html = APIClient().get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html


def a_whole_lesson(lesson) -> list[dict]:
    """What a phone sends after an offline lesson: opened, every question answered, finished."""
    events = [viewed_json(lesson)]
    for question in lesson.specific.lms_questions():
        events.append(
            viewed_json(
                lesson,
                type="answered",
                question=question.id,
                choices=[c.id for c in question.choices if c.correct],
            )
        )
    events.append(viewed_json(lesson, type="completed"))
    return events


def test_a_whole_lesson_in_one_batch_completes_it_once(course_tree, api, learner):
    from lms.models import LessonProgress

    lesson = course_tree.lessons[0]
    events = a_whole_lesson(lesson)
    assert len(events) >= 3  # the lesson has a question
    response = api.post(EVENTS_URL, {"events": events}, format="json")
    results = response.json()["results"]
    assert response.status_code == 200
    assert [r["lesson_completed"] for r in results] == [False] * (len(events) - 1) + [True]
    progress = LessonProgress.objects.get(learner=learner, lesson_key=lesson.translation_key)
    assert progress.completed_at is not None
    assert progress.progress == 100
    verbs = list(Statement.objects.order_by("created_at").values_list("verb", flat=True))
    assert verbs.count("completed") == 1  # the lesson (its module has other lessons)
    assert verbs.index("registered") < verbs.index("experienced") < verbs.index("completed")


def test_a_batch_stores_its_statements_in_one_insert_of_values(course_tree, api):
    """Not PostgreSQL's UNNEST of arrays: psycopg quotes an array of JSON text in Python, and
    that made storing statements 1.5x slower (lms.models.xapi.InsertedAsValuesJSONField)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    events = [viewed_json(lesson) for lesson in course_tree.lessons[:3]]
    with CaptureQueriesContext(connection) as queries:
        assert api.post(EVENTS_URL, {"events": events}, format="json").status_code == 200
    inserts = [q["sql"] for q in queries.captured_queries if 'INTO "lms_statement"' in q["sql"]]
    assert len(inserts) == 1
    assert Statement.objects.count() >= 4  # the registration and each lesson's "experienced"
    assert "UNNEST" not in inserts[0].upper()


def test_a_batch_reads_what_its_events_share_once(course_tree, api):
    """The SQL an event costs in a batch does not include the reads its batch shares (token,
    class, LTI context, registration, progress) nor the statements' inserts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(events: list[dict]) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.post(EVENTS_URL, {"events": events}, format="json").status_code == 200
        return len(queries.captured_queries)

    lesson = course_tree.lessons[0]
    cost([viewed_json(lesson)])  # the first event registers the learner in the course
    one = cost([viewed_json(lesson)])
    eleven = cost([viewed_json(lesson) for _ in range(11)])
    assert one <= 13
    assert (eleven - one) / 10 <= 4  # the event's insert in its savepoint, its progress


def test_a_wrong_or_disabled_account_token_is_refused_in_drf_s_words(course_tree, learner):
    batch = {"events": [viewed_json(course_tree.lessons[0])]}
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = wrong.post(EVENTS_URL, batch, format="json")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."

    token = Token.objects.create(user=learner.user)
    learner.user.is_active = False
    learner.user.save()
    disabled = APIClient()
    disabled.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = disabled.post(EVENTS_URL, batch, format="json")
    assert response.status_code == 401
    assert response.json()["detail"] == "User inactive or deleted."
    assert not LearnerEvent.objects.exists()
