"""Educators manage their classes without the admin, through the teach pages and the same
services through the API: assignments changed or taken back (progress kept), no duplicates
and no past due dates, learners removed or moved, classes renamed and archived, new passwords
on sign-in cards, a learner's own page, messages to families; and every change recorded for
the school administrator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone
from rest_framework.test import APIClient

from lms.access import ACTIVE_PROFILE_SESSION_KEY
from lms.models import Assignment, ClassActivity, ClassMembership, ClassMessage, LessonProgress
from lms.services.assignments import assignment_create
from lms.services.classes import classroom_create, classroom_member_add
from lms.services.integrations import integration_token_issue
from lms.services.learners import learner_sign_up
from tests.conftest import PASSWORD
from tests.factories import lesson_finish
from tests.people import build_world

pytestmark = pytest.mark.django_db
TOMORROW = timezone.localdate() + timedelta(days=1)
YESTERDAY = timezone.localdate() - timedelta(days=1)


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def teacher(world, client):
    client.force_login(world.users["educator"])
    return client


@pytest.fixture
def teacher_api(world):
    api = APIClient()
    api.force_login(world.users["educator"])
    return api


def assign(world, course_tree, module=0, **extra):
    return assignment_create(
        classroom=world.class_a1,
        activity_key=course_tree.modules[module].translation_key,
        assigned_by=world.users["educator"],
        **extra,
    )


def todo(client, user, profile=None) -> str:
    client.force_login(user)
    if profile is not None:  # a child's profile on the family's phone
        session = client.session
        session[ACTIVE_PROFILE_SESSION_KEY] = profile.pk
        session.save()
    html = client.get("/en/learn/").content.decode()
    return html[html.index('id="todo"') : html.index('id="courses-title"')]


def actions(world) -> list[str]:
    return list(
        ClassActivity.objects.filter(school=world.school)
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )


# Assigning.


def test_a_past_due_date_or_a_second_copy_is_refused_clearly(world, course_tree, teacher):
    url = f"/en/teach/classes/{world.class_a1.pk}/assign/"
    module = str(course_tree.modules[0].translation_key)
    past = teacher.post(url, {"activity": module, "due_on": YESTERDAY.isoformat()})
    assert past.status_code == 400
    assert "The due date has passed" in past.content.decode()
    assert (
        teacher.post(url, {"activity": module, "due_on": TOMORROW.isoformat()}).status_code == 302
    )
    again = teacher.post(url, {"activity": module})
    assert again.status_code == 400
    assert "This class has this already" in again.content.decode()
    assert Assignment.objects.count() == 1


def test_the_api_refuses_them_too(world, course_tree, teacher_api):
    url = f"/api/v1/classes/{world.class_a1.pk}/assignments/"
    module = str(course_tree.modules[0].translation_key)
    past = teacher_api.post(url, {"activity_key": module, "due_on": YESTERDAY.isoformat()})
    assert past.status_code == 400
    assert "due_on" in past.json()
    assert teacher_api.post(url, {"activity_key": module}).status_code == 201
    duplicate = teacher_api.post(url, {"activity_key": module})
    assert duplicate.status_code == 400
    assert "activity_key" in duplicate.json()


def test_changing_an_assignment_changes_to_do_lists_and_keeps_progress(
    world, course_tree, teacher, client
):
    assignment = assign(world, course_tree)
    lesson_finish(world.learners["ana"], course_tree.lessons[0])
    page = f"/en/teach/classes/{world.class_a1.pk}/assignments/{assignment.pk}/"
    response = teacher.post(
        page,
        {
            "due_on": TOMORROW.isoformat(),
            "note": "Traigan el cargador",
            "note_language": "es",
            "learners": [str(world.child.pk)],
        },
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.due_on, assignment.note_language) == (TOMORROW, "es")
    assert "Module 1" not in todo(client, world.users["learner"])  # ana: not hers any more
    kiko = todo(client, world.users["caregiver"], profile=world.child)
    assert 'lang="es"' in kiko
    assert "Traigan el cargador" in kiko
    assert LessonProgress.objects.filter(learner=world.learners["ana"]).exists()


def test_taking_an_assignment_back_keeps_what_learners_did(world, course_tree, teacher, client):
    assignment = assign(world, course_tree)
    lesson_finish(world.learners["ana"], course_tree.lessons[0])
    url = f"/en/teach/classes/{world.class_a1.pk}/assignments/{assignment.pk}/delete/"
    assert "Delete the assignment?" in teacher.get(url).content.decode()
    assert teacher.post(url, {"confirm": "yes"}).status_code == 302
    assert not Assignment.objects.exists()
    assert "Module 1" not in todo(client, world.users["learner"])
    assert LessonProgress.objects.filter(learner=world.learners["ana"]).count() == 1
    assert actions(world)[-2:] == ["assigned", "assignment-deleted"]


def test_the_assignment_page_groups_learners_behind_first(world, course_tree, teacher):
    assignment = assign(world, course_tree)
    lesson_finish(world.learners["ana"], course_tree.lessons[0])
    page = teacher.get(
        f"/en/teach/classes/{world.class_a1.pk}/assignments/{assignment.pk}/"
    ).content.decode()
    assert page.index("Not started") < page.index("In progress")
    assert page.index("Kiko") < page.index("ana")
    assert f"/learners/{world.child.pk}/" in page


# Learners.


def test_a_learner_page_shows_assignments_answers_and_last_activity(world, course_tree, teacher):
    assign(world, course_tree)
    lesson_finish(world.learners["ana"], course_tree.lessons[1], right=False)
    page = teacher.get(
        f"/en/teach/classes/{world.class_a1.pk}/learners/{world.learners['ana'].pk}/"
    ).content.decode()
    assert "Module 1" in page
    assert "Lesson 1.2" in page
    assert "A single question?" in page
    assert "Not yet right:" in page
    assert "ago" in page  # last active
    # ana made her own account: no new password from the school.
    assert "learners/{}/password/".format(world.learners["ana"].pk) not in page


def test_a_new_password_for_an_account_the_school_made(world, teacher):
    account = classroom_member_add(classroom=world.class_a1, display_name="Rosa Díaz")
    url = f"/en/teach/classes/{world.class_a1.pk}/learners/{account.learner.pk}/password/"
    assert "A new password for" in teacher.get(url).content.decode()
    card = teacher.post(url, {"confirm": "yes"}).content.decode()
    new = card.split("<code>")[2].split("</code>")[0]
    assert authenticate(username=account.username, password=new) is not None
    assert authenticate(username=account.username, password=account.password) is None
    assert "/join/" in card  # the card says where to sign in
    assert actions(world)[-1] == "password-reset"


def test_no_new_password_for_an_account_a_person_made(world, teacher):
    ana = world.learners["ana"]
    url = f"/en/teach/classes/{world.class_a1.pk}/learners/{ana.pk}/password/"
    response = teacher.post(url, {"confirm": "yes"}, follow=True)
    assert "made their own account" in response.content.decode()
    assert authenticate(username="ana", password=PASSWORD) is not None


def test_removing_a_learner_empties_their_to_do_and_keeps_their_progress(
    world, course_tree, teacher, client
):
    assign(world, course_tree)
    lesson_finish(world.learners["ana"], course_tree.lessons[0])
    url = f"/en/teach/classes/{world.class_a1.pk}/learners/{world.learners['ana'].pk}/remove/"
    assert teacher.post(url, {"confirm": "yes"}).status_code == 302
    assert not ClassMembership.objects.filter(learner=world.learners["ana"]).exists()
    assert "Module 1" not in todo(client, world.users["learner"])
    assert LessonProgress.objects.filter(learner=world.learners["ana"]).exists()


def test_moving_a_learner_to_another_class_of_the_school(world, course_tree, teacher):
    evening = classroom_create(
        school=world.school, name="Evening", educator=world.users["educator"]
    )
    url = f"/en/teach/classes/{world.class_a1.pk}/learners/{world.learners['ana'].pk}/"
    assert teacher.post(url, {"action": "move", "to": evening.pk}).status_code == 302
    assert list(
        ClassMembership.objects.filter(learner=world.learners["ana"]).values_list(
            "classroom__name", flat=True
        )
    ) == ["Evening"]
    # Class A2 is taught by someone else: not offered, and refused.
    refused = teacher.post(
        f"/en/teach/classes/{evening.pk}/learners/{world.learners['ana'].pk}/",
        {"action": "move", "to": world.class_a2.pk},
    )
    assert refused.status_code == 400


# Classes.


def test_renaming_and_archiving_a_class(world, course_tree, teacher, client):
    assign(world, course_tree)
    url = f"/en/teach/classes/{world.class_a1.pk}/settings/"
    assert teacher.post(url, {"action": "rename", "name": "Family Tech Night"}).status_code == 302
    assert teacher.post(url, {"action": "archive"}).status_code == 302
    world.class_a1.refresh_from_db()
    assert world.class_a1.name == "Family Tech Night"
    assert world.class_a1.archived_at is not None
    assert "Module 1" not in todo(client, world.users["learner"])
    teacher.force_login(world.users["educator"])
    page = teacher.get(f"/en/teach/classes/{world.class_a1.pk}/").content.decode()
    assert "This class is archived" in page
    export = teacher.get(f"/en/teach/classes/{world.class_a1.pk}/export.csv")
    assert b"ana" in b"".join(export.streaming_content)
    joiner = learner_sign_up(username="late", password=PASSWORD)
    client.force_login(joiner.user)
    refused = client.post("/en/learn/join/", {"code": world.class_a1.join_code})
    assert "This class has ended" in refused.content.decode()
    teacher.force_login(world.users["educator"])
    assert teacher.post(url, {"action": "reopen"}).status_code == 302
    assert "Module 1" in todo(client, world.users["learner"])
    assert actions(world)[-3:] == ["class-renamed", "class-archived", "class-reopened"]


# Messages to families.


def test_a_message_reaches_learners_and_caregivers_marked_with_its_language(world, teacher, client):
    url = f"/en/teach/classes/{world.class_a1.pk}/messages/"
    response = teacher.post(url, {"text": "Noche de tecnología el martes", "language": "es"})
    assert response.status_code == 302
    for user in (world.users["learner"], world.users["caregiver"]):  # Kiko's caregiver
        client.force_login(user)
        home = client.get("/en/learn/").content.decode()
        assert '<p lang="es" dir="auto">Noche de tecnología el martes</p>' in home
    household = client.get("/en/learn/household/").content.decode()
    assert "Noche de tecnología el martes" in household
    client.force_login(world.users["other_learner"])  # beto, class A2
    assert "Noche de tecnología" not in client.get("/en/learn/").content.decode()
    message = ClassMessage.objects.get()
    delete = f"/en/teach/classes/{world.class_a1.pk}/messages/{message.pk}/delete/"
    teacher.force_login(world.users["educator"])  # the same test client as the learners'
    assert teacher.post(delete).status_code == 302
    assert not ClassMessage.objects.exists()


# The school's record.


def test_the_school_administrator_sees_who_changed_what(world, course_tree, teacher, client):
    assign(world, course_tree)
    client.force_login(world.users["administrator"])
    page = client.get("/en/teach/activity/").content.decode()
    assert "Assigned" in page
    assert "Module 1" in page
    assert "teacher" in page
    client.force_login(world.users["educator"])
    assert client.get("/en/teach/activity/").status_code == 404  # educators: not theirs
    client.force_login(world.users["other_administrator"])
    assert "Module 1" not in client.get("/en/teach/activity/").content.decode()


# The API twins.


def test_every_management_action_through_the_api(world, course_tree, teacher_api):
    a1 = world.class_a1.pk
    base = f"/api/v1/classes/{a1}"
    assignment = assign(world, course_tree)
    lesson_finish(world.learners["ana"], course_tree.lessons[0])

    changed = teacher_api.patch(
        f"{base}/assignments/{assignment.pk}/",
        {"due_on": TOMORROW.isoformat(), "note": "Bring it", "learner_ids": [world.child.pk]},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["learners"] == [world.child.pk]
    record = teacher_api.get(f"{base}/members/{world.learners['ana'].pk}/").json()
    assert record["name"] == "ana"
    assert record["school_made_account"] is False
    assert (
        teacher_api.post(f"{base}/members/{world.learners['ana'].pk}/password/").status_code == 400
    )
    made = classroom_member_add(classroom=world.class_a1, display_name="Leo")
    password = teacher_api.post(f"{base}/members/{made.learner.pk}/password/").json()["password"]
    assert authenticate(username=made.username, password=password) is not None
    evening = classroom_create(
        school=world.school, name="Evening", educator=world.users["educator"]
    )
    moved = teacher_api.post(
        f"{base}/members/{made.learner.pk}/move/", {"to": evening.pk}, format="json"
    )
    assert moved.json()["name"] == "Evening"
    assert teacher_api.delete(f"{base}/members/{world.learners['ana'].pk}/").status_code == 204
    sent = teacher_api.post(
        f"{base}/messages/", {"text": "Tuesday", "language": "en"}, format="json"
    )
    assert sent.status_code == 201
    assert [m["text"] for m in teacher_api.get(f"{base}/messages/").json()] == ["Tuesday"]
    assert teacher_api.delete(f"{base}/messages/{sent.json()['id']}/").status_code == 204
    renamed = teacher_api.patch(f"{base}/", {"name": "A-1", "archived": True}, format="json")
    assert renamed.json()["name"] == "A-1"
    assert renamed.json()["archived_at"] is not None
    assert teacher_api.delete(f"{base}/assignments/{assignment.pk}/").status_code == 204
    assert LessonProgress.objects.filter(learner=world.learners["ana"]).exists()

    admin = APIClient()
    admin.force_login(world.users["administrator"])
    log = admin.get("/api/v1/activity/").json()
    assert {entry["action"] for entry in log} >= {
        "assigned",
        "assignment-changed",
        "assignment-deleted",
        "password-reset",
        "learner-moved",
        "learner-removed",
        "message-sent",
        "message-deleted",
        "class-renamed",
        "class-archived",
    }
    assert teacher_api.get("/api/v1/activity/").status_code == 403


def test_an_integration_manages_classes_with_its_scope_and_is_named_in_the_record(
    world, course_tree
):
    issued = integration_token_issue(
        school=world.school, name="District SIS", scopes=["classes:write"], created_by=None
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    response = api.post(
        f"/api/v1/classes/{world.class_a1.pk}/assignments/",
        {"activity_key": str(course_tree.modules[0].translation_key)},
        format="json",
    )
    assert response.status_code == 201
    entry = ClassActivity.objects.get(action="assigned")
    assert (entry.actor, entry.integration) == (None, "District SIS")
    reader = integration_token_issue(
        school=world.school, name="Reader", scopes=["progress:read"], created_by=None
    )
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {reader.secret}")
    assert (
        api.delete(
            f"/api/v1/classes/{world.class_a1.pk}/assignments/{response.json()['id']}/"
        ).status_code
        == 403
    )
