"""Integration tokens: issued by a school administrator (shown once, stored hashed), limited to
their school and scopes, revocable; and what the API answers each kind of token."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from lms.models import IntegrationToken, LearnerEvent, Statement
from lms.services.classes import classroom_create
from lms.services.integrations import integration_token_issue, integration_token_revoke
from tests.factories import viewed_json
from tests.people import build_world

pytestmark = pytest.mark.django_db
ALL_SCOPES = [scope.value for scope in IntegrationToken.Scope]
TOKEN_PATTERN = re.compile(r"pnt_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


@pytest.fixture
def world(db):
    return build_world()


def issue(world, *scopes: str, school=None) -> str:
    issued = integration_token_issue(
        school=school or world.school,
        name="District LRS",
        scopes=scopes,
        created_by=world.users["administrator"],
    )
    return issued.secret


def api(secret: str | None = None) -> APIClient:
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_an_administrator_issues_a_token_that_is_shown_once_and_stored_hashed(world, client):
    client.force_login(world.users["administrator"])
    page = client.get("/en/teach/integrations/")
    assert page.status_code == 200
    assert "No tokens yet" in page.content.decode()

    response = client.post(
        "/en/teach/integrations/",
        {"name": "District LRS", "school": world.school.pk, "scopes": ["progress:read"]},
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = TOKEN_PATTERN.search(response.content.decode()).group()
    token = IntegrationToken.objects.get()
    assert token.scopes == ["progress:read"]
    assert token.school == world.school
    assert token.created_by == world.users["administrator"]
    stored = " ".join(str(value) for value in vars(token).values())
    assert secret.rsplit("_", 1)[1] not in stored  # only its hash is kept
    # Never shown again: the list names the token by its prefix only.
    again = client.get("/en/teach/integrations/").content.decode()
    assert secret not in again
    assert f"pnt_{token.prefix}_…" in again
    assert "Never" in again  # not used yet
    assert api(secret).get("/api/v1/classes/").status_code == 200


def test_the_token_form_says_what_is_missing(world, client):
    client.force_login(world.users["administrator"])
    response = client.post("/en/teach/integrations/", {"name": "", "school": world.school.pk})
    assert response.status_code == 400
    text = response.content.decode()
    assert "This field is required." in text
    assert not IntegrationToken.objects.exists()


@pytest.mark.parametrize("role", ["educator", "learner", "caregiver"])
def test_only_school_administrators_manage_tokens(world, client, role):
    client.force_login(world.users[role])
    assert client.get("/en/teach/integrations/").status_code == 404


def test_an_administrator_revokes_only_their_schools_tokens(world, client):
    secret = issue(world, "catalog:read")
    token = IntegrationToken.objects.get()
    client.force_login(world.users["other_administrator"])
    assert client.post(f"/en/teach/integrations/{token.pk}/revoke/").status_code == 404
    assert "District LRS" not in client.get("/en/teach/integrations/").content.decode()
    assert api(secret).get("/api/v1/catalog/").status_code == 200

    client.force_login(world.users["administrator"])
    assert client.get(f"/en/teach/integrations/{token.pk}/revoke/").status_code == 405
    response = client.post(f"/en/teach/integrations/{token.pk}/revoke/", follow=True)
    assert "District LRS can no longer use its token." in response.content.decode()
    assert "Revoked on" in response.content.decode()

    refused = api(secret).get("/api/v1/catalog/")
    assert refused.status_code == 401
    assert refused.json() == {"detail": "This token was revoked.", "code": "token_revoked"}
    assert refused["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer pnt_00000000_" + "x" * 43,  # unknown
        "Bearer pnt_deadbeef",  # malformed
        "Bearer",  # nothing after the keyword
        "Bearer one two",
    ],
)
def test_unknown_or_malformed_tokens_get_401(world, authorization):
    issue(world, "catalog:read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=authorization)
    response = client.get("/api/v1/catalog/")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_wrong_secret_with_a_real_prefix_gets_401(world):
    secret = issue(world, "catalog:read")
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    assert api(forged).get("/api/v1/catalog/").status_code == 401


def test_each_scope_opens_only_its_endpoints(world, course_tree):
    catalog_only = issue(world, "catalog:read")
    progress_only = issue(world, "progress:read")
    events_only = issue(world, "events:write")

    assert api(catalog_only).get("/api/v1/catalog/").status_code == 200
    refused = api(progress_only).get("/api/v1/catalog/")
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "This token does not have the catalog:read scope.",
        "code": "scope",
    }
    assert api(catalog_only).get("/api/v1/classes/").status_code == 403
    assert api(progress_only).get("/api/v1/classes/").status_code == 200
    batch = {"learner": world.learners["ana"].pk, "events": [viewed_json(course_tree.lessons[0])]}
    assert api(progress_only).post("/api/v1/events/", batch, format="json").status_code == 403
    written = api(events_only).post("/api/v1/events/", batch, format="json")
    assert written.status_code == 200, written.json()
    # Endpoints that speak for a person are not for integrations, whatever their scopes.
    everything = issue(world, *ALL_SCOPES)
    for method, url in [
        ("get", "/api/v1/me/progress/"),
        ("get", "/api/v1/household/"),
        ("post", "/api/v1/classes/join/"),
        ("post", "/api/v1/classes/"),
    ]:
        response = getattr(api(everything), method)(url, {}, format="json")
        assert response.status_code == 403, (method, url)
        assert response.json() == {
            "detail": "Integration tokens cannot use this endpoint.",
            "code": "not_for_integrations",
        }
    # A district's system manages classes with classes:write (an empty body is not valid).
    for url in (
        f"/api/v1/classes/{world.class_a1.pk}/members/",
        f"/api/v1/classes/{world.class_a1.pk}/assignments/",
    ):
        assert api(progress_only).post(url, {}, format="json").status_code == 403
        assert api(everything).post(url, {}, format="json").status_code == 400


def test_progress_reads_stay_within_the_tokens_school(world):
    class_b1 = classroom_create(
        school=world.other_school, name="B1", educator=world.users["other_administrator"]
    )
    client = api(issue(world, "progress:read"))

    classes = client.get("/api/v1/classes/").json()
    assert sorted(c["name"] for c in classes) == ["A1", "A2"]
    dashboard = client.get(f"/api/v1/classes/{world.class_a1.pk}/dashboard/")
    assert dashboard.status_code == 200
    members = client.get(f"/api/v1/classes/{world.class_a1.pk}/members/").json()
    assert {m["id"] for m in members} == {world.learners["ana"].pk, world.child.pk}
    assert client.get(f"/api/v1/classes/{world.class_a1.pk}/assignments/").status_code == 200
    for url in ["dashboard", "members", "assignments"]:
        response = client.get(f"/api/v1/classes/{class_b1.pk}/{url}/")
        assert response.status_code == 404, url


def test_events_are_written_only_for_learners_of_the_tokens_school(world, course_tree):
    client = api(issue(world, "events:write"))
    lesson = course_tree.lessons[0]
    ana = world.learners["ana"]

    recorded = client.post(
        "/api/v1/events/", {"learner": ana.pk, "events": [viewed_json(lesson)]}, format="json"
    )
    assert recorded.status_code == 200, recorded.json()
    assert recorded.json()["recorded"] == 1
    assert LearnerEvent.objects.get().learner == ana
    assert Statement.objects.filter(learner=ana, verb="experienced").count() == 1

    for learner_id in [world.other_child.pk, "ana", None, True, 10**9]:
        batch = {"events": [viewed_json(lesson)]}
        if learner_id is not None:
            batch["learner"] = learner_id
        refused = client.post("/api/v1/events/", batch, format="json")
        assert refused.status_code == 400, learner_id
        assert refused.json() == {
            "learner": ["Give the id of a learner in one of your school's classes."]
        }
    assert LearnerEvent.objects.count() == 1


def test_a_used_token_shows_when_it_was_last_used(world):
    secret = issue(world, "catalog:read")
    token = IntegrationToken.objects.get()
    assert token.last_used_at is None
    api(secret).get("/api/v1/catalog/")
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    api(secret).get("/api/v1/catalog/")  # within a minute: no write
    token.refresh_from_db()
    assert token.last_used_at == first_use


def test_revoking_twice_keeps_the_first_time(world):
    issue(world, "catalog:read")
    token = IntegrationToken.objects.get()
    integration_token_revoke(token=token, revoked_by=world.users["administrator"])
    first = token.revoked_at
    integration_token_revoke(token=token, revoked_by=world.users["administrator"])
    token.refresh_from_db()
    assert token.revoked_at == first


def test_tokens_need_a_name_and_known_scopes(world):
    from lms.services.integrations import IntegrationTokenError

    with pytest.raises(IntegrationTokenError, match="Unknown scope: admin"):
        issue(world, "admin")
    with pytest.raises(IntegrationTokenError, match="at least one"):
        issue(world)
    assert not IntegrationToken.objects.exists()


def test_the_schema_documents_tokens_scopes_and_errors(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    scheme = schema["components"]["securitySchemes"]["IntegrationToken"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    dashboard = schema["paths"]["/api/v1/classes/{classroom_id}/dashboard/"]["get"]
    assert {"IntegrationToken": []} in dashboard["security"]
    assert "`progress:read` scope" in dashboard["description"]
    assert {"200", "401", "403", "404"} <= set(dashboard["responses"])
    household = schema["paths"]["/api/v1/household/"]["get"]
    assert {"IntegrationToken": []} not in household["security"]
    assert "Not for integration tokens." in household["description"]
    events = schema["paths"]["/api/v1/events/"]["post"]
    assert {"400", "401", "403", "413", "415"} <= set(events["responses"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], (method, path)
