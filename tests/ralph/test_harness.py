"""The harness against a real Ralph LRS, and the LRS behaviours Puente relies on."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.ralph.server import (
    XAPI_HEADERS,
    RalphError,
    RalphServer,
    ensure_ralph_venv,
    post_statements_directly,
)

HOME_PAGE = "https://puente.test"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


def make_statement(learner: str = "learner-1", **overrides: Any) -> dict[str, Any]:
    """A minimal valid xAPI statement with an ``account`` actor (never mbox)."""
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": HOME_PAGE, "name": learner},
        },
        "verb": {"id": COMPLETED, "display": {"en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": f"{HOME_PAGE}/courses/demo/lesson-1",
        },
        "timestamp": "2024-05-01T10:00:00+00:00",
    }
    statement.update(overrides)
    return statement


def post(server: RalphServer, body: object) -> requests.Response:
    return requests.post(
        server.statements_url,
        json=body,
        auth=server.auth,
        headers=XAPI_HEADERS,
        timeout=30,
    )


def test_post_one_statement_returns_its_id(ralph_clean: RalphServer) -> None:
    statement = make_statement()

    response = post(ralph_clean, [statement])

    assert response.status_code == 200
    assert response.json() == [statement["id"]]
    assert ralph_clean.statement_ids() == [statement["id"]]


def test_many_writes_are_accepted(ralph_clean: RalphServer) -> None:
    """Ralph's fs store is write-once as shipped; asgi.py makes it append."""
    for _ in range(3):
        assert post(ralph_clean, [make_statement()]).status_code == 200

    assert ralph_clean.count() == 3


def test_identical_resend_is_204_and_stores_nothing(ralph_clean: RalphServer) -> None:
    statement = make_statement()
    assert post(ralph_clean, [statement]).status_code == 200

    resend = post(ralph_clean, [statement])

    assert resend.status_code == 204
    assert resend.content == b""
    assert ralph_clean.count() == 1


def test_same_id_with_different_content_is_409(ralph_clean: RalphServer) -> None:
    statement = make_statement()
    assert post(ralph_clean, [statement]).status_code == 200
    changed = copy.deepcopy(statement)
    changed["object"]["id"] = f"{HOME_PAGE}/courses/demo/lesson-2"

    response = post(ralph_clean, [changed])

    assert response.status_code == 409
    stored = ralph_clean.get_statement(statement["id"])
    assert stored is not None
    assert stored["object"]["id"] == statement["object"]["id"]


def test_one_invalid_statement_rejects_the_whole_batch(
    ralph_clean: RalphServer,
) -> None:
    batch = [make_statement(), make_statement(), make_statement()]
    del batch[1]["verb"]

    response = post(ralph_clean, batch)

    assert response.status_code == 422  # a 4xx for all three, none stored
    assert ralph_clean.count() == 0


def test_get_by_statement_id(ralph_clean: RalphServer) -> None:
    wanted, other = make_statement(), make_statement("learner-2")
    assert post(ralph_clean, [wanted, other]).status_code == 200

    response = requests.get(
        ralph_clean.statements_url,
        params={"statementId": wanted["id"]},
        auth=ralph_clean.auth,
        headers=XAPI_HEADERS,
        timeout=30,
    )

    assert response.status_code == 200
    [stored] = response.json()["statements"]
    assert stored["id"] == wanted["id"]
    assert stored["actor"]["account"] == wanted["actor"]["account"]
    assert stored["verb"]["id"] == COMPLETED
    assert "stored" in stored
    assert ralph_clean.get_statement(str(uuid.uuid4())) is None


def test_wrong_password_is_401(ralph_clean: RalphServer) -> None:
    response = requests.get(
        ralph_clean.statements_url,
        auth=(ralph_clean.username, ralph_clean.password + "x"),
        headers=XAPI_HEADERS,
        timeout=30,
    )

    assert response.status_code == 401


def test_statements_survive_restart_on_the_same_port(ralph_clean: RalphServer) -> None:
    before = [make_statement() for _ in range(3)]
    assert post(ralph_clean, before).status_code == 200
    endpoint, pid = ralph_clean.endpoint, ralph_clean.pid

    ralph_clean.stop()
    assert not ralph_clean.is_running
    with pytest.raises(requests.ConnectionError):
        post(ralph_clean, [make_statement()])
    ralph_clean.restart()

    assert ralph_clean.is_running
    assert ralph_clean.pid != pid
    assert ralph_clean.endpoint == endpoint
    assert ralph_clean.statement_ids() == [s["id"] for s in before]
    assert post(ralph_clean, [make_statement()]).status_code == 200
    assert ralph_clean.count() == 4


def test_statements_follow_more_beyond_one_page(ralph_clean: RalphServer) -> None:
    sent = [make_statement(f"learner-{i % 7}") for i in range(250)]
    elapsed = post_statements_directly(ralph_clean.endpoint, ralph_clean.auth, sent, batch_size=100)
    first_page = requests.get(
        ralph_clean.statements_url,
        params={"limit": 100},
        auth=ralph_clean.auth,
        headers=XAPI_HEADERS,
        timeout=30,
    ).json()

    assert elapsed > 0
    assert len(first_page["statements"]) == 100
    assert first_page["more"].startswith("/xAPI/statements?")
    assert ralph_clean.statement_ids() == [s["id"] for s in sent]
    assert ralph_clean.count() == 250


def test_post_statements_directly_raises_on_rejection(
    ralph_clean: RalphServer,
) -> None:
    statement = make_statement()
    duplicate_in_one_body = [statement, statement]

    with pytest.raises(RalphError, match="400"):
        post_statements_directly(ralph_clean.endpoint, ralph_clean.auth, duplicate_in_one_body, 10)


def test_ralph_clean_starts_empty(ralph_clean: RalphServer) -> None:
    assert ralph_clean.is_running
    assert ralph_clean.statements() == []


def test_venv_is_reused_when_requirements_are_unchanged(ralph_python: Path) -> None:
    assert ensure_ralph_venv() == ralph_python
