"""The delivery worker wakes when statements are stored or events accepted for later
(PostgreSQL LISTEN/NOTIFY), not on its next poll; a rolled-back transaction wakes nobody;
without PostgreSQL it polls."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone

from lms.models import EventKind
from lms.services.accepted_events import learner_events_accept
from lms.services.learners import learner_sign_up
from lms.services.progress import EventInput
from lms.services.xapi import endpoints_sync_from_settings, statements_enqueue
from lms.xapi.wakeup import Wakeup

# Serialized rollback, like every transactional test here (tests/test_households.py says why).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's"
)


def statement() -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://puente.example.org", "name": str(uuid.uuid4())},
        },
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "x"}},
        "object": {"objectType": "Activity", "id": "https://puente.example.org/xapi/a/1"},
        "timestamp": "2026-11-29T12:00:00.000Z",
    }


def waited(wakeup: Wakeup, seconds: float, during) -> tuple[bool, float]:
    """How long ``wakeup.wait`` took while ``during`` ran in another thread, and whether it
    was woken."""
    stop = threading.Event()
    result = {}

    def wait() -> None:
        started = time.monotonic()
        result["woken"] = wakeup.wait(seconds, stop)
        result["took"] = time.monotonic() - started

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.3)  # listening by now
    during()
    thread.join()
    return result["woken"], result["took"]


@needs_postgres
def test_a_committed_statement_wakes_the_worker_and_a_rolled_back_one_does_not(settings):
    settings.XAPI_LRS_ENDPOINT = "http://127.0.0.1:9/xapi/"
    endpoints_sync_from_settings()
    learner = learner_sign_up(username="wakeup", password="x" * 12)
    wakeup = Wakeup()
    try:
        wakeup.wait(0.01, threading.Event())  # starts listening

        def store() -> None:
            with transaction.atomic():
                statements_enqueue(statements=[statement()], learner=learner, event=None)

        woken, took = waited(wakeup, 5.0, store)
        assert woken
        assert took < 1.0  # not the 5 s of polling

        def store_and_roll_back() -> None:
            with transaction.atomic():
                statements_enqueue(statements=[statement()], learner=learner, event=None)
                transaction.set_rollback(True)

        woken, took = waited(wakeup, 1.0, store_and_roll_back)
        assert not woken
        assert took >= 0.95
    finally:
        wakeup.close()


@needs_postgres
def test_a_lost_listening_connection_falls_back_to_polling_and_listens_again():
    wakeup = Wakeup()
    try:
        wakeup.wait(0.01, threading.Event())
        wakeup._database.connection.close()  # the database went away under it
        started = time.monotonic()
        assert wakeup.wait(0.3, threading.Event()) is False
        assert 0.25 <= time.monotonic() - started < 2
        assert wakeup._database is None
        assert wakeup.wait(0.05, threading.Event()) is False
        assert wakeup._database is not None  # listening again
    finally:
        wakeup.close()


def test_without_postgresql_the_worker_polls(monkeypatch):
    wakeup = Wakeup()
    monkeypatch.setattr(wakeup, "listens", False)
    started = time.monotonic()
    assert wakeup.wait(0.2, threading.Event()) is False
    assert time.monotonic() - started >= 0.19
    assert wakeup._database is None


@needs_postgres
def test_events_accepted_for_later_wake_the_worker():
    learner = learner_sign_up(username="accepting", password="x" * 12)
    event = EventInput(
        event_id=uuid.uuid4(),
        kind=EventKind.VIEWED,
        lesson_key=uuid.uuid4(),
        occurred_at=timezone.now(),
    )
    wakeup = Wakeup()
    try:
        wakeup.wait(0.01, threading.Event())  # starts listening
        woken, took = waited(
            wakeup,
            5.0,
            lambda: learner_events_accept(learner=learner, events=[event], now=timezone.now()),
        )
        assert woken
        assert took < 1.0
    finally:
        wakeup.close()
