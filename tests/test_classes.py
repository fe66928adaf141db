"""Classes: join codes, joining, adding learners, roster import, assignments, xAPI context."""

import uuid

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone
from rest_framework.test import APIClient

from lms.models import ClassMembership, EventKind, Statement
from lms.services.assignments import assignment_create
from lms.services.classes import (
    JOIN_CODE_ALPHABET,
    ClassError,
    classroom_join,
    classroom_member_add,
    roster_import,
)
from lms.services.progress import EventInput, learner_event_record
from tests.factories import past_due
from tests.people import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def test_join_codes_are_unambiguous_and_forgiving(world):
    code = world.class_a1.join_code
    assert len(code) == 8
    assert set(code) <= set(JOIN_CODE_ALPHABET)
    assert not set("0O1IL5S2Z8B") & set(code)
    typed = f" {code[:4].lower()}-{code[4:].lower()} "
    learner = world.learners["beto"]
    assert classroom_join(code=typed, learner=learner) == world.class_a1
    classroom_join(code=code, learner=learner)  # joining twice is harmless
    assert ClassMembership.objects.filter(classroom=world.class_a1, learner=learner).count() == 1
    with pytest.raises(ClassError, match="no class with this code"):
        classroom_join(code="NOPE", learner=learner)


def test_join_page_and_a_caregiver_joining_a_child(world, client):
    client.force_login(world.users["other_caregiver"])
    page = client.get(f"/en/learn/join/?code={world.class_a2.join_code}")
    assert world.class_a2.join_code in page.content.decode()
    response = client.post(
        "/en/learn/join/",
        {
            "code": world.class_a2.join_code,
            "learner": world.other_child.pk,
        },
    )
    assert response.status_code == 302
    assert world.class_a2.memberships.filter(learner=world.other_child).exists()
    bad = client.post("/en/learn/join/", {"code": "WRONG", "learner": world.other_child.pk})
    assert bad.status_code == 400
    assert "Check it and try again" in bad.content.decode()


def test_an_educator_adds_a_learner_with_an_easy_password(world):
    account = classroom_member_add(
        classroom=world.class_a1, display_name="Pablo Núñez", preferred_language="es"
    )
    assert account.username.startswith("pablonunez")
    assert len(account.password.split("-")) == 4
    user = authenticate(username=account.username, password=account.password)
    assert user is not None
    assert user.email == ""
    assert user.password != account.password
    assert world.class_a1.memberships.filter(learner=account.learner).exists()


def test_a_roster_import_adds_the_good_rows_and_says_why_the_others_were_not(world):
    data = (
        "name;language;username\n"
        "Ana López;es;analopez\n"
        ";es;\n"
        "Bao Tran;klingon;\n"
        "Chen Wei;zh-hans;analopez\n"
        "Dana;;ana\n"
        "Elif;AR;\n"
    ).encode()
    report = roster_import(classroom=world.class_a1, data=data)
    assert [a.learner.name for a in report.created] == ["Ana López", "Elif"]
    assert report.created[1].learner.preferred_language == "ar"
    reasons = dict(report.rejected)
    assert set(reasons) == {3, 4, 5, 6}
    assert "name" in reasons[3]
    assert "Unknown language klingon" in reasons[4]
    assert "twice" in reasons[5]
    assert "taken" in reasons[6]  # "ana" is an existing account


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"\xff\xfe\x00garbage", "not a UTF-8"), (b"first,last\nA,B\n", "“name”")],
)
def test_a_roster_that_is_not_a_csv_roster_is_refused_clearly(world, data, message):
    with pytest.raises(ClassError, match=message):
        roster_import(classroom=world.class_a1, data=data)


def test_a_line_csv_cannot_read_is_reported_and_the_rows_before_it_are_kept(world):
    # csv refuses a field over 128 KB; the import reports the line instead of failing.
    data = b"name\nAna\nBeto\n" + b"x" * 200_000 + b"\nChen\n"
    report = roster_import(classroom=world.class_a1, data=data)
    assert [a.learner.name for a in report.created] == ["Ana", "Beto"]
    assert report.rejected == [(4, "This line cannot be read; the lines after it were not read.")]


def test_names_in_any_script_get_usernames_anyone_can_type(world):
    data = "name\n张伟\nمحمد علي\nNguyễn Văn An\n".encode()
    report = roster_import(classroom=world.class_a1, data=data)
    usernames = [account.username for account in report.created]
    assert [name.rstrip("0123456789") for name in usernames] == [
        "zhangwei",
        "mhmdly",
        "nguyenvanan",
    ]
    assert all(name.isascii() for name in usernames)


