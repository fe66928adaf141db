"""Get help: a family asks a person from a lesson, a question or its home; the request reaches
its class's educators and the school's helpers (or the site's default help desk); a helper
answers in Puente or calls back; the family reads the answer, marked new."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from lms.models import (
    HelpDesk,
    HelpPlace,
    HelpReply,
    HelpRequest,
    HelpStatus,
    School,
    StaffRole,
    Statement,
)
from lms.selectors.help import (
    help_median_first_reply,
    help_open_older_than,
    help_requests_per_week,
)
from lms.services.help import (
    HelpAsk,
    HelpError,
    help_desk_make_site_default,
    help_reply_send,
    help_request_create,
)
from lms.services.integrations import integration_token_issue
from tests.people import build_world, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(course_tree):
    world = build_world()
    world.helper = staff("helper", world.school, StaffRole.Role.HELPER)
    world.other_helper = staff("helper_b", world.other_school, StaffRole.Role.HELPER)
    world.tree = course_tree
    return world


def signed_in(user, language_client=None):
    from django.test import Client

    client = language_client or Client()
    client.force_login(user)
    return client


def ask(learner, message="No puedo entrar a la app de la escuela", **fields) -> HelpRequest:
    request, created = help_request_create(
        learner=learner,
        ask=HelpAsk(client_id=fields.pop("client_id", uuid.uuid4()), message=message, **fields),
    )
    assert created
    return request


def test_a_family_asks_from_a_question_and_the_request_reaches_its_class_and_school(world):
    lesson = world.tree.translation(world.tree.lessons[0], "es")
    question = lesson.lms_questions()[0]
    carmen = signed_in(world.users["caregiver"])
    session = carmen.session
    session["puente_active_learner"] = world.child.pk  # Kiko asks, on the shared phone
    session.save()

    page = carmen.get(f"/es/learn/help/?lesson={lesson.translation_key}&question={question.id}")
    assert page.status_code == 200
    html = page.content.decode()
    assert lesson.title in html
    assert question.prompt in html
    request_id = str(uuid.uuid4())
    form = {
        "request_id": request_id,
        "lesson": str(lesson.translation_key),
        "question": question.id,
        "message": "No entiendo la pregunta",
        "contact": "text",
        "phone": "555 123 4567",
        "consent": "on",
        "best_time": "evening",
    }
    sent = carmen.post("/es/learn/help/", form)
    assert sent.status_code == 302
    again = carmen.post("/es/learn/help/", form)  # a second tap: still one request
    assert again.status_code == 302
    kept = HelpRequest.objects.get()
    assert (kept.learner, kept.school, kept.classroom) == (
        world.child,
        world.school,
        world.class_a1,
    )
    assert (kept.language, kept.question_id, kept.contact, kept.best_time) == (
        "es",
        question.id,
        "text",
        "evening",
    )
    assert kept.phone == "555 123 4567"

    # The caregiver sees the child's question on the household page, before any answer.
    household = signed_in(world.users["caregiver"]).get("/es/learn/household/")
    assert "No entiendo la pregunta" in household.content.decode()

    # Who sees it: A1's educator, school A's helper and administrator; not school B's.
    for username, sees in [
        ("teacher", True),
        ("helper", True),
        ("principal", True),
        ("teacher2", False),
        ("helper_b", False),
        ("principal_b", False),
    ]:
        user = StaffRole.objects.filter(user__username=username).first().user
        queue = signed_in(user).get("/en/teach/help/")
        assert (b"No entiendo la pregunta" in queue.content) is sees, username
        detail = signed_in(user).get(f"/en/teach/help/{kept.pk}/")
        assert detail.status_code == (200 if sees else 404), username

    # The LRS hears that Kiko asked about the lesson: no text, no phone.
    statement = Statement.objects.get(verb="asked")
    payload = str(statement.payload)
    assert str(lesson.translation_key) in payload
    assert "entiendo" not in payload
    # The number as written and as digits: a bare "555" turns up in random ids now and then.
    assert "555 123 4567" not in payload
    assert "5551234567" not in payload
    assert "Kiko" not in payload


def test_the_helper_answers_and_the_family_reads_it_marked_new_once(world):
    kiko_request = ask(world.child, language="es")
    helper = signed_in(world.helper)
    page = helper.get(f"/en/teach/help/{kiko_request.pk}/")
    assert "answer in Español" in page.content.decode()
    assert (
        helper.post(f"/en/teach/help/{kiko_request.pk}/", {"action": "assign"}).status_code == 302
    )
    answered = helper.post(
        f"/en/teach/help/{kiko_request.pk}/",
        {"action": "reply", "text": "Abre Ajustes y toca Wi-Fi.", "language": "es"},
    )
    assert answered.status_code == 302
    kiko_request.refresh_from_db()
    assert kiko_request.status == HelpStatus.ANSWERED
    assert kiko_request.assigned_to == world.helper
    assert kiko_request.first_reply_at

    # The caregiver sees the child's answer on home and on the household page, marked new.
    carmen = signed_in(world.users["caregiver"])
    home = carmen.get("/es/learn/").content.decode()
    assert "Abre Ajustes" in home
    assert 'class="badge new"' in home
    household = carmen.get("/es/learn/household/").content.decode()
    assert "Abre Ajustes" in household
    assert "Kiko" in household
    # Reading it on the help page marks it seen.
    assert 'class="badge new"' in carmen.get("/es/learn/help/").content.decode()
    assert HelpReply.objects.filter(seen_at__isnull=True).count() == 0
    assert 'class="badge new"' not in carmen.get("/es/learn/").content.decode()
    # Another family sees nothing of it.
    dora = signed_in(world.users["other_caregiver"]).get("/es/learn/help/").content.decode()
    assert "Abre Ajustes" not in dora


def test_called_back_answers_the_request(world):
    request = ask(world.learners["ana"], contact="call", phone="+1 555 987 6543", consent=True)
    helper = signed_in(world.helper)
    assert "tel:+15559876543" in helper.get(f"/en/teach/help/{request.pk}/").content.decode()
    helper.post(f"/en/teach/help/{request.pk}/", {"action": "called-back"})
    request.refresh_from_db()
    assert request.status == HelpStatus.ANSWERED
    assert request.called_back_at
    helper.post(f"/en/teach/help/{request.pk}/", {"action": "status", "status": "closed"})
    request.refresh_from_db()
    assert request.status == HelpStatus.CLOSED


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"message": "  "}, "message", "Write what you need help with"),
        ({"contact": "call"}, "phone", "phone number to call or text"),
        ({"phone": "555 123 4567"}, "consent", "Tick the box"),
        ({"phone": "call me"}, "phone", "with its digits"),
        ({"message": "x" * 1001}, "message", "at most 1000"),
    ],
)
def test_a_request_that_cannot_go_says_what_to_fix(world, fields, field, words):
    data = {"message": "Help", **fields}
    with pytest.raises(HelpError) as error:
        help_request_create(
            learner=world.learners["ana"], ask=HelpAsk(client_id=uuid.uuid4(), **data)
        )
    assert error.value.field == field
    assert words in str(error.value)
    assert not HelpRequest.objects.exists()


def test_the_page_shows_the_error_beside_the_field_and_keeps_the_text(world):
    response = signed_in(world.users["learner"]).post(
        "/es/learn/help/",
        {"message": "Mi pregunta", "contact": "call", "best_time": "any", "request_id": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mi pregunta" in html
    assert 'class="field has-error"' in html


def test_a_family_in_no_class_reaches_the_default_help_desk_or_is_told_where_to_go(world):
    dora = world.users["other_caregiver"].learner
    with pytest.raises(HelpError, match="no help desk"):
        ask(dora)
    help_desk_make_site_default(school=world.other_school)
    request = ask(dora)
    assert request.school == world.other_school
    assert request.classroom is None
    other = signed_in(world.other_helper).get("/en/teach/help/").content.decode()
    assert "No puedo entrar" in other
    assert "No puedo entrar" not in signed_in(world.helper).get("/en/teach/help/").content.decode()


def test_where_to_get_help_shows_the_schools_desk_and_places_in_their_language(world, client):
    admin = signed_in(world.users["administrator"])
    page = admin.get("/en/teach/help/desk/")
    assert page.status_code == 200
    school = world.school.pk
    admin.post(
        "/en/teach/help/desk/",
        {
            "action": "desk",
            "school": school,
            f"desk-{school}-phone": "555 000 1111",
            f"desk-{school}-hours": "Lunes a viernes, 3 a 7 pm",
            f"desk-{school}-language": "es",
        },
    )
    admin.post(
        "/en/teach/help/desk/",
        {
            "action": "place",
            "school": school,
            f"place-{school}-name": "Biblioteca Central",
            f"place-{school}-address": "100 Main St",
            f"place-{school}-hours": "Sábados 10-2",
            f"place-{school}-language": "es",
        },
    )
    assert HelpDesk.objects.get(school=world.school).phone == "555 000 1111"
    assert HelpPlace.objects.get().name == "Biblioteca Central"
    ana = signed_in(world.users["learner"]).get("/ar/help/").content.decode()
    assert 'lang="es" dir="auto"><strong>Biblioteca Central' in ana
    assert 'href="tel:5550001111"' in ana
    assert 'lang="es" dir="auto">Lunes a viernes' in ana
    assert 'dir="rtl"' in ana
    # Anonymous visitors see the default desk's places and are asked to sign in to write.
    help_desk_make_site_default(school=world.school)
    anonymous = client.get("/es/help/")
    assert anonymous.status_code == 200
    assert "Biblioteca Central" in anonymous.content.decode()
    # Another school's administrator cannot remove the place.
    place = HelpPlace.objects.get()
    signed_in(world.users["other_administrator"]).post(
        "/en/teach/help/desk/", {"action": "remove-place", "place": place.pk}
    )
    assert HelpPlace.objects.filter(pk=place.pk).exists()
    admin.post("/en/teach/help/desk/", {"action": "remove-place", "place": place.pk})
    assert not HelpPlace.objects.exists()


def test_get_help_is_on_every_lesson_each_question_and_the_learner_home(world):
    lesson = world.tree.translation(world.tree.lessons[0], "es")
    questions = lesson.lms_questions()
    html = signed_in(world.users["learner"]).get(lesson.url).content.decode()
    assert f'/es/learn/help/?lesson={lesson.translation_key}"' in html
    for question in questions:
        assert f"?lesson={lesson.translation_key}&amp;question={question.id}" in html
    anonymous = APIClient().get(lesson.url).content.decode()
    assert 'href="/es/help/"' in anonymous
    home = signed_in(world.users["learner"]).get("/es/learn/").content.decode()
    assert 'href="/es/learn/help/"' in home


# The API.


def test_the_api_takes_a_request_once_and_a_ticketing_system_answers_it(world):
    family = APIClient()
    family.force_login(world.users["learner"])
    body = {
        "id": str(uuid.uuid4()),
        "message": "Tôi không vào được ứng dụng",
        "language": "vi",
        "lesson": str(world.tree.lessons[0].translation_key),
    }
    first = family.post("/api/v1/help/requests/", body, format="json")
    assert first.status_code == 201, first.content
    again = family.post("/api/v1/help/requests/", body, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert HelpRequest.objects.count() == 1
    bad = family.post("/api/v1/help/requests/", {**body, "id": str(uuid.uuid4()), "message": ""})
    assert bad.status_code == 400
    assert "message" in bad.json()

    reader = integration_token_issue(
        school=world.school, name="tickets", scopes=["help:read"], created_by=None
    ).secret
    writer = integration_token_issue(
        school=world.school, name="tickets-w", scopes=["help:read", "help:write"], created_by=None
    ).secret
    other_school = integration_token_issue(
        school=world.other_school, name="b", scopes=["help:read", "help:write"], created_by=None
    ).secret
    request_id = first.json()["id"]

    def token(secret):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    listed = token(reader).get("/api/v1/help/requests/").json()
    assert [r["id"] for r in listed["results"]] == [request_id]
    assert listed["results"][0]["language"] == "vi"
    assert token(other_school).get("/api/v1/help/requests/").json()["results"] == []
    # A status filter that is none of the statuses, empty included, is a 400 that says which.
    for wrong in ("", "lost"):
        refused_filter = token(reader).get("/api/v1/help/requests/", {"status": wrong})
        assert refused_filter.status_code == 400
        assert "new" in refused_filter.json()["status"][0]
    assert token(other_school).get(f"/api/v1/help/requests/{request_id}/").status_code == 404
    refused = token(reader).post(
        f"/api/v1/help/requests/{request_id}/replies/", {"text": "x", "language": "vi"}
    )
    assert refused.status_code == 403
    reply = token(writer).post(
        f"/api/v1/help/requests/{request_id}/replies/",
        {"text": "Hãy mở Cài đặt", "language": "vi"},
        format="json",
    )
    assert reply.status_code == 201, reply.content
    closed = token(writer).patch(
        f"/api/v1/help/requests/{request_id}/handling/", {"status": "closed"}, format="json"
    )
    assert closed.json()["status"] == "closed"
    mine = family.get(f"/api/v1/help/requests/{request_id}/").json()
    assert mine["replies"][0]["text"] == "Hãy mở Cài đặt"
    assert mine["status"] == "closed"


def test_asking_for_help_is_rate_limited(world, settings):
    settings.PUENTE_RATE_HELP_PER_USER = "2/h"
    client = signed_in(world.users["learner"])
    for _ in range(2):
        assert (
            client.post(
                "/es/learn/help/", {"message": "Ayuda", "contact": "puente", "best_time": "any"}
            ).status_code
            == 302
        )
    third = client.post(
        "/es/learn/help/", {"message": "Ayuda", "contact": "puente", "best_time": "any"}
    )
    assert third.status_code == 429
    assert "Envió muchas solicitudes. Espere" in third.content.decode()
    assert HelpRequest.objects.count() == 2


# The school administrator's figures: one query each.


def test_the_administrators_figures_are_one_query_each(world, django_assert_num_queries):
    now = timezone.now()
    schools = School.objects.filter(pk=world.school.pk)
    waits = [timedelta(hours=1), timedelta(hours=3), timedelta(hours=5)]
    for days_ago, wait in zip((1, 9, 20), waits, strict=True):
        request = ask(world.learners["ana"])
        HelpRequest.objects.filter(pk=request.pk).update(
            created_at=now - timedelta(days=days_ago),
            first_reply_at=now - timedelta(days=days_ago) + wait,
            status=HelpStatus.ANSWERED,
        )
    stale = ask(world.learners["ana"])
    HelpRequest.objects.filter(pk=stale.pk).update(created_at=now - timedelta(days=3))
    ask(world.learners["ana"])  # new today
    with django_assert_num_queries(1):
        per_week = help_requests_per_week(schools=schools, now=now)
    assert sum(n for _week, n in per_week) == 5
    assert len(per_week) >= 3
    with django_assert_num_queries(1):
        assert help_median_first_reply(schools=schools, now=now) == timedelta(hours=3)
    with django_assert_num_queries(1):
        assert help_open_older_than(schools=schools, now=now) == 1
    page = signed_in(world.users["administrator"]).get("/en/teach/help/").content.decode()
    assert "Open requests older than 2 days" in page
    assert "3\xa0hours" in page


def test_the_queue_page_costs_the_same_queries_for_few_and_many_requests(world):
    helper = signed_in(world.helper)
    lessons = [lesson.translation_key for lesson in world.tree.lessons]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert helper.get("/en/teach/help/").status_code == 200
        return len(captured)

    def add(count: int) -> None:
        for number in range(count):
            request = ask(world.child, lesson_key=lessons[number % len(lessons)])
            help_reply_send(request=request, author=world.helper, text="ok", language="es")
            request.status = HelpStatus.NEW
            request.save()

    add(3)
    queries()  # once to warm up caches (content types, the site root)
    few = queries()
    add(27)
    with CaptureQueriesContext(connection) as captured:
        helper.get("/en/teach/help/")
    for q in captured:
        print(q["sql"][:300])
    assert queries() == few


def test_what_a_family_writes_never_reaches_a_log_line(world, caplog):
    caplog.set_level("DEBUG")
    client = signed_in(world.users["learner"])
    client.post(
        "/es/learn/help/",
        {
            "message": "Mi contraseña es secreta123",
            "contact": "call",
            "phone": "555 222 3333",
            "consent": "on",
            "best_time": "any",
        },
    )
    request = HelpRequest.objects.get()
    helper = signed_in(world.helper)
    helper.post(
        f"/en/teach/help/{request.pk}/",
        {"action": "reply", "text": "Cambie la contraseña ahora", "language": "es"},
    )
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged  # the requests were logged...
    for private in ("secreta123", "555 222 3333", "5552223333", "Cambie la contraseña"):
        assert private not in logged  # ...but not what was written


def test_the_operator_chooses_the_default_help_desk_in_the_wagtail_admin(world, admin_client):
    assert admin_client.get("/admin/help_desks/").status_code == 200
    fields = {"phone": "555 000 2222", "hours": "Lunes a viernes", "language": "es"}
    created = admin_client.post(
        "/admin/help_desks/new/", {"school": world.school.pk, "is_site_default": "on", **fields}
    )
    assert created.status_code == 302
    assert HelpDesk.objects.get(school=world.school).is_site_default
    # A second default is refused with a reason, not a 500.
    refused = admin_client.post(
        "/admin/help_desks/new/",
        {"school": world.other_school.pk, "is_site_default": "on", **fields},
    )
    assert refused.status_code == 200
    assert HelpDesk.objects.filter(is_site_default=True).count() == 1
    # Families in no class now reach it.
    request = ask(world.users["other_caregiver"].learner)
    assert request.school == world.school


def test_a_learner_in_two_classes_reaches_the_latest_ones_school(world):
    from lms.services.classes import classroom_create, classroom_join

    b_teacher = StaffRole.objects.get(user__username="principal_b").user
    class_b = classroom_create(school=world.other_school, name="B1", educator=b_teacher)
    ana = world.learners["ana"]
    classroom_join(code=class_b.join_code, learner=ana)  # joined after A1
    request = ask(ana)
    assert (request.school, request.classroom) == (world.other_school, class_b)
    assert (
        "No puedo entrar" in signed_in(world.other_helper).get("/en/teach/help/").content.decode()
    )
