"""Reliability under faults, with workers in their own processes as in production: an LRS
outage while learners keep working (real Ralph, down for longer than the longest backoff),
four workers sharing one outbox, and an offline phone's batch replayed by several requests at
once."""

from __future__ import annotations

import signal
import threading
import time

import pytest
import requests
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lms.models import LearnerEvent, Statement, StatementDelivery
from lms.services.xapi import endpoints_sync_from_settings
from tests.factories import enqueue, viewed_json
from tests.workers import delivered_count, wait_until, worker_process

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
QUICK_RETRIES = {"PUENTE_XAPI_BACKOFF_BASE_SECONDS": "0.5", "PUENTE_XAPI_BACKOFF_MAX_SECONDS": "3"}


def stop(process) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except Exception:
        process.kill()
        raise


def test_an_lrs_outage_longer_than_the_longest_backoff_while_learners_keep_working(
    ralph_clean, settings, course_tree, learner
):
    lrs = ralph_clean
    settings.XAPI_LRS_ENDPOINT = lrs.endpoint
    settings.XAPI_LRS_USERNAME = lrs.username
    settings.XAPI_LRS_PASSWORD = lrs.password
    endpoints_sync_from_settings()
    settings.PUENTE_RATE_EVENTS_PER_USER = "100000/m"  # one client plays a whole class
    client = APIClient()
    client.force_authenticate(learner.user)
    worker = worker_process(
        endpoint=lrs.endpoint,
        username=lrs.username,
        password=lrs.password,
        batch_size=20,
        **QUICK_RETRIES,
    )
    try:
        started = time.monotonic()
        # Seconds after the start: the LRS is down for 10 s, more than three times the longest
        # backoff (QUICK_RETRIES), so the worker fails, waits and retries several times.
        outage = (3.0, 13.0)
        sent = 0
        while time.monotonic() - started < outage[1] + 5:
            elapsed = time.monotonic() - started
            if outage[0] <= elapsed < outage[1] and lrs.is_running:
                lrs.stop()
                during_outage = Statement.objects.count()
            elif elapsed >= outage[1] and not lrs.is_running:
                lrs.start()
            lesson = course_tree.lessons[sent % len(course_tree.lessons)]
            response = client.post(
                "/api/v1/events/", {"events": [viewed_json(lesson)]}, format="json"
            )
            assert response.status_code == 200, response.json()
            sent += 1
            time.sleep(0.2)
        total = Statement.objects.count()
        assert total > during_outage + 20  # events kept arriving while the LRS was away
        wait_until(lambda: delivered_count() == StatementDelivery.objects.count(), timeout=90)
    finally:
        stop(worker)
    stored = lrs.statement_ids()
    assert len(stored) == len(set(stored)) == total
    assert set(stored) == {str(i) for i in Statement.objects.values_list("id", flat=True)}


def test_four_workers_share_the_outbox_and_post_each_statement_once(lrs_stub):
    total = 2000
    enqueue(total)
    workers = [
        worker_process(endpoint=lrs_stub.url, username="puente", password="secret", batch_size=20)
        for _ in range(4)
    ]
    try:
        wait_until(lambda: delivered_count() == total, timeout=120)
    finally:
        for worker in workers:
            stop(worker)
    posted = lrs_stub.statement_ids
    # Every statement was POSTed exactly once, and the work was shared.
    assert len(posted) == len(set(posted)) == total
    assert len(set(lrs_stub.peers)) >= 2  # connections from more than one worker


def test_a_batch_replayed_by_several_requests_at_once_is_recorded_once(
    live_server, course_tree, learner
):
    token = Token.objects.create(user=learner.user)
    batch = {"events": [viewed_json(lesson) for lesson in course_tree.lessons[:20]]}
    barrier = threading.Barrier(8)
    answers: list[dict] = []
    failures: list[BaseException] = []

    def replay() -> None:
        try:
            barrier.wait(timeout=10)
            response = requests.post(
                f"{live_server.url}/api/v1/events/",
                json=batch,
                headers={"Authorization": f"Token {token.key}"},
                timeout=60,
            )
            assert response.status_code == 200, response.text[:300]
            answers.append(response.json())
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=replay) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    assert not failures, failures
    assert len(answers) == 8
    assert sum(answer["recorded"] for answer in answers) == len(batch["events"])
    assert all(a["recorded"] + a["duplicates"] == len(batch["events"]) for a in answers)
    assert LearnerEvent.objects.count() == len(batch["events"])
