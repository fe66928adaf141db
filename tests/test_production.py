"""The production shape: settings that pass `check --deploy`, refuse to start half-configured,
health endpoints for load balancers, JSON logs, and a valid OpenAPI schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.utils import timezone

from lms.models import DeliveryStatus, LrsEndpoint, StatementDelivery
from lms.services.progress import learner_event_record
from lms.services.xapi import endpoint_backfill, worker_heartbeat
from tests.factories import PRODUCTION, REPO, lesson_event, manage


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("REDIS_URL", "Set REDIS_URL for production"),
        ("PUENTE_SECRET_KEYS", "Set PUENTE_SECRET_KEYS for production"),
        ("DATABASE_URL", "Set DATABASE_URL to a PostgreSQL database"),
        ("DJANGO_SECRET_KEY", "Set DJANGO_SECRET_KEY"),
        ("DJANGO_ALLOWED_HOSTS", "Set DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_half_configured(missing, message):
    environment = {**PRODUCTION, missing: ""}
    result = manage("check", **environment)
    assert result.returncode != 0
    assert message in result.stderr


def test_liveness_needs_nothing_but_the_process(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_reports_the_database_the_cache_and_the_backlog(client, course_tree, learner):
    LrsEndpoint.objects.create(name="LRS", url="https://lrs.example.org/xapi/")
    learner_event_record(learner=learner, event=lesson_event(course_tree.lessons[0], "viewed"))
    StatementDelivery.objects.filter().update(status=DeliveryStatus.PENDING)

    response = client.get("/health/ready")
    # Statements wait and no delivery worker ever said it was alive: degraded, still serving.
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["degraded"] == ["no delivery worker"]
    assert response.json()["outbox"]["worker_seen_seconds_ago"] is None
    worker_heartbeat(worker_id="host:1:abc")

    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["outbox"]["worker_seen_seconds_ago"] < 60
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    outbox = body["outbox"]
    assert outbox["pending"] == StatementDelivery.objects.count() > 0
    assert 0 <= outbox["oldest_pending_seconds"] < 60
    assert outbox["dead"] == 0
    assert outbox["scores_pending"] == 0
    StatementDelivery.objects.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now())
    assert client.get("/health/ready").json()["outbox"]["pending"] == 0


def test_readiness_says_when_statements_have_no_lrs_to_go_to_and_when_some_are_dead(
    client, course_tree, learner
):
    # No LRS configured: statements are kept, and readiness says they wait (not "pending: 0").
    learner_event_record(learner=learner, event=lesson_event(course_tree.lessons[0], "viewed"))
    worker_heartbeat(worker_id="host:1:abc")
    body = client.get("/health/ready").json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["statements waiting for an LRS"]
    assert body["outbox"]["waiting_for_an_lrs"] > 0

    # An LRS arrives and takes them; one is refused for good: a dead letter a person must see.
    endpoint = LrsEndpoint.objects.create(name="LRS", url="https://lrs.example.org/xapi/")
    while endpoint_backfill(endpoint=endpoint):
        pass
    StatementDelivery.objects.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now())
    StatementDelivery.objects.filter(pk=StatementDelivery.objects.first().pk).update(
        status=DeliveryStatus.DEAD
    )
    body = client.get("/health/ready").json()
    assert body["degraded"] == ["dead letters"]
    assert body["outbox"]["dead"] == 1
    assert body["outbox"]["waiting_for_an_lrs"] == 0


def test_readiness_is_503_when_the_database_is_down():
    # A real connection failure: nothing listens on port 1.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/health/ready');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "courses.settings.test",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["database"] == "unavailable"
    assert "outbox" not in answer["body"]


def test_health_endpoints_are_reachable_over_plain_http_in_production():
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "print(Client().get('/health/live', HTTP_HOST='puente.example.org').status_code,"
        " Client().get('/en/', HTTP_HOST='puente.example.org').status_code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**os.environ, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["200", "301"]  # pages go to HTTPS; probes need not


def test_logs_are_json_lines_when_asked():
    script = (
        "import django, logging; django.setup();"
        "logging.getLogger('lms.delivery').warning('LRS answered %s', 503)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "courses.settings.test", "LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["level"] == "WARNING"
    assert line["logger"] == "lms.delivery"
    assert line["message"] == "LRS answered 503"
    assert {"time", "process"} <= set(line)


def test_the_openapi_schema_is_valid():
    result = manage(
        "spectacular",
        "--urlconf",
        "lms.api.schema_urls",
        "--validate",
        "--fail-on-warn",
        "--file",
        os.devnull,
        DJANGO_SETTINGS_MODULE="courses.settings.test",
    )
    assert result.returncode == 0, result.stderr


def test_with_redis_the_cache_and_the_limits_are_shared(db, client, settings, learner):
    """REDIS_URL's cache (as production uses it): readiness checks it, rate limits count in it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "courses.cache.FailSoftRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": f"puente-test-{uuid.uuid4().hex}",
        }
    }
    from django.core.cache import cache, caches

    assert caches["default"].__class__.__name__ == "FailSoftRedisCache"
    assert client.get("/health/ready").json()["cache"] == "ok"
    settings.PUENTE_RATE_SIGN_IN_PER_USERNAME = "1/15m"
    form = {"username": learner.user.username, "password": "wrong"}
    assert client.post("/en/accounts/sign-in/", form).status_code == 200
    # Another web process would see the same count: it is in Redis, not in this process.
    assert client.post("/en/accounts/sign-in/", form).status_code == 429
    # The API's limits count there too (lms/api/throttles.py).
    settings.PUENTE_RATE_JOIN_PER_USER = "1/10m"
    client.force_login(learner.user)
    join = [client.post("/api/v1/classes/join/", {"code": "NOPE-NOPE"}) for _ in range(2)]
    assert [response.status_code for response in join] == [400, 429]
    assert int(join[1]["Retry-After"]) > 0
    cache.clear()


def test_readiness_is_503_when_the_outbox_cannot_be_read(db, client):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE lms_statementdelivery RENAME TO lms_statementdelivery_away")
    try:
        response = client.get("/health/ready")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE lms_statementdelivery_away RENAME TO lms_statementdelivery")
    assert response.status_code == 503
    assert response.json()["outbox"] == "unavailable"


def test_load_balancers_probe_by_address_without_errors():
    """Probes with the server's IP as Host (not in ALLOWED_HOSTS) get their answer, and no
    400 with a traceback in the log for every probe; pages still check the host."""

    def run(paths: str) -> subprocess.CompletedProcess:
        script = (
            "import django; django.setup();"
            "from django.test import Client; c = Client();"
            f"print(*[c.get(p, HTTP_HOST='10.0.0.7:8000').status_code for p in {paths}])"
        )
        return subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO,
            env={**os.environ, **PRODUCTION, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/x"},
            capture_output=True,
            text=True,
            timeout=60,
        )

    probes = run("['/health/live', '/health/ready']")
    # No database behind this one: readiness answers 503, not a host error.
    assert probes.stdout.split()[-2:] == ["200", "503"]
    assert "Invalid HTTP_HOST header" not in probes.stderr
    page = run("['/en/']")
    assert page.stdout.split()[-1] == "400"
