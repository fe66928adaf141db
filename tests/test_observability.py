"""What operators see: request ids, one log line per request with no personal data, failed
sign-ins, Prometheus metrics behind a token, LRS failures as warnings."""

from __future__ import annotations

import json
import logging

import pytest

from courses.observability import opaque_id
from lms.models import LrsEndpoint, StatementDelivery, WorkerHeartbeat
from lms.services.xapi import worker_heartbeat
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "puente.requests"]


def test_every_request_gets_an_id_and_one_log_line_without_personal_data(
    client, learner, course_tree, caplog
):
    caplog.set_level(logging.INFO, logger="puente.requests")
    client.force_login(learner.user)
    response = client.get(course_tree.lessons[0].url + "?code=SECRET-CODE")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (line,) = request_lines(caplog)
    assert line.request_id == request_id
    assert (line.method, line.status) == ("GET", 200)
    assert line.route == "<path:path>" or "en/" in line.route
    assert line.user == opaque_id("user", learner.user.pk)
    assert line.client == "127.0.0.1"
    assert line.duration_ms > 0
    text = line.getMessage() + json.dumps({k: str(v) for k, v in vars(line).items()})
    assert learner.user.username not in text
    assert "SECRET-CODE" not in text  # no query strings


def test_a_proxys_request_id_is_kept_and_a_malformed_one_replaced(client, db):
    kept = client.get("/health/live", HTTP_X_REQUEST_ID="a1b2c3d4e5f60718293a4b5c6d7e8f90")
    assert kept["X-Request-ID"] == "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    replaced = client.get("/health/live", HTTP_X_REQUEST_ID="<script>\n")
    assert replaced["X-Request-ID"] != "<script>\n"
    assert len(replaced["X-Request-ID"]) == 32


def test_every_log_line_of_a_request_carries_its_id(client, learner, caplog):
    caplog.set_level(logging.INFO)
    response = client.post("/en/accounts/sign-in/", {"username": "Learner", "password": "not-it"})
    request_id = response["X-Request-ID"]
    (failed,) = [r for r in caplog.records if r.name == "puente.auth"]
    assert failed.request_id == request_id
    assert failed.username == opaque_id("username", "learner")
    assert failed.client == "127.0.0.1"
    everything = " ".join(
        r.getMessage() + json.dumps({k: str(v) for k, v in vars(r).items()}) for r in caplog.records
    )
    assert "not-it" not in everything  # never the password
    assert "Learner" not in everything  # nor the username


def test_metrics_need_the_token(client, settings):
    settings.PUENTE_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404  # off without a token
    settings.PUENTE_METRICS_TOKEN = "scrape-me"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def test_metrics_show_requests_the_outbox_and_the_worker(client, settings, course_tree, learner):
    from lms.services.progress import learner_event_record
    from tests.factories import lesson_event

    settings.PUENTE_METRICS_TOKEN = "scrape-me"
    LrsEndpoint.objects.create(key="district", name="District", url="https://lrs.example.org/")
    learner_event_record(learner=learner, event=lesson_event(course_tree.lessons[0], "viewed"))
    pending = StatementDelivery.objects.count()
    worker_heartbeat(worker_id="host:1:abc")
    client.get(course_tree.lessons[0].url)
    body = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me").content.decode()
    assert f'puente_xapi_pending{{endpoint="district"}} {float(pending)}' in body
    assert 'puente_xapi_endpoint_paused{endpoint="district"} 0.0' in body
    assert "puente_http_requests_total{" in body
    assert "puente_http_request_duration_seconds_bucket{" in body
    seen = next(
        line for line in body.splitlines() if line.startswith("puente_worker_last_seen_seconds ")
    )
    assert 0 <= float(seen.split()[1]) < 60
    assert WorkerHeartbeat.objects.count() == 1


def test_an_lrs_outage_is_one_warning_naming_the_endpoint_and_one_line_when_it_ends(
    lrs_stub, caplog
):
    from lms.xapi.worker import DeliveryWorker
    from tests.factories import enqueue, make_due

    caplog.set_level(logging.DEBUG, logger="lms.xapi")
    lrs_stub.respond = lambda batch: (503, "Service Unavailable")
    worker = DeliveryWorker(batch_size=100)
    try:
        enqueue(2)
        worker.run_round()
        for _ in range(3):  # the outage goes on, and learners keep working
            enqueue(1)
            make_due()
            worker.run_round()
        lrs_stub.respond = lambda batch: (200, json.dumps([s["id"] for s in batch]))
        make_due()
        worker.run_round()
    finally:
        worker.close()

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [w.getMessage() for w in warnings] == [
        "LRS default did not take 2 statements (503 Service Unavailable); "
        "statements wait and are sent when it answers again"
    ]
    assert warnings[0].name == "lms.xapi.worker"
    back = [r.getMessage() for r in caplog.records if "answering again" in r.getMessage()]
    assert len(back) == 1
    assert back[0].startswith("LRS default is answering again after ")
    # Each failed batch is still there for whoever turns on debug logging.
    assert len([r for r in caplog.records if r.name == "lms.xapi.delivery"]) >= 4


def test_json_lines_carry_the_request_fields():
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "Client().get('/health/live', HTTP_X_REQUEST_ID='abcdef0123456789')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "courses.settings.test",
            "LOG_FORMAT": "json",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    (request,) = [line for line in lines if line["logger"] == "puente.requests"]
    assert request["request_id"] == "abcdef0123456789"
    assert request["status"] == 200
    assert request["route"] == "health/live"
    assert {"time", "level", "duration_ms", "client", "method", "path"} <= set(request)
    assert PASSWORD not in result.stderr
