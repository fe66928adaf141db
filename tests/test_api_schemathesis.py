"""schemathesis against the OpenAPI schema, as each kind of caller: requests generated from the
schema (valid and not) never get a 5xx, and every answer matches what the schema documents."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import positive_data_acceptance

from courses.wsgi import application
from lms.services.integrations import integration_token_issue
from tests.people import build_world

pytestmark = pytest.mark.django_db
ROLES = ["learner", "caregiver", "educator", "administrator", "integration", "anonymous"]


@pytest.fixture
def wsgi_calls_keep_the_test_database():
    """Called straight through WSGI, Django would close the test's database connection at the
    end of each request (Django's own test client unhooks this the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def callers(db, course_tree) -> dict[str, dict[str, str]]:
    world = build_world()
    headers = {"anonymous": {}}
    for role in ["learner", "caregiver", "educator", "administrator"]:
        token = Token.objects.create(user=world.users[role])
        headers[role] = {"Authorization": f"Token {token.key}"}
    issued = integration_token_issue(
        school=world.school,
        name="Fuzzer",
        scopes=["catalog:read", "progress:read", "events:write"],
        created_by=None,
    )
    headers["integration"] = {"Authorization": f"Bearer {issued.secret}"}
    return headers


@pytest.fixture
def generous_rate_limits(settings):
    """The fuzzer is one fast caller. Set once per operation, not in each generated example:
    every assignment to ``settings`` stacks one more override, and hundreds of examples would
    stack them past Python's recursion limit."""
    settings.PUENTE_RATE_EVENTS_PER_USER = "100000/m"
    settings.PUENTE_RATE_EVENTS_PER_ADDRESS = "100000/m"
    settings.PUENTE_RATE_JOIN_PER_USER = "100000/m"
    settings.PUENTE_RATE_JOIN_PER_ADDRESS = "100000/m"


# Loaded when the module is collected (making the schema needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_schema(
    case, callers, generous_rate_limits, wsgi_calls_keep_the_test_database
):
    for role in ROLES:  # each generated request, from each kind of caller
        case.call_and_validate(
            # The WSGI transport does not undo GZipMiddleware.
            headers={**callers[role], "Accept-Encoding": "identity"},
            # A request can fit the schema and still name a school, class or lesson that
            # does not exist: 400 is right there, so "valid data is accepted" does not apply.
            excluded_checks=[positive_data_acceptance],
        )
