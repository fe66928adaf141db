"""End to end against a real Ralph LRS: every statement arrives exactly once, through outages,
bad statements and a worker killed in the middle of its batches."""

import signal
import time
import uuid
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from lms.models import DeliveryStatus, Statement, StatementDelivery
from lms.services.xapi import endpoints_sync_from_settings, statements_enqueue
from lms.xapi.worker import DeliveryWorker
from tests.factories import enqueue, make_due, run_once, statement
from tests.workers import delivered_count, wait_until, worker_process

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def lrs(ralph_clean, settings):
    settings.XAPI_LRS_ENDPOINT = ralph_clean.endpoint
    settings.XAPI_LRS_USERNAME = ralph_clean.username
    settings.XAPI_LRS_PASSWORD = ralph_clean.password
    endpoints_sync_from_settings()
    return ralph_clean


def outbox_ids() -> set[str]:
    return {str(i) for i in Statement.objects.values_list("id", flat=True)}


@pytest.mark.django_db
def test_learner_actions_reach_the_lrs_exactly_once(course_tree, learner, learner_client, lrs):
    lesson = course_tree.lessons[0].specific
    url = lesson.get_url()
    learner_client.get(url)  # browser-facing views
    for question in lesson.lms_questions():
        learner_client.post(
            url, {"question": question.id, "choice": [c.id for c in question.choices if c.correct]}
        )
    learner_client.post(url, {"action": "finish"})
    api = APIClient()
    api.force_authenticate(learner.user)
    second = course_tree.lessons[1]
    api.post(  # and the JSON API
        "/api/v1/events/",
        {
            "events": [
                {
                    "id": str(uuid.uuid4()),
                    "type": "viewed",
                    "lesson": str(second.translation_key),
                    "occurred_at": timezone.now().isoformat(),
                }
            ]
        },
        format="json",
    )
    run_once()
    stored = lrs.statement_ids()
    assert len(stored) == len(set(stored)) == Statement.objects.count() > 8
    assert set(stored) == outbox_ids()
    verbs = {s["verb"]["id"].rsplit("/", 1)[1] for s in lrs.statements()}
    assert verbs == {"registered", "experienced", "answered", "progressed", "completed", "passed"}
    # Running the worker again sends nothing: everything is acknowledged.
    assert run_once().requests == 0
    assert lrs.count() == len(stored)


@pytest.mark.django_db
def test_everything_arrives_after_the_lrs_comes_back(lrs):
    enqueue(30)
    lrs.stop()
    report = run_once()
    assert report.retried == 30
    assert set(StatementDelivery.objects.values_list("status", flat=True)) == {"pending"}
    enqueue(20)  # events keep arriving while the LRS is away
    run_once()
    lrs.start()
    make_due()
    run_once()
    assert sorted(lrs.statement_ids()) == sorted(outbox_ids())
    assert lrs.count() == 50


@pytest.mark.django_db
@pytest.mark.invalid_statements
def test_an_invalid_statement_is_dead_lettered_and_the_rest_arrive(lrs):
    good = [statement() for _ in range(9)]
    invalid = statement()
    del invalid["verb"]
    statements_enqueue(statements=[*good[:4], invalid, *good[4:]], learner=None, event=None)
    report = run_once()
    assert report.delivered == 9
    assert report.dead == 1
    dead = StatementDelivery.objects.get(status=DeliveryStatus.DEAD)
    assert str(dead.statement_id) == invalid["id"]
    assert dead.last_status_code in (400, 422)
    assert "verb" in dead.last_response  # the LRS's own explanation, for a person to read
    assert sorted(lrs.statement_ids()) == sorted(s["id"] for s in good)


# serialized_rollback: the flush after a transactional test would drop the root page,
# locale and site that Wagtail's migrations create.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(lrs):
    total = 1000
    enqueue(total)
    for target in (100, 350, 600):  # kill it three times, each time in the middle of its work
        process = worker_process(
            endpoint=lrs.endpoint, username=lrs.username, password=lrs.password, batch_size=10
        )
        wait_until(lambda target=target: delivered_count() >= target)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert delivered_count() < total
    time.sleep(1.1)  # the killed worker's leases run out
    worker = DeliveryWorker(batch_size=50)
    worker.run(once=True)
    worker.close()
    assert delivered_count() == total
    stored = lrs.statement_ids()
    assert len(stored) == len(set(stored)) == total
    assert set(stored) == outbox_ids()