def test_a_name_whose_usernames_are_all_taken_fails_clearly_instead_of_looping(world, monkeypatch):
    """The search for a free username is bounded: when every candidate is taken, the row is
    refused with a reason (it once looped forever over names that made no letters)."""
    from django.contrib.auth import get_user_model

    import lms.services.classes as classes

    monkeypatch.setattr(classes.secrets, "randbelow", lambda limit: 0)  # one candidate per length
    for taken in ("zhangwei100", "ZhangWei1000", "zhangwei10000"):
        get_user_model().objects.create_user(username=taken)
    with pytest.raises(ClassError, match="Could not find a free username for 张伟"):
        classroom_member_add(classroom=world.class_a1, display_name="张伟")


def test_roster_upload_page_reports_rows(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.users["educator"])
    upload = SimpleUploadedFile("roster.csv", b"name,language\nZoe,en\n,en\n", "text/csv")
    response = client.post(
        f"/en/teach/classes/{world.class_a1.pk}/learners/", {"action": "roster", "roster": upload}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "print this page now" in html
    assert "Line 3:" in html


def module_and_course(course_tree):
    return course_tree.modules[0], course_tree.course


def test_assignments_need_a_module_or_course_and_learners_of_the_class(world, course_tree):
    module, _course = module_and_course(course_tree)
    with pytest.raises(ClassError, match="module or a course"):
        assignment_create(
            classroom=world.class_a1,
            activity_key=course_tree.lessons[0].translation_key,
            assigned_by=world.users["educator"],
        )
    with pytest.raises(ClassError, match="from this class"):
        assignment_create(
            classroom=world.class_a1,
            activity_key=module.translation_key,
            assigned_by=world.users["educator"],
            learners=[world.learners["beto"]],
        )


def test_learners_see_assignments_first_in_their_language(world, course_tree, client):
    module, course = module_and_course(course_tree)
    past_due(
        assignment_create(
            classroom=world.class_a1,
            activity_key=module.translation_key,
            assigned_by=world.users["educator"],
            note="Bring your charger",
        )
    )
    assignment_create(
        classroom=world.class_a1,
        activity_key=course.translation_key,
        assigned_by=world.users["educator"],
        learners=[world.child],
    )
    ana = world.users["learner"]
    ana.learner.preferred_language = "es"
    client.force_login(ana)
    html = client.get("/es/learn/").content.decode()
    html = html[: html.index('id="courses-title"')]  # the To do section
    assert "[es] Module 1" in html
    assert "Bring your charger" in html
    assert "status-not_started" in html
    assert "is-overdue" in html
    assert "[es] Family Digital Skills" not in html  # assigned to Kiko only
    carmen = APIClient()
    carmen.force_login(world.users["caregiver"])
    kiko = next(
        m for m in carmen.get("/api/v1/household/?language=en").json() if m["name"] == "Kiko"
    )
    assert [a["title"] for a in kiko["assignments"]] == ["Module 1", "Family Digital Skills"]
    assert kiko["assignments"][0]["overdue"] is True
    assert kiko["assignments"][0]["assigned_by"] == "teacher"


def test_statements_carry_the_class_and_teacher_as_opaque_ids(world, course_tree):
    module, _course = module_and_course(course_tree)
    assignment_create(
        classroom=world.class_a1,
        activity_key=module.translation_key,
        assigned_by=world.users["educator"],
    )
    ana = world.learners["ana"]
    learner_event_record(
        learner=ana,
        event=EventInput(
            uuid.uuid4(), EventKind.VIEWED, course_tree.lessons[0].translation_key, timezone.now()
        ),
    )
    context = Statement.objects.get(verb="experienced").payload["context"]
    assert context["team"]["account"]["name"] == f"class/{world.class_a1.group_id}"
    staff_id = world.users["educator"].staff_roles.get().actor_id
    assert context["instructor"]["account"]["name"] == f"staff/{staff_id}"
    text = str(context)
    assert "teacher" not in text
    assert "A1" not in text


def test_educators_create_classes_and_assign_through_the_api(world, course_tree):
    api = APIClient()
    api.force_login(world.users["educator"])
    created = api.post("/api/v1/classes/", {"name": "Evening class", "school": world.school.pk})
    assert created.status_code == 201
    class_id = created.json()["id"]
    foreign = api.post("/api/v1/classes/", {"name": "X", "school": world.other_school.pk})
    assert foreign.status_code == 400
    member = api.post(f"/api/v1/classes/{class_id}/members/", {"name": "Quang", "language": "vi"})
    assert member.status_code == 201
    assert member.json()["password"]
    assigned = api.post(
        f"/api/v1/classes/{class_id}/assignments/",
        {
            "activity_key": str(course_tree.modules[1].translation_key),
            "due_on": "2031-01-15",
            "learner_ids": [member.json()["id"]],
        },
        format="json",
    )
    assert assigned.status_code == 201
    assert assigned.json()["activity_type"] == "module"
    bad = api.post(
        f"/api/v1/classes/{class_id}/assignments/",
        {"activity_key": str(uuid.uuid4())},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json() == {"activity_key": ["Choose a module or a course to assign."]}
