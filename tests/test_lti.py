"""LTI 1.3 against a real platform (tests/lti_platform.py, built on lti1p3platform): login and
launch, deep linking, scores reaching the platform's gradebook, roster sync, and the launches
Puente must refuse."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from lti_tool.models import Key, LtiDeployment, LtiRegistration, LtiUser

from lms.lti.models import LtiActivityLink, ScoreDelivery
from lms.lti.services import lti_extension_iri, lti_registration_configure
from lms.models import (
    Classroom,
    DeliveryStatus,
    Learner,
    LessonProgress,
    StaffRole,
    Statement,
)
from lms.services.retention import outbox_purge
from lms.xapi.worker import DeliveryWorker
from tests.factories import lesson_finish
from tests.lti_platform import Platform
from tests.lti_world import LtiWorld

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def module_key(world: LtiWorld, index: int = 0) -> str:
    return str(world.tree.modules[index].translation_key)


def test_resource_launch_signs_in_a_new_learner_in_the_platform_language(lti):
    browser = lti.browser()
    response = browser.launch(
        user="student-1", rl="link-1", custom={"puente_activity": module_key(lti)}
    )

    assert response.status_code == 200, response.text[:500]
    spanish_module = lti.tree.translation(lti.module, "es")
    assert response.url == lti.tool + spanish_module.get_url()
    assert '<html lang="es"' in response.text
    lti_user = LtiUser.objects.get(sub="student-1")
    assert lti_user.email == "", "Puente keeps no email from the platform"
    learner = Learner.objects.get(user=lti_user.auth_user)
    assert learner.preferred_language == "es"
    assert not learner.user.has_usable_password()
    assert learner.user.email == ""
    assert "sam" not in learner.user.username.lower()
    # The same platform user launching again is the same learner.
    again = lti.browser().launch(
        user="student-1", rl="link-1", custom={"puente_activity": module_key(lti)}
    )
    assert again.status_code == 200
    assert Learner.objects.filter(user__username__startswith="lti-").count() == 1
    # Progress is the learner's own: their session is signed in as them.
    with translation.override("es"):
        home = reverse("lms:home")
    page = browser.session.get(lti.tool + home)
    assert page.status_code == 200
    assert page.url == lti.tool + home
    lesson = lti.tree.translation(lti.module.get_children().first(), "es")
    assert browser.session.get(lti.tool + lesson.get_url(), timeout=15).status_code == 200
    assert LessonProgress.objects.get().learner == learner


@pytest.mark.parametrize(
    "activity", [12345, "not-a-key", "5d1f3c2e-0b7a-4e8f-9c41-2a6b8d0e7f13"], ids=str
)
def test_a_launch_naming_no_activity_of_ours_lands_on_the_home_page(lti, activity):
    response = lti.browser().launch(
        user="student-1", rl="link-1", custom={"puente_activity": activity}
    )
    assert response.status_code == 200, response.text[:500]
    assert response.url == lti.tool + "/es/"


def deep_link(world: LtiWorld, *activity_keys: str, user: str = "teacher-1"):
    """An instructor adds Puente content to the LMS course: the picker, then the platform."""
    browser = world.browser()
    picker = browser.launch(user=user, kind="deeplink")
    assert picker.status_code == 200, picker.text[:500]
    returned = browser.submit(picker, {"activity": list(activity_keys)}, action="/lti/deep-link/")
    assert returned.status_code == 200, returned.text[:500]
    # Puente answers with a form that posts the signed content items back to the platform.
    assert world.platform.base + "/deep_link_return" in returned.text
    received = browser.submit(returned.text)
    assert received.status_code == 200, received.text
    return picker, received.json()["received"]


def launch_link(world: LtiWorld, user: str, index: int = 0, browser=None):
    """A learner follows the ``index``-th link that deep linking made."""
    item = world.platform.state.content_items[index]
    browser = browser or world.browser()
    response = browser.launch(user=user, rl=item["resourceLinkId"], custom=item["custom"])
    assert response.status_code == 200, response.text[:500]
    return browser, response


def test_deep_linking_returns_the_chosen_modules_with_gradebook_columns(lti):
    picker, received = deep_link(lti, module_key(lti, 0), module_key(lti, 1))

    # The picker is the catalog in the instructor's language.
    assert '<html lang="es"' in picker.text
    assert "[es] Module 1" in picker.text
    assert "[es] Module 2" in picker.text
    assert [item["type"] for item in received] == ["ltiResourceLink", "ltiResourceLink"]
    assert [item["custom"]["puente_activity"] for item in received] == [
        module_key(lti, 0),
        module_key(lti, 1),
    ]
    assert all(item["url"] == lti.tool + "/lti/launch/" for item in received)
    assert [item["title"] for item in received] == ["[es] Module 1", "[es] Module 2"]
    lineitems = list(lti.platform.state.lineitems.values())
    assert len(lineitems) == 2
    assert {item["scoreMaximum"] for item in lineitems} == {100.0}
    assert {item["resourceId"] for item in lineitems} == {module_key(lti, 0), module_key(lti, 1)}
    # The instructor became an educator of the platform's school.
    teacher = LtiUser.objects.get(sub="teacher-1")
    assert StaffRole.objects.filter(user=teacher.auth_user, school=lti.school).exists()


def test_only_instructors_pick_content_and_only_from_a_launch(lti):
    refused = lti.browser().launch(user="student-1", kind="deeplink")
    assert refused.status_code == 403
    # Someone with a Puente session (and its CSRF token) but no deep-linking launch.
    someone = requests.Session()
    someone.get(lti.tool + "/en/accounts/sign-in/", timeout=15)
    forged = someone.post(
        lti.tool + "/lti/deep-link/",
        data={"activity": module_key(lti), "csrfmiddlewaretoken": someone.cookies["csrftoken"]},
        headers={"Referer": lti.tool + "/en/"},
        timeout=15,
    )
    assert forged.status_code == 403
    assert "Open this page from your LMS" in forged.text
    picker_browser = lti.browser()
    picker = picker_browser.launch(user="teacher-1", kind="deeplink")
    nothing = picker_browser.submit(picker, {"activity": ["not-a-key"]}, action="/lti/deep-link/")
    assert nothing.status_code == 400
    assert not lti.platform.state.content_items
    assert "Elija al menos un" in nothing.text  # "Choose at least one", in Spanish


def test_a_completed_module_reaches_the_platform_gradebook(lti):
    deep_link(lti, module_key(lti, 0))
    launch_link(lti, "student-1")
    learner = Learner.objects.get(user__lti_users__sub="student-1")
    first, second = lti.tree.modules[0].get_children()

    lesson_finish(learner, first, right=True)
    report = DeliveryWorker().run_round()
    assert report.delivered == 1
    lineitem = next(iter(lti.platform.state.lineitems))
    score = lti.platform.state.scores[lineitem]["student-1"]
    assert score["activityProgress"] == "InProgress"
    assert score["gradingProgress"] == "Pending"
    assert 0 < score["scoreGiven"] < 100

    lesson_finish(learner, second, right=True)
    assert DeliveryWorker().run_round().delivered == 1
    score = lti.platform.state.scores[lineitem]["student-1"]
    assert (score["scoreGiven"], score["scoreMaximum"]) == (100, 100)
    assert score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded"
    assert ScoreDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2


def test_scores_wait_out_a_platform_outage_and_a_refusal_is_kept(lti):
    deep_link(lti, module_key(lti, 0))
    launch_link(lti, "student-1")
    learner = Learner.objects.get(user__lti_users__sub="student-1")
    first = lti.tree.modules[0].get_children().first()
    state = lti.platform.state
    state.score_failures = [503, 429]

    lesson_finish(learner, first)
    assert DeliveryWorker().run_round().retried == 1
    row = ScoreDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 503)
    assert row.next_attempt_at > timezone.now()
    assert DeliveryWorker().run_round().requests == 0, "not before its backoff"

    ScoreDelivery.objects.update(next_attempt_at=timezone.now())
    assert DeliveryWorker().run_round().retried == 1  # 429
    lti.platform.stop()  # the platform is down: a network error, retried too
    ScoreDelivery.objects.update(next_attempt_at=timezone.now())
    assert DeliveryWorker().run_round().retried == 1
    assert ScoreDelivery.objects.get().last_status_code is None

    restarted = Platform(tool_base=lti.tool, registration_uuid=lti.registration.uuid)
    restarted.state = state  # the same LMS (its keys and gradebook) back on a new port
    state.base = restarted.base
    LtiRegistration.objects.filter(pk=lti.registration.pk).update(
        token_url=f"{restarted.base}/token"
    )
    ScoreDelivery.objects.update(next_attempt_at=timezone.now())
    lineitem_url = LtiActivityLink.objects.get().lineitem_url
    moved = lineitem_url.replace(lti.platform.base, restarted.base)
    LtiActivityLink.objects.update(lineitem_url=moved)
    (item,) = state.lineitems.values()
    state.lineitems = {moved: dict(item, id=moved)}
    lti.platform = restarted
    assert DeliveryWorker().run_round().delivered == 1
    assert state.scores[moved]["student-1"]["scoreGiven"] == ScoreDelivery.objects.get().score_given
    assert ScoreDelivery.objects.get().attempts == 4

    # A score the platform refuses for good (here: its line item is gone) is kept, not lost.
    state.lineitems.clear()
    lesson_finish(learner, lti.tree.modules[0].get_children().last())
    assert DeliveryWorker().run_round().dead == 1
    dead = ScoreDelivery.objects.get(status=DeliveryStatus.DEAD)
    assert dead.last_status_code == 404

    # The retention purge (lms.lti's queue, through lms.queues) takes the delivered score only.
    later = timezone.now() + timedelta(days=1)
    assert outbox_purge(before=later, dry_run=True).scores == 1
    assert ScoreDelivery.objects.count() == 2
    assert outbox_purge(before=later).scores == 1
    assert list(ScoreDelivery.objects.values_list("status", flat=True)) == [DeliveryStatus.DEAD]


def test_an_instructor_syncs_the_course_roster_into_a_class(lti):
    state = lti.platform.state
    state.users["student-3"] = {
        "name": "Former Student",
        "email": "former@example.edu",
        "roles": [state.users["student-1"]["roles"][0]],
        "status": "Inactive",
    }
    deep_link(lti, module_key(lti, 0))
    browser, module_page = launch_link(lti, "teacher-1")
    assert "/lti/roster/" in module_page.text, "the instructor is offered a roster sync"

    synced = browser.submit(module_page.text, action="/lti/roster/")
    assert synced.status_code == 200, synced.text[:500]
    classroom = Classroom.objects.get(school=lti.school)
    assert classroom.name == "Digital Life 101"
    assert synced.url.endswith(f"/teach/classes/{classroom.pk}/")
    members = set(classroom.memberships.values_list("learner__user__lti_users__sub", flat=True))
    assert members == {"student-1", "student-2"}
    teacher = LtiUser.objects.get(sub="teacher-1").auth_user
    assert classroom.educators.filter(pk=teacher.pk).exists()
    assert not LtiUser.objects.exclude(email="").exists(), "no emails kept from the roster"

    # Syncing again adds newcomers and duplicates nobody.
    state.users["student-4"] = dict(state.users["student-1"], name="New Student")
    browser.submit(module_page.text, action="/lti/roster/")
    assert classroom.memberships.count() == 3
    assert Classroom.objects.count() == 1

    # A learner has no roster button and may not sync.
    student_browser, student_page = launch_link(lti, "student-1")
    assert "/lti/roster/" not in student_page.text
    csrf = student_browser.session.cookies["csrftoken"]
    refused = student_browser.session.post(
        lti.tool + "/lti/roster/", data={"csrfmiddlewaretoken": csrf}
    )
    assert refused.status_code == 403


def test_statements_of_a_launched_module_carry_the_lti_context(lti):
    deep_link(lti, module_key(lti, 0))
    launch_link(lti, "student-1")
    learner = Learner.objects.get(user__lti_users__sub="student-1")
    lesson_finish(learner, lti.tree.modules[0].get_children().first())

    payloads = list(Statement.objects.filter(learner=learner).values_list("payload", flat=True))
    assert payloads
    for payload in payloads:
        extension = payload["context"]["extensions"][lti_extension_iri()]
        assert extension == {
            "platform": lti.platform.base,
            "deployment_id": "deployment-1",
            "context_id": "course-101",
            "resource_link_id": "rl-1",
        }
        text = json.dumps(payload)
        assert "Sam" not in text
        assert "example.edu" not in text


def test_a_replayed_launch_is_refused(lti):
    browser = lti.browser()
    first = browser.launch(
        user="student-1", rl="link-1", custom={"puente_activity": module_key(lti)}
    )
    assert first.status_code == 200
    replay = browser.session.post(
        lti.tool + "/lti/launch/", data=lti.platform.state.last_launch_form
    )
    assert replay.status_code == 400
    assert "Puente could not open" in replay.text or "Puente no pudo abrir" in replay.text


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(45, True), (-45, True), (-400, False), (900, False)],
)
def test_clock_skew_between_platform_and_puente(lti, offset, accepted):
    """A platform clock a little off is tolerated; a stale or far-future launch is not."""
    lti.platform.state.clock_offset = offset
    response = lti.browser().launch(
        user="student-1", rl="link-1", custom={"puente_activity": module_key(lti)}
    )
    assert (response.status_code == 200) is accepted, response.status_code


def test_launches_from_a_deployment_puente_does_not_know_are_refused(lti):
    lti.platform.state.deployment_id = "deployment-2"
    custom = {"puente_activity": module_key(lti)}
    refused = lti.browser().launch(user="student-1", rl="link-1", custom=custom)
    assert refused.status_code == 403
    assert not Learner.objects.exists(), "no account for a refused launch"
    # The administrator adds the deployment id to the registration: now it launches.
    assert not LtiDeployment.objects.get(deployment_id="deployment-2").is_active
    lti_registration_configure(
        registration=lti.registration,
        school=lti.school,
        deployment_ids=["deployment-1", "deployment-2"],
    )
    assert lti.browser().launch(user="student-1", rl="link-1", custom=custom).status_code == 200


def test_login_initiation_from_an_unknown_platform_is_a_clear_error(lti):
    response = requests.get(
        f"{lti.tool}/lti/login/{uuid.uuid4()}/",
        params={
            "iss": "https://lms.example",
            "login_hint": "x",
            "target_link_uri": lti.tool,
            "lti1p3_new_window": "1",  # past the cookie check
        },
        timeout=15,
    )
    assert response.status_code == 400
    assert "Puente could not open" in response.text


def test_jwks_publishes_the_signing_keys_through_a_rotation(lti):
    keys = requests.get(lti.tool + "/.well-known/jwks.json", timeout=15).json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA"
    assert "d" not in keys[0]
    call_command("rotate_keys", stdout=None)
    after = requests.get(lti.tool + "/.well-known/jwks.json", timeout=15).json()["keys"]
    assert len(after) == 2, "the old key stays published while platforms may still use it"
    newest = Key.objects.active().latest()
    assert newest.as_jwk()["kid"] in {key["kid"] for key in after}
    # The platform verifies deep links signed with the new key against the published set.
    _picker, received = deep_link(lti, module_key(lti))
    assert len(received) == 1
    Key.objects.exclude(pk=newest.pk).update(is_active=False)
    assert len(requests.get(lti.tool + "/.well-known/jwks.json", timeout=15).json()["keys"]) == 1
