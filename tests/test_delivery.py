"""Delivery outcomes against a misbehaving LRS on loopback (see tests/lrs_stub.py)."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from lms.models import DeliveryStatus, LrsEndpoint, Statement, StatementDelivery
from lms.queues import backoff
from lms.services.xapi import endpoint_backfill, endpoint_resume
from lms.xapi.client import LrsClient
from lms.xapi.delivery import deliveries_claim, deliveries_send
from tests.factories import enqueue, make_due, run_once, statement
from tests.lrs_stub import RESET, STALL, stub_lrs

pytestmark = pytest.mark.django_db


MARKER = "https://puente.example.org/xapi/test-marker"


def marker(item: dict) -> str:
    return item["context"]["extensions"][MARKER]


def statuses() -> dict[str, int]:
    result: dict[str, int] = {}
    for status in StatementDelivery.objects.values_list("status", flat=True):
        result[status] = result.get(status, 0) + 1
    return result


def test_statements_are_sent_in_batches_over_one_connection(lrs_stub):
    enqueue(25)
    report = run_once(batch_size=10)
    assert report.delivered == 25
    assert [len(batch) for batch in lrs_stub.requests] == [10, 10, 5]
    assert statuses() == {"delivered": 25}
    assert Statement.objects.count() == 25  # delivered statements are kept


def test_requests_carry_the_xapi_version_and_credentials(settings):
    seen = {}
    with stub_lrs() as stub:
        client = LrsClient(stub.url, "puente", "secret")
        original = client.session.post

        def spy(url, **kwargs):
            response = original(url, **kwargs)
            seen.update(response.request.headers)
            seen["url"] = url
            return response

        client.session.post = spy
        assert client.post_statements([statement()]).ok
    assert seen["X-Experience-API-Version"] == "1.0.3"
    assert seen["Authorization"].startswith("Basic ")
    assert seen["url"].endswith("/xAPI/statements")


def test_a_rejected_statement_is_isolated_and_dead_lettered(lrs_stub):
    lrs_stub.respond = lambda batch: (
        (400, json.dumps({"detail": "bad statement"}))
        if any(marker(s) == "bad" for s in batch)
        else (200, json.dumps([s["id"] for s in batch]))
    )
    rows = enqueue(16, markers={11: "bad"})
    report = run_once()
    assert report.dead == 1
    assert report.delivered == 15
    assert report.requests <= 1 + 2 * 4  # a binary search through 16 statements
    dead = StatementDelivery.objects.get(status=DeliveryStatus.DEAD)
    assert dead.statement_id == rows[11].id
    assert dead.last_status_code == 400
    assert "bad statement" in dead.last_response


def as_stored(item: dict) -> dict:
    """The statement as an LRS gives it back: its own properties added, the timestamp in
    another notation, keys in another order, an activity definition of its own."""
    held = json.loads(json.dumps(item))
    held["stored"] = "2026-11-28T15:31:00.000Z"
    held["authority"] = {"objectType": "Agent", "mbox": "mailto:lrs@example.org"}
    held["version"] = "1.0.0"
    held["timestamp"] = "2026-11-28T15:30:40.123000+00:00"
    held["id"] = held["id"].upper()
    held["object"]["definition"] = {"name": {"en-US": "Canonical name"}}
    return dict(reversed(list(held.items())))


def test_409_for_a_statement_the_lrs_holds_identical_means_delivered(lrs_stub):
    rows = enqueue(1)
    lrs_stub.held[str(rows[0].id)] = as_stored(rows[0].payload)
    lrs_stub.respond = lambda batch: (409, "Conflict")
    report = run_once()
    assert (report.delivered, report.dead, report.requests) == (1, 0, 2)
    assert lrs_stub.lookups == [str(rows[0].id)]
    assert statuses() == {"delivered": 1}


def test_409_for_a_different_statement_under_our_id_is_a_dead_letter_with_both(lrs_stub):
    rows = enqueue(1)
    impostor = as_stored(rows[0].payload)
    impostor["verb"] = {"id": "http://adlnet.gov/expapi/verbs/failed"}
    lrs_stub.held[str(rows[0].id)] = impostor
    lrs_stub.respond = lambda batch: (409, "Conflict")
    report = run_once()
    assert (report.delivered, report.dead) == (0, 1)
    dead = StatementDelivery.objects.get()
    assert (dead.status, dead.last_status_code) == (DeliveryStatus.DEAD, 409)
    assert "different statement" in dead.last_response
    assert "experienced" in dead.last_response  # ours
    assert "verbs/failed" in dead.last_response  # theirs


def test_a_batch_409_is_resolved_by_looking_ids_up_not_by_bisecting(lrs_stub):
    """A strict LRS (like ADL's reference LRS) refuses a whole batch with 409 when it holds
    any one of its ids: Puente asks for each id, then sends the rest in one batch."""
    rows = enqueue(100)
    held_same, held_other = rows[10], rows[70]
    lrs_stub.held[str(held_same.id)] = as_stored(held_same.payload)
    other = as_stored(held_other.payload)
    other["actor"]["account"]["name"] = str(uuid.uuid4())
    lrs_stub.held[str(held_other.id)] = other

    def respond(batch):
        if any(s["id"] in lrs_stub.held for s in batch):
            return 409, "Conflict"
        lrs_stub.held.update((s["id"], s) for s in batch)
        return 200, json.dumps([s["id"] for s in batch])

    lrs_stub.respond = respond
    report = run_once()
    assert (report.delivered, report.dead) == (99, 1)
    # One POST answered 409, 100 look-ups, one POST of the 98 it did not hold: 102, where
    # splitting in halves would take 2n - 1 = 199 POSTs.
    assert (len(lrs_stub.requests), len(lrs_stub.lookups)) == (2, 100)
    assert report.requests == 102
    assert len(lrs_stub.requests[1]) == 98
    assert StatementDelivery.objects.get(status=DeliveryStatus.DEAD).statement_id == held_other.id


def test_a_409_that_no_look_up_explains_is_not_looked_up_forever(lrs_stub):
    lrs_stub.respond = lambda batch: (409, "Conflict")  # yet it holds none of them
    enqueue(2)
    report = run_once()
    assert report.dead == 2
    # POST (409), 2 look-ups, POST again (409), then each alone (409 twice): dead letters.
    assert (len(lrs_stub.requests), len(lrs_stub.lookups)) == (4, 2)


def test_auth_errors_pause_the_endpoint_without_losing_anything(lrs_stub):
    lrs_stub.respond = lambda batch: (
        401,
        '{"detail": "Invalid authentication credentials"}',
    )
    enqueue(5)
    report = run_once()
    assert report.paused
    endpoint = LrsEndpoint.objects.get()
    assert endpoint.paused_at is not None
    assert "401" in endpoint.pause_reason
    assert statuses() == {"pending": 5}
    assert set(StatementDelivery.objects.values_list("attempts", flat=True)) == {0}
    # While paused nothing is sent, and the worker does not spin.
    assert run_once().requests == 0
    assert len(lrs_stub.requests) == 1
    lrs_stub.respond = lambda batch: (200, json.dumps([s["id"] for s in batch]))
    endpoint_resume(endpoint=endpoint)
    assert run_once().delivered == 5


@pytest.mark.parametrize("failure", [(503, "Service Unavailable"), STALL, RESET])
def test_server_errors_timeouts_and_resets_retry_with_backoff(lrs_stub, settings, failure):
    settings.PUENTE_XAPI_READ_TIMEOUT = 0.5
    lrs_stub.respond = lambda batch: failure
    enqueue(3)
    before = timezone.now()
    report = run_once()
    assert report.retried == 3
    assert report.requests == 1  # no busy loop: the rows wait for their next attempt
    rows = StatementDelivery.objects.all()
    assert {row.status for row in rows} == {"pending"}
    assert {row.attempts for row in rows} == {1}
    assert all(row.next_attempt_at >= before + timedelta(seconds=2) for row in rows)

    lrs_stub.respond = lambda batch: (200, json.dumps([s["id"] for s in batch]))
    assert run_once().requests == 0  # not due yet
    make_due()
    assert run_once().delivered == 3
    sent = lrs_stub.statement_ids
    assert len(sent) == 6
    assert len(set(sent)) == 3  # the retry resent the identical statements


def test_backoff_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.PUENTE_XAPI_BACKOFF_BASE_SECONDS = 5
    settings.PUENTE_XAPI_BACKOFF_MAX_SECONDS = 3600
    for attempts, step in [(1, 5), (2, 10), (3, 20), (6, 160), (20, 3600)]:
        waits = [backoff(attempts).total_seconds() for _ in range(50)]
        assert all(step / 2 <= wait <= step for wait in waits), (attempts, min(waits), max(waits))
        assert len(set(waits)) > 1


def test_a_batch_that_keeps_failing_is_split_to_free_the_good_statements(lrs_stub, settings):
    settings.PUENTE_XAPI_SPLIT_AFTER_ATTEMPTS = 3
    lrs_stub.respond = lambda batch: (
        (500, "Internal Server Error")
        if any(marker(s) == "poison" for s in batch)
        else (200, json.dumps([s["id"] for s in batch]))
    )
    enqueue(8, markers={5: "poison"})
    for _ in range(2):
        run_once()
        make_due()
    assert statuses() == {"pending": 8}
    run_once()  # third failure: split once; the clean half goes through
    assert statuses() == {"pending": 4, "delivered": 4}
    for _ in range(4):
        make_due()
        run_once()
    assert statuses() == {"pending": 1, "delivered": 7}
    poison = StatementDelivery.objects.get(status="pending")
    assert marker(poison.statement.payload) == "poison"


def test_without_an_lrs_statements_wait_and_are_sent_once_one_is_added(db, settings):
    settings.XAPI_LRS_ENDPOINT = ""
    enqueue(7)
    assert not StatementDelivery.objects.exists()
    assert run_once().requests == 0
    with stub_lrs() as stub:
        LrsEndpoint.objects.create(key="district", name="District", url=stub.url)
        report = run_once()
        assert report.delivered == 7
        assert sorted(stub.statement_ids) == sorted(str(s.id) for s in Statement.objects.all())


def test_backfill_walks_in_chunks_and_finishes(db):
    enqueue(25)
    Statement.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    endpoint = LrsEndpoint.objects.create(key="state", name="State", url="https://lrs.example.org/")
    endpoint.created_at = timezone.now() - timedelta(minutes=5)
    endpoint.save()
    added = [endpoint_backfill(endpoint=endpoint, chunk=10) for _ in range(4)]
    assert added == [10, 10, 5, 0]
    endpoint.refresh_from_db()
    assert endpoint.backfill_done
    assert StatementDelivery.objects.filter(endpoint=endpoint).count() == 25


def test_a_lease_keeps_other_workers_away_until_it_expires(lrs_stub, settings):
    settings.PUENTE_XAPI_LEASE_SECONDS = 60
    enqueue(4)
    endpoint = LrsEndpoint.objects.get()
    first = deliveries_claim(endpoint=endpoint, worker_id="a", limit=10)
    assert len(first) == 4
    assert deliveries_claim(endpoint=endpoint, worker_id="b", limit=10) == []
    later = timezone.now() + timedelta(seconds=61)
    taken_over = deliveries_claim(endpoint=endpoint, worker_id="b", limit=10, now=later)
    assert len(taken_over) == 4
    # The first worker's late answer no longer counts: the rows are b's now.
    report = deliveries_send(
        client=LrsClient(lrs_stub.url), endpoint=endpoint, rows=first, worker_id="a"
    )
    assert report.delivered == 0
    assert statuses() == {"pending": 4}


def test_a_paused_endpoint_resumes_when_its_credentials_change(lrs_stub, settings, client):
    lrs_stub.respond = lambda batch: (401, '{"detail": "Invalid authentication credentials"}')
    enqueue(3)
    assert run_once().paused
    assert run_once().requests == 0  # the same refused password: still paused
    ready = client.get("/health/ready").json()
    assert ready["status"] == "degraded"
    assert ready["outbox"]["paused_endpoints"] == ["default"]

    # The operator fixes the password in the worker's environment and restarts it.
    settings.XAPI_LRS_PASSWORD = "the-right-secret"
    lrs_stub.respond = lambda batch: (200, json.dumps([s["id"] for s in batch]))
    assert run_once().delivered == 3
    assert LrsEndpoint.objects.get().paused_at is None
    assert client.get("/health/ready").json()["outbox"]["paused_endpoints"] == []


def test_an_endpoint_from_the_admin_resumes_when_its_password_is_changed(db):
    with stub_lrs() as stub:
        endpoint = LrsEndpoint.objects.create(
            key="district", name="District", url=stub.url, username="u", password="old"
        )
        stub.respond = lambda batch: (403, "Forbidden")
        enqueue(2)
        assert run_once().paused
        endpoint.refresh_from_db()
        endpoint.password = "new"
        endpoint.save()
        stub.respond = lambda batch: (200, json.dumps([s["id"] for s in batch]))
        assert run_once().delivered == 2


def test_a_process_without_the_lrs_settings_never_turns_the_endpoint_off(
    lrs_stub, settings, admin_client
):
    """The worker has XAPI_LRS_*; the web process does not. Opening the delivery admin in the
    web process once turned the endpoint off, and statements recorded then had no delivery."""
    worker_settings = settings.XAPI_LRS_ENDPOINT
    settings.XAPI_LRS_ENDPOINT = ""  # now we are the web process
    assert admin_client.get("/admin/xapi/delivery/").status_code == 200
    endpoint = LrsEndpoint.objects.get()
    assert endpoint.enabled
    rows = enqueue(5)
    assert StatementDelivery.objects.filter(statement__in=rows, endpoint=endpoint).count() == 5
    settings.XAPI_LRS_ENDPOINT = worker_settings  # the worker
    assert run_once().delivered == 5


def test_statements_recorded_while_an_endpoint_is_off_are_sent_when_it_is_on_again(lrs_stub):
    endpoint = LrsEndpoint.objects.get()
    endpoint.enabled = False
    endpoint.save()
    enqueue(4)  # no cache stands between this and the endpoint's state
    assert run_once().requests == 0
    endpoint.enabled = True
    endpoint.save()
    assert run_once().delivered == 4


def test_a_worker_without_the_settings_does_not_send_to_the_settings_endpoint(lrs_stub, settings):
    enqueue(2)
    settings.XAPI_LRS_ENDPOINT = ""
    assert run_once().requests == 0
    assert statuses() == {"pending": 2}
    assert LrsEndpoint.objects.get().paused_at is None
