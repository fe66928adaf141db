"""Dependencies fail soft: with Redis down or hung, lessons and sign-in work; with the database
down or hung, pages answer 503 in the reader's language (JSON under /api/) within the timeout,
and readiness says what is degraded."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Hung:
    """A server that accepts connections and never answers: a hung Redis or PostgreSQL."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.server.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.server.close()
        for held in self.held:
            held.close()


def redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "courses.cache.FailSoftRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"puente-test-{uuid.uuid4().hex}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def hung():
    server = Hung()
    yield server
    server.close()


@pytest.mark.parametrize("redis", ["stopped", "hung"])
def test_without_redis_lessons_and_sign_in_still_work(
    client, settings, course_tree, learner, hung, redis
):
    port = free_port() if redis == "stopped" else hung.port
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{port}/0")
    lesson = course_tree.lessons[0].url
    started = time.monotonic()
    assert client.get(lesson).status_code == 200
    assert client.get("/es/").status_code == 200
    signed_in = client.post(
        "/en/accounts/sign-in/", {"username": learner.user.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.get(lesson).status_code == 200  # signed in: progress recorded
    assert client.get("/api/v1/me/progress/").status_code == 200
    event = {
        "id": str(uuid.uuid4()),
        "type": "viewed",
        "lesson": str(course_tree.lessons[0].translation_key),
        "occurred_at": timezone.now().isoformat(),
    }
    # The events API's rate limits count in Redis: without it, they let events through.
    recorded = client.post("/api/v1/events/", {"events": [event]}, content_type="application/json")
    assert recorded.status_code == 200, recorded.content
    # A hung Redis costs one short timeout, then it is left alone for a while.
    assert time.monotonic() - started < 5
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["cache"] == "unavailable"


def run_with_database(database_url: str, script: str, **env: str) -> dict:
    """Run ``script`` in a process whose database is ``database_url``; its last line is JSON."""
    result = subprocess.run(
        [sys.executable, "-c", "import django, json; django.setup();" + script],
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "courses.settings.test",
            "DATABASE_URL": database_url,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


ASK = (
    "from django.test import Client; import time; c = Client(raise_request_exception=False);"
    "started = time.monotonic();"
    "page = c.get('/es/', HTTP_ACCEPT_LANGUAGE='es');"
    "api = c.get('/api/v1/catalog/');"
    "print(json.dumps({'page': page.status_code, 'page_text': page.content.decode(),"
    " 'retry': page.get('Retry-After'), 'api': api.status_code, 'api_type': api['Content-Type'],"
    " 'api_body': api.json(), 'seconds': time.monotonic() - started}))"
)


def test_a_down_database_answers_503_pages_and_json(hung):
    answer = run_with_database("postgres://postgres@127.0.0.1:1/nowhere", ASK)
    assert answer["page"] == 503
    assert answer["retry"] == "30"
    assert 'lang="es"' in answer["page_text"]
    assert "Puente" in answer["page_text"]
    assert "Something went wrong" not in answer["page_text"]  # in Spanish, not English
    assert answer["api"] == 503
    assert answer["api_type"] == "application/json"
    assert answer["api_body"]["code"] == "unavailable"


def test_a_hung_database_answers_503_within_the_connect_timeout(hung):
    answer = run_with_database(
        f"postgres://postgres@127.0.0.1:{hung.port}/hung", ASK, DATABASE_CONNECT_TIMEOUT="2"
    )
    assert answer["page"] == answer["api"] == 503
    # Two requests, each giving up after the 2 s connect timeout (not the 2 minutes it took).
    assert answer["seconds"] < 10
