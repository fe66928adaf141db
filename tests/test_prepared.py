"""Lookups compiled once (lms.prepared): the same objects the ORM returns, in one query."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from lms.backends import LearnerModelBackend
from lms.prepared import PreparedLookup

pytestmark = pytest.mark.django_db

FIELDS = ("pk", "username", "password", "is_active", "last_login", "date_joined")


def token_lookup() -> PreparedLookup:
    return PreparedLookup(
        lambda key: Token.objects.select_related("user__learner").filter(key=key),
        marker="marker-key",
    )


def test_a_prepared_lookup_returns_what_the_orm_returns(learner):
    token = Token.objects.create(user=learner.user)
    lookup = token_lookup()
    expected = Token.objects.select_related("user__learner").get(key=token.key)
    for _ in range(2):  # compiled on the first call, reused on the second
        with CaptureQueriesContext(connection) as queries:
            found = lookup.get(token.key)
            learner_found = found.user.learner  # loaded with it: no second query
        assert len(queries) == 1
        assert (found.key, found.created) == (expected.key, expected.created)
        assert [getattr(found.user, name) for name in FIELDS] == [
            getattr(expected.user, name) for name in FIELDS
        ]
        assert learner_found == learner
        assert learner_found.actor_id == learner.actor_id  # a UUID, through its converter
        assert found._state.db == "default"
        assert not found._state.adding
    assert lookup.get("no-such-key") is None


def test_the_session_user_comes_with_its_learner_and_an_account_without_one_has_none(learner):
    backend = LearnerModelBackend()
    with CaptureQueriesContext(connection) as queries:
        user = backend.get_user(str(learner.user.pk))  # sessions keep the id as a string
        assert user.learner == learner
    assert len(queries) == 1
    staff = get_user_model().objects.create_user("staff-without-learner", password="x" * 12)
    assert not hasattr(backend.get_user(staff.pk), "learner")
    staff.is_active = False
    staff.save()
    assert backend.get_user(staff.pk) is None  # inactive accounts cannot be signed in
    assert backend.get_user("not-a-number") is None
    assert backend.get_user(10**9) is None


def test_a_marker_that_is_not_exactly_one_parameter_is_refused():
    lookup = PreparedLookup(
        lambda key: Token.objects.filter(key=key, user__username=key), marker="twice"
    )
    with pytest.raises(ValueError, match="must be one parameter"):
        lookup.get("anything")


def test_a_new_password_signs_the_account_out_of_its_other_phones(client, learner):
    client.force_login(learner.user)
    home = reverse("lms:home")
    assert client.get(home).status_code == 200
    learner.user.set_password("a-new-password-for-rosa")  # on another phone
    learner.user.save()
    response = client.get(home)  # the session's password hash no longer matches
    assert response.status_code == 302
    assert reverse("lms:login") in response["Location"]
