"""Households on a shared phone: children's profiles, the PIN, export and deletion."""

import json

import pytest
from django.test import Client

from lms.models import Household, Learner, LearnerEvent, LessonProgress, Statement
from lms.services.households import HouseholdError, household_pin_check
from tests.conftest import PASSWORD
from tests.people import PIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def caregiver(client):
    client.post(
        "/en/accounts/sign-up/",
        {
            "username": "mama",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "preferred_language": "es",
        },
    )
    return client


def start_household(client):
    return client.post("/en/learn/household/", {"action": "pin", "pin": PIN})


def add_child(client, name, language="es"):
    return client.post(
        "/en/learn/household/",
        {
            "action": "child",
            "display_name": name,
            "preferred_language": language,
        },
    )


def test_caregiver_adds_children_without_email_or_password(caregiver):
    assert start_household(caregiver).status_code == 302
    add_child(caregiver, "Ana")
    add_child(caregiver, "Leo", "en")
    household = Household.objects.get()
    children = household.members.filter(user__isnull=True).order_by("pk")
    assert [(c.display_name, c.preferred_language) for c in children] == [
        ("Ana", "es"),
        ("Leo", "en"),
    ]
    assert household.pin != PIN  # hashed
    page = caregiver.get("/en/learn/household/").content.decode()
    assert "Ana" in page
    assert "Leo" in page


def test_a_pin_must_be_4_to_8_digits(caregiver):
    response = caregiver.post("/en/learn/household/", {"action": "pin", "pin": "12a"})
    assert response.status_code == 400
    assert "4 to 8 digits" in response.content.decode()
    assert not Household.objects.exists()


def switch(client, learner, pin=None):
    data = {"learner": learner.pk}
    if pin is not None:
        data["pin"] = pin
    return client.post("/en/learn/who/", data)


def test_one_tap_to_a_child_and_the_pin_to_come_back(caregiver, course_tree):
    start_household(caregiver)
    add_child(caregiver, "Ana")
    household = Household.objects.get()
    ana = household.members.get(display_name="Ana")
    mama = household.members.get(user__username="mama")

    assert switch(caregiver, ana).status_code == 302  # no PIN needed
    caregiver.get(course_tree.lessons[0].get_url())
    assert LearnerEvent.objects.get().learner == ana  # Ana's progress is Ana's

    refused = switch(caregiver, mama, pin="0000")
    assert refused.status_code == 400
    assert "not right" in refused.content.decode()
    assert switch(caregiver, mama).status_code == 400  # no PIN at all
    assert switch(caregiver, mama, pin=PIN).status_code == 302
    caregiver.get(course_tree.lessons[1].get_url())
    assert LessonProgress.objects.filter(learner=mama).count() == 1
    assert LessonProgress.objects.filter(learner=ana).count() == 1


def test_each_profile_learns_in_the_language_it_chose(caregiver):
    start_household(caregiver)
    add_child(caregiver, "Ana", language="es")
    household = Household.objects.get()
    ana = household.members.get(display_name="Ana")
    mama = household.members.get(user__username="mama")
    mama.preferred_language = "vi"
    mama.save()
    response = switch(caregiver, ana)  # from an English page
    assert response["Location"] == "/es/learn/"
    assert "Ana" in caregiver.get(response["Location"]).content.decode()
    assert switch(caregiver, mama, pin=PIN)["Location"] == "/vi/learn/"


def test_too_many_wrong_pins_lock_switching_for_a_while(caregiver):
    start_household(caregiver)
    household = Household.objects.get()
    for _ in range(5):
        assert household_pin_check(household=household, pin="0000") is False
    with pytest.raises(HouseholdError, match="Too many wrong PINs"):
        household_pin_check(household=household, pin=PIN)


