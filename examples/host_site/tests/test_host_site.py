"""This site adds the `lms` plugin from docs/plugin.md alone; its tests walk what its people
do. Run by Puente's suite (tests/test_host_site.py there) against the installed puente-lms
wheel, with the Ralph LRS that suite starts."""

from __future__ import annotations

import importlib.metadata
import os
import uuid
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from django.test import Client

from lms.models import (
    Assignment,
    Classroom,
    LessonProgress,
    School,
    StaffRole,
    Statement,
    StatementDelivery,
)
from lms.services.learners import learner_sign_up

PASSWORD = "a-long-host-password"


def signed_in(username: str) -> Client:
    """A phone that signed in through the plugin's sign-in page."""
    client = Client()
    response = client.post(
        "/en/accounts/sign-in/", {"username": username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"].username == username
    return client


@pytest.mark.skipif(
    not os.environ.get("HOST_SITE_WHEEL"), reason="run from the puente-lms wheel by Puente's suite"
)
def test_the_plugin_is_the_installed_wheel_not_a_source_tree():
    import lms

    assert "site-packages" in Path(lms.__file__).parts
    assert importlib.metadata.version("puente-lms") == os.environ["HOST_SITE_WHEEL"]
    with pytest.raises(ImportError):
        import courses  # noqa: F401  (the course server is not part of the plugin)


def test_the_site_passes_the_plugins_checks():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_without_lms_lti_there_is_no_lti():
    from django.apps import apps

    assert not apps.is_installed("lti_tool")
    with pytest.raises(ImportError):
        import pylti1p3  # noqa: F401  (the wheel's "lti" extra, not installed here)
    assert Client().get("/.well-known/jwks.json", follow=True).status_code == 404
    assert Client().post("/lti/launch/", follow=True).status_code == 404


def test_a_learner_finishes_a_guide_and_sees_it_on_their_page(guides):
    learner = learner_sign_up(username="amara", password=PASSWORD, preferred_language="en")
    phone = signed_in("amara")

    page = phone.get("/en/neighborhood/library/card/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Get a library card" in html
    assert "I finished" in html
    assert 'href="/en/learn/"' in html  # the plugin's account menu, from the site's base.html
    assert LessonProgress.objects.get(learner=learner).completed_at is None

    done = phone.post("/en/neighborhood/library/card/", {"action": "finish"}, follow=True)
    assert done.status_code == 200
    assert "Well done! You finished “Get a library card”." in done.content.decode()
    assert "You finished this guide." in done.content.decode()
    progress = LessonProgress.objects.get(learner=learner)
    assert progress.lesson_key == guides["card"].translation_key
    assert progress.completed_at is not None

    mine = phone.get("/en/learn/progress/")
    assert mine.status_code == 200
    assert "Our neighborhood" in mine.content.decode()

    # Without signing in the guide asks to sign in, and records nothing.
    stranger = Client().get("/en/neighborhood/library/print/")
    assert "Sign in to keep your progress" in stranger.content.decode()
    assert not LessonProgress.objects.filter(lesson_key=guides["print"].translation_key).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("XAPI_LRS_ENDPOINT"), reason="needs an LRS (Ralph)")
def test_the_learners_statements_reach_the_lrs(guides):
    learner = learner_sign_up(username="bao", password=PASSWORD)
    phone = signed_in("bao")
    phone.get("/en/neighborhood/library/card/")
    phone.post("/en/neighborhood/library/card/", {"action": "finish"})
    made = list(Statement.objects.values_list("id", flat=True))
    assert len(made) >= 2  # experienced and completed, at least

    call_command("deliver_statements", "--once")

    assert set(StatementDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    lrs = requests.get(
        f"{os.environ['XAPI_LRS_ENDPOINT'].rstrip('/')}/statements",
        params={"limit": 100},
        auth=(os.environ["XAPI_LRS_USERNAME"], os.environ["XAPI_LRS_PASSWORD"]),
        headers={"X-Experience-API-Version": "1.0.3"},
        timeout=10,
    )
    lrs.raise_for_status()
    stored = {uuid.UUID(s["id"]): s for s in lrs.json()["statements"]}
    assert set(made) <= set(stored)
    key = guides["card"].translation_key
    finished = next(
        s for i, s in stored.items() if i in made and s["verb"]["id"].endswith("/completed")
    )
    assert finished["object"]["id"] == f"http://127.0.0.1:8000/xapi/activities/lesson/{key}"
    assert finished["context"]["platform"] == "Neighborhood guides"
    assert finished["actor"]["account"]["name"] == str(learner.actor_id)
    assert "bao" not in str(finished)  # no username in the LRS
    # The activity's address answers with what it is, in this site.
    about = Client().get(f"/xapi/activities/lesson/{key}")
    assert about.status_code == 200
    assert "Get a library card" in about.content.decode()


def test_an_educator_assigns_a_unit_and_the_learner_sees_it(guides):
    school = School.objects.create(name="Riverside Elementary")
    teacher = learner_sign_up(username="ms-lee", password=PASSWORD).user
    StaffRole.objects.create(user=teacher, school=school, role=StaffRole.Role.EDUCATOR)
    educator = signed_in("ms-lee")

    made = educator.post("/en/teach/", {"name": "Family night", "school": school.pk})
    classroom = Classroom.objects.get(name="Family night")
    assert made.status_code == 302
    assert made["Location"] == f"/en/teach/classes/{classroom.pk}/"

    form = educator.get(f"/en/teach/classes/{classroom.pk}/assign/")
    html = form.content.decode()
    assert "Whole course: Our neighborhood" in html
    assert "The library" in html

    unit_key = str(guides["unit"].translation_key)
    assigned = educator.post(
        f"/en/teach/classes/{classroom.pk}/assign/", {"activity": unit_key, "note_language": "en"}
    )
    assert assigned.status_code == 302
    assignment = Assignment.objects.get(classroom=classroom)
    assert str(assignment.activity_key) == unit_key

    learner_sign_up(username="dara", password=PASSWORD)
    phone = signed_in("dara")
    joined = phone.post("/en/learn/join/", {"code": classroom.join_code}, follow=True)
    assert joined.status_code == 200
    home = phone.get("/en/learn/").content.decode()
    assert "The library" in home
    assert "/en/neighborhood/library/" in home
