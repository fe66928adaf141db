"""Every page and API endpoint about people, against every role: nothing leaks.

Forbidden access is 302 to sign in (pages, anonymous), 401 (API, anonymous), 403 (API, a
signed-in user without the role) or 404 (an object the user may not know exists) — never data.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.people import build_world

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "learner",
    "other_learner",
    "caregiver",
    "other_caregiver",
    "educator",
    "other_educator",
    "administrator",
    "other_administrator",
]
# Names that must never appear in a page or answer a role may not see.
SECRET_NAMES = ["Kiko"]


@pytest.fixture
def world(db):
    return build_world()


def client_for(world, role, api=False):
    client = APIClient() if api else Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def expectations(allowed: set[str], *, anonymous: int, others: int) -> list:
    return [
        (role, 200 if role in allowed else anonymous if role == "anonymous" else others)
        for role in ROLES
    ]


STAFF_OF_A1 = {"educator", "administrator"}


def page_cases(world):
    a1 = world.class_a1.pk
    child = world.child.pk
    return [
        (f"/en/teach/classes/{a1}/", STAFF_OF_A1, 404),
        (f"/en/teach/classes/{a1}/assign/", STAFF_OF_A1, 404),
        (f"/en/teach/classes/{a1}/learners/", STAFF_OF_A1, 404),
        (f"/en/teach/classes/{a1}/sheet/", STAFF_OF_A1, 404),
        (f"/en/teach/classes/{a1}/qr.svg", STAFF_OF_A1, 404),
        (f"/en/teach/classes/{a1}/export.csv", STAFF_OF_A1, 404),
        ("/en/teach/", {"educator", "other_educator", "administrator", "other_administrator"}, 404),
        (f"/en/learn/household/{child}/data.json", {"caregiver"}, 404),
        (f"/en/learn/household/{child}/delete/", {"caregiver"}, 404),
        ("/en/learn/", set(ROLES) - {"anonymous"}, None),
        ("/en/learn/progress/", set(ROLES) - {"anonymous"}, None),
    ]


def test_pages_answer_each_role_as_expected(world):
    failures = []
    for url, allowed, forbidden in page_cases(world):
        for role in ROLES:
            response = client_for(world, role).get(url)
            if role == "anonymous":
                expected = 302
            elif role in allowed:
                expected = 200
            else:
                expected = forbidden
            if response.status_code != expected:
                failures.append((url, role, response.status_code, expected))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if role not in allowed and any(name.encode() in body for name in SECRET_NAMES):
                failures.append((url, role, "leaks a child's name"))
    assert not failures


def api_cases(world):
    a1 = world.class_a1.pk
    return [
        (f"/api/v1/classes/{a1}/members/", STAFF_OF_A1),
        (f"/api/v1/classes/{a1}/assignments/", STAFF_OF_A1),
        (f"/api/v1/classes/{a1}/dashboard/", STAFF_OF_A1),
    ]


def test_class_endpoints_answer_each_role_as_expected(world):
    failures = []
    staff_roles = {"educator", "other_educator", "administrator", "other_administrator"}
    for url, allowed in api_cases(world):
        for role in ROLES:
            response = client_for(world, role, api=True).get(url)
            if role == "anonymous":
                expected = 401
            elif role in allowed:
                expected = 200
            elif role in staff_roles:
                expected = 404  # staff of other classes may not know this class exists
            else:
                expected = 403
            if response.status_code != expected:
                failures.append((url, role, response.status_code, expected))
            if role not in allowed and b"Kiko" in response.content:
                failures.append((url, role, "leaks a child's name"))
    assert not failures


def test_class_lists_show_only_ones_own_classes(world):
    seen = {}
    for role in ("educator", "other_educator", "administrator", "other_administrator"):
        response = client_for(world, role, api=True).get("/api/v1/classes/")
        seen[role] = sorted(c["name"] for c in response.json())
    assert seen == {
        "educator": ["A1"],
        "other_educator": ["A2"],
        "administrator": ["A1", "A2"],
        "other_administrator": [],
    }
    for role in ("learner", "caregiver"):
        assert client_for(world, role, api=True).get("/api/v1/classes/").status_code == 403
    assert APIClient().get("/api/v1/classes/").status_code == 401


def test_household_api_shows_only_ones_own_household(world):
    carmen = client_for(world, "caregiver", api=True).get("/api/v1/household/")
    assert carmen.status_code == 200
    assert sorted(m["name"] for m in carmen.json()) == ["Kiko", "carmen"]
    dora = client_for(world, "other_caregiver", api=True).get("/api/v1/household/").json()
    assert sorted(m["name"] for m in dora) == ["Dani", "dora"]
    for role in ("learner", "educator", "administrator"):
        assert client_for(world, role, api=True).get("/api/v1/household/").status_code == 404
    assert APIClient().get("/api/v1/household/").status_code == 401


def test_progress_api_is_always_ones_own(world):
    for role in ROLES[1:]:
        response = client_for(world, role, api=True).get("/api/v1/me/progress/")
        assert response.status_code == 200
    assert APIClient().get("/api/v1/me/progress/").status_code == 401


def test_only_staff_of_the_class_can_change_it(world):
    a1 = world.class_a1.pk
    for role in ("other_educator", "other_administrator"):
        client = client_for(world, role, api=True)
        response = client.post(f"/api/v1/classes/{a1}/members/", {"name": "Intruder"})
        assert response.status_code == 404
        page = client_for(world, role).post(
            f"/en/teach/classes/{a1}/learners/", {"action": "one", "display_name": "Intruder"}
        )
        assert page.status_code == 404
    assert world.class_a1.memberships.count() == 2


def test_a_child_on_the_shared_phone_cannot_open_grown_up_pages(world):
    client = client_for(world, "caregiver")
    client.post("/en/learn/who/", {"learner": world.child.pk})
    for url in (
        "/en/learn/household/",
        f"/en/learn/household/{world.child.pk}/data.json",
        "/en/learn/join/",
    ):
        response = client.get(url)
        if url.endswith("/join/"):
            assert response.status_code == 200  # a child may join a class, as themselves
        else:
            assert response.status_code == 302
            assert response["Location"] == "/en/learn/who/"