# Serialized rollback, like every transactional test here: a flush without it recreates
# content types, which the next serialized test would then insert twice.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_wrong_pins_sent_all_at_once_cannot_get_past_the_limit(caregiver):
    """24 wrong PINs, 8 at a time, as a review sent them: at most 5 are checked, and the
    right PIN straight after is refused, because each try is counted before it is checked."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    start_household(caregiver)
    household = Household.objects.get()
    checked = []

    def try_pin(barrier: Barrier) -> str:
        barrier.wait()  # the 8 tries of a round leave together
        try:
            result = household_pin_check(household=household, pin="0000")
            checked.append(result)
            return "wrong"
        except HouseholdError:
            return "locked"
        finally:
            connection.close()

    outcomes = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _round in range(3):
            outcomes += list(pool.map(try_pin, [Barrier(8)] * 8))
    assert outcomes.count("wrong") == len(checked) == 5
    assert outcomes.count("locked") == 19
    with pytest.raises(HouseholdError, match="Too many wrong PINs"):
        household_pin_check(household=household, pin=PIN)


def test_a_child_cannot_switch_to_a_profile_outside_the_household(caregiver, make_learner):
    start_household(caregiver)
    stranger = make_learner("stranger")
    assert switch(caregiver, stranger).status_code == 400
    assert caregiver.get("/en/learn/").context["learner"].user.username == "mama"


def test_download_a_childs_data(caregiver, course_tree):
    start_household(caregiver)
    add_child(caregiver, "Ana")
    ana = Learner.objects.get(display_name="Ana")
    switch(caregiver, ana)
    caregiver.get(course_tree.lessons[0].get_url())
    switch(caregiver, Learner.objects.get(user__username="mama"), pin=PIN)
    response = caregiver.get(f"/en/learn/household/{ana.pk}/data.json")
    assert response["Content-Disposition"] == 'attachment; filename="puente-ana.json"'
    data = json.loads(response.content)
    assert data["profile"]["name"] == "Ana"
    assert len(data["events"]) == 1
    assert len(data["xapi_statements"]) == 2  # registered, experienced


def test_delete_a_child_asks_first_then_deletes_everything(caregiver, course_tree):
    start_household(caregiver)
    add_child(caregiver, "Ana")
    ana = Learner.objects.get(display_name="Ana")
    switch(caregiver, ana)
    caregiver.get(course_tree.lessons[0].get_url())
    switch(caregiver, Learner.objects.get(user__username="mama"), pin=PIN)

    confirm = caregiver.get(f"/en/learn/household/{ana.pk}/delete/")
    assert "cannot be undone" in confirm.content.decode()
    assert caregiver.post(f"/en/learn/household/{ana.pk}/delete/").status_code == 200  # no "yes"
    assert Learner.objects.filter(pk=ana.pk).exists()

    response = caregiver.post(f"/en/learn/household/{ana.pk}/delete/", {"confirm": "yes"})
    assert response.status_code == 302
    assert not Learner.objects.filter(pk=ana.pk).exists()
    assert not LearnerEvent.objects.exists()
    assert not LessonProgress.objects.exists()
    assert not Statement.objects.exists()


def test_the_caregiver_home_shows_each_member(caregiver):
    start_household(caregiver)
    add_child(caregiver, "Ana")
    add_child(caregiver, "Leo")
    html = caregiver.get("/en/learn/").content.decode()
    assert "My family" in html
    assert html.index("Ana") < html.index("Leo")


def test_another_caregiver_cannot_touch_my_children(caregiver):
    start_household(caregiver)
    add_child(caregiver, "Ana")
    ana = Learner.objects.get(display_name="Ana")
    other = Client()
    other.post(
        "/en/accounts/sign-up/",
        {
            "username": "otra",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "preferred_language": "en",
        },
    )
    assert other.get(f"/en/learn/household/{ana.pk}/data.json").status_code == 404
    assert (
        other.post(f"/en/learn/household/{ana.pk}/delete/", {"confirm": "yes"}).status_code == 404
    )
    assert switch(other, ana).status_code == 302  # no household: back to home, unchanged
    assert Learner.objects.filter(pk=ana.pk).exists()


@pytest.mark.usefixtures("each_cache")
def test_the_phone_shows_as_shared_as_soon_as_a_household_is_made_and_not_after(
    caregiver, course_tree
):
    """Whether an account keeps a household is cached (every page's account nav asks), and
    forgotten when a household is made or removed."""
    lesson = course_tree.lessons[0].get_url()
    assert 'class="learning-now"' not in caregiver.get(lesson).content.decode()
    start_household(caregiver)
    assert 'class="learning-now"' in caregiver.get(lesson).content.decode()
    Household.objects.get().delete()
    assert 'class="learning-now"' not in caregiver.get(lesson).content.decode()
