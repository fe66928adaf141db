"""Rate limits: sign-in (per username and per address, the same answer whether the account
exists or not), sign-up, join codes, and the API's event batches and joins (429, Retry-After)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from lms.api import throttles
from lms.api.throttles import parse_rate
from tests.conftest import PASSWORD
from tests.people import build_world

pytestmark = pytest.mark.django_db
WAIT = re.compile(r"\b([1-9]|1[0-5]|[1-5][0-9]|60) minutes?")


@pytest.fixture
def world(db):
    return build_world()


def sign_in(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(
        "/en/accounts/sign-in/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def alert(response) -> str:
    found = re.search(r'role="alert"><p>(.*?)</p>', response.content.decode(), re.S)
    return found.group(1) if found else ""


def test_sign_in_locks_a_username_after_too_many_tries_whether_or_not_it_exists(world, settings):
    settings.PUENTE_RATE_SIGN_IN_PER_USERNAME = "3/15m"
    client = Client()
    for _ in range(3):
        assert sign_in(client, "ana", "wrong").status_code == 200  # the form, with its error
        assert sign_in(client, "nobody-by-this-name", "wrong").status_code == 200

    locked = sign_in(client, "ana", PASSWORD)  # even the right password waits
    unknown = sign_in(client, "nobody-by-this-name", "wrong")

    assert locked.status_code == unknown.status_code == 429
    # Windows are fixed (each username's staggered by its hash), so the minutes differ by
    # name, never by whether the account exists.
    assert WAIT.sub("N", alert(locked)) == WAIT.sub("N", alert(unknown))
    assert WAIT.sub("N", alert(locked)) == "Too many tries to sign in. Please wait N and try again."
    assert "_auth_user_id" not in client.session
    # Spelled differently, it is the same username.
    assert sign_in(client, "  ANA ", PASSWORD).status_code == 429
    # Someone else signs in from the same address.
    assert sign_in(client, "beto", PASSWORD).status_code == 302


def test_unicode_spellings_of_a_username_share_its_limit_on_both_doors(world, settings):
    """After "ana" is locked, a full-width spelling (which Django's sign-in form turns into
    "ana") or "ANA" gets no fresh tries, on the site or at /admin/login/."""
    settings.PUENTE_RATE_SIGN_IN_PER_USERNAME = "3/15m"
    client = Client()
    for _ in range(3):
        sign_in(client, "ana", "wrong")
    fullwidth = "\uff41na"  # FULLWIDTH LATIN SMALL LETTER A, then "na"
    for spelling in (fullwidth, fullwidth.upper(), "Ana", " ANA "):
        assert sign_in(client, spelling, PASSWORD).status_code == 429, spelling
        admin = client.post(
            "/admin/login/",
            {"username": spelling, "password": PASSWORD},
            REMOTE_ADDR="203.0.113.7",
        )
        assert admin.status_code == 429, spelling
    assert "_auth_user_id" not in client.session


def test_a_username_signs_in_however_it_is_capitalised(world):
    """Phones capitalise the first letter: "Ana" signs in as "ana"."""
    for spelling in ("Ana", "ANA", " ana "):
        client = Client()
        assert sign_in(client, spelling, PASSWORD).status_code == 302, spelling
        assert client.session["_auth_user_id"] == str(world.users["learner"].pk)


def test_sign_in_from_one_address_is_limited_across_usernames(world, settings):
    settings.PUENTE_RATE_SIGN_IN_PER_ADDRESS = "4/15m"
    client = Client()
    for index in range(4):
        assert sign_in(client, f"guess-{index}", "wrong").status_code == 200
    assert sign_in(client, "ana", PASSWORD).status_code == 429
    # Another address is not affected.
    assert sign_in(Client(), "ana", PASSWORD, address="198.51.100.9").status_code == 302


def test_sign_up_is_limited_per_address(db, settings):
    settings.PUENTE_RATE_SIGN_UP_PER_ADDRESS = "2/h"
    client = Client()
    for index in range(2):
        response = client.post(
            "/en/accounts/sign-up/",
            {
                "username": f"family{index}",
                "password1": "a long pass phrase 42",
                "password2": "a long pass phrase 42",
                "preferred_language": "en",
            },
            REMOTE_ADDR="203.0.113.8",
        )
        assert response.status_code == 302, response.content.decode()[:300]
        client.logout()
    refused = client.post(
        "/en/accounts/sign-up/",
        {"username": "family2", "password1": "x", "password2": "x", "preferred_language": "en"},
        REMOTE_ADDR="203.0.113.8",
    )
    assert refused.status_code == 429
    assert WAIT.search(alert(refused))
    assert "Many accounts were just made from this network" in alert(refused)


def test_join_codes_cannot_be_guessed_quickly(world, settings):
    settings.PUENTE_RATE_JOIN_PER_USER = "3/10m"
    client = Client()
    client.force_login(world.users["other_learner"])
    for code in ["AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC"]:
        assert client.post("/en/learn/join/", {"code": code}).status_code == 400
    right_code = client.post("/en/learn/join/", {"code": world.class_a1.join_code})
    assert right_code.status_code == 429
    assert WAIT.sub("N", alert(right_code)) == "Too many codes tried. Please wait N and try again."
    assert not world.class_a1.memberships.filter(learner=world.learners["beto"]).exists()


def test_the_events_api_throttles_per_person_with_retry_after(world, settings, course_tree):
    settings.PUENTE_RATE_EVENTS_PER_USER = "2/m"
    client = APIClient()
    client.force_authenticate(world.users["learner"])

    def batch():
        event = {
            "id": str(uuid.uuid4()),
            "type": "viewed",
            "lesson": str(course_tree.lessons[0].translation_key),
            "occurred_at": timezone.now().isoformat(),
        }
        return client.post("/api/v1/events/", {"events": [event]}, format="json")

    assert [batch().status_code for _ in range(2)] == [200, 200]
    throttled = batch()
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert "throttled" in throttled.json()["detail"]
    other = APIClient()
    other.force_authenticate(world.users["other_learner"])
    assert other.get("/api/v1/me/progress/").status_code == 200


def test_an_api_limit_frees_up_when_its_window_ends(world, settings, limits_clock):
    settings.PUENTE_RATE_JOIN_PER_USER = "2/10m"
    client = APIClient()
    client.force_authenticate(world.users["learner"])

    def join():
        return client.post("/api/v1/classes/join/", {"code": "NOPE-NOPE"}, format="json")

    assert [join().status_code for _ in range(3)] == [400, 400, 429]
    wait = int(join()["Retry-After"])
    assert 0 < wait <= 600
    limits_clock[0] += wait - 2
    assert join().status_code == 429  # still in the window
    limits_clock[0] += 2
    assert join().status_code == 400  # a new window: tried, and refused as a wrong code


def test_api_limits_keep_one_number_per_window_in_the_cache(world, settings):
    """Not DRF's list of every request's time: a school's address at 1,200 a minute would
    read and write 1,200 entries per request."""
    settings.PUENTE_RATE_JOIN_PER_ADDRESS = "1000/m"
    for _ in range(5):
        client = APIClient(REMOTE_ADDR="203.0.113.10")
        client.force_authenticate(world.users["learner"])
        client.post("/api/v1/classes/join/", {"code": "NOPE-NOPE"}, format="json")
    number, _ends = throttles._window("throttle:join-address:203.0.113.10", 60, throttles.clock())
    assert cache.get(f"throttle:join-address:203.0.113.10:60:{number}") == 5


def test_the_join_api_throttles_per_address(world, settings):
    settings.PUENTE_RATE_JOIN_PER_ADDRESS = "2/10m"
    for username in ["learner", "other_learner", "caregiver"]:
        client = APIClient(REMOTE_ADDR="203.0.113.9")
        client.force_authenticate(world.users[username])
        response = client.post("/api/v1/classes/join/", {"code": "NOPE-NOPE"}, format="json")
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("rate", "parsed"), [("120/m", (120, 60)), ("10/15m", (10, 900)), ("30/h", (30, 3600))]
)
def test_rates_read_like_django_ratelimit(rate, parsed):
    assert parse_rate(rate) == parsed


def test_a_malformed_rate_is_a_clear_error():
    with pytest.raises(ValueError, match="write it like 120/m"):
        parse_rate("lots")


def test_behind_a_proxy_each_family_is_counted_by_its_own_address(world, settings):
    settings.PUENTE_RATE_SIGN_IN_PER_ADDRESS = "2/15m"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.5"

    def through_proxy(client_address: str):
        return Client().post(
            "/en/accounts/sign-in/",
            {"username": "nobody", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=client_address,
        )

    assert [through_proxy("203.0.113.1").status_code for _ in range(3)] == [200, 200, 429]
    assert through_proxy("203.0.113.2").status_code == 200  # another family, same proxy
    # A forged or broken header is no address: the proxy's own is counted, never a 500.
    assert through_proxy("not-an-address").status_code in (200, 429)


def test_the_admin_sign_in_shares_the_limits(world, settings, admin_user):
    settings.PUENTE_RATE_SIGN_IN_PER_USERNAME = "2/15m"
    client = Client()
    for _ in range(2):
        tried = client.post("/admin/login/", {"username": "admin", "password": "wrong"})
        assert tried.status_code == 200
    locked = client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    assert locked.status_code == 429
    assert WAIT.search(locked.content.decode())
    assert "Too many tries to sign in" in locked.content.decode()
    # The site's sign-in counts the same username's tries.
    assert sign_in(client, "admin", "wrong").status_code == 429
