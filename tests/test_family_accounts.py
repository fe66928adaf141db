"""A family's way around Puente, without a browser: language that follows them, ways back in
without email, their own account, and pages that show each role what is theirs."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client

from lms.models import Household, Learner, LearnerEvent, Statement
from lms.services.accounts import recovery_code_issue
from lms.services.classes import classroom_create
from lms.services.households import household_child_add, household_create
from lms.services.progress import learner_event_record
from tests.conftest import PASSWORD
from tests.factories import lesson_event, lesson_finish
from tests.people import PIN, build_world

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-password"


def sign_up(client: Client, language: str = "es", **extra) -> dict:
    form = {
        "username": "lupita",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "preferred_language": language,
        **extra,
    }
    return client.post(f"/{language}/accounts/sign-up/", form)


def recovery_code_on(page: str) -> str:
    return re.search(r'class="code"[^>]*>([A-Z0-9-]+)<', page).group(1)


# Language follows the family.


def test_a_join_link_carries_no_language_and_lands_in_the_phones(client, db):
    assert (
        client.get("/join/ABCD2345/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")["Location"]
        == "/es/learn/join/?code=ABCD2345"
    )
    assert client.get("/join/ABCD2345/", HTTP_ACCEPT_LANGUAGE="ar")["Location"].startswith(
        "/ar/learn/join/"
    )


def test_a_signed_in_family_follows_its_profiles_language(client, learner):
    learner.preferred_language = "vi"
    learner.save()
    client.force_login(learner.user)
    response = client.get("/join/ABCD2345/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Location"] == "/vi/learn/join/?code=ABCD2345"


def test_the_qr_code_and_sign_in_sheet_use_the_language_free_link(client):
    world = build_world()
    client.force_login(world.users["educator"])
    sheet = client.get(f"/es/teach/classes/{world.class_a1.pk}/sheet/").content.decode()
    assert f"http://testserver/join/{world.class_a1.join_code}/" in sheet
    assert "/en/learn/join" not in sheet


def test_sign_in_lands_in_the_language_the_learner_chose(client, learner):
    response = client.post(
        "/en/accounts/sign-in/",
        {"username": "learner", "password": PASSWORD, "next": "/en/learn/progress/"},
    )
    assert response["Location"] == "/es/learn/progress/"  # learner reads Spanish


def test_a_course_page_to_come_back_to_is_found_in_the_chosen_language(
    client, learner, course_tree
):
    lesson = course_tree.lessons[1]
    response = client.post(
        "/en/accounts/sign-in/",
        {"username": "learner", "password": PASSWORD, "next": lesson.url},
    )
    # Translated pages have their own slugs: the Spanish lesson, not /es/<English slugs>.
    assert response["Location"] == course_tree.translation(lesson, "es").url


def test_educators_land_on_their_classes(client):
    world = build_world()
    response = client.post("/en/accounts/sign-in/", {"username": "teacher", "password": PASSWORD})
    assert response["Location"] == "/en/teach/"
    assert world.users["educator"]


def test_switching_language_is_remembered_for_the_active_profile(client, learner):
    client.force_login(learner.user)
    page = client.get("/es/learn/").content.decode()
    assert 'href="/vi/accounts/language/?next=/vi/learn/"' in page  # the switcher
    response = client.get("/vi/accounts/language/", {"next": "/vi/learn/"})
    assert response["Location"] == "/vi/learn/"
    learner.refresh_from_db()
    assert learner.preferred_language == "vi"
    assert response.cookies["django_language"].value == "vi"


def test_every_plugin_page_has_a_language_switcher(client, learner, course_tree):
    client.force_login(learner.user)
    for path in ("/es/learn/", "/es/learn/progress/", "/es/learn/join/", "/es/learn/account/"):
        page = client.get(path).content.decode()
        assert 'class="languages"' in page, path
        assert 'lang="ar" hreflang="ar"' in page, path
    anonymous = Client().get("/ar/accounts/sign-in/").content.decode()
    assert 'href="/vi/accounts/sign-in/"' in anonymous


def test_the_fallback_notice_names_english_in_the_readers_language(client, course_tree):
    # Vietnamese is an alias of the English pages in this tree.
    lesson = course_tree.translation(course_tree.lessons[0], "vi")
    page = client.get(lesson.url).content.decode()
    assert "English" not in re.search(r'role="note">(.*?)</p>', page, re.S).group(1)


# Ways back in without email.


def test_sign_up_welcomes_and_gives_a_recovery_code_once(client, db):
    response = sign_up(client)
    assert response["Location"] == "/es/accounts/welcome/"
    welcome = client.get(response["Location"]).content.decode()
    code = recovery_code_on(welcome)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert "lupita" in welcome
    again = client.get("/es/accounts/welcome/").content.decode()
    assert code not in again  # shown once


def test_sign_up_carries_on_in_the_language_chosen_on_the_form(client, db):
    # A Spanish join link, the form switched to Arabic: the way on is Arabic too.
    response = client.post(
        "/es/accounts/sign-up/",
        {
            "username": "lupita",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "preferred_language": "ar",
            "next": "/es/learn/join/?code=ABCD2345",
        },
    )
    assert response["Location"].startswith("/ar/accounts/welcome/?next=")
    welcome = client.get(response["Location"]).content.decode()
    assert 'href="/ar/learn/join/?code=ABCD2345"' in welcome


def test_the_recovery_code_sets_a_new_password_once(client, db):
    sign_up(client)
    code = recovery_code_on(client.get("/es/accounts/welcome/").content.decode())
    fresh = Client()
    form = {
        "username": "Lupita",
        "code": code.lower().replace("-", " "),  # as a person might type it
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    response = fresh.post("/es/accounts/recover/", form)
    assert response["Location"] == "/es/accounts/welcome/"
    new_code = recovery_code_on(fresh.get("/es/accounts/welcome/").content.decode())
    assert new_code != code
    assert authenticate(username="lupita", password=NEW_PASSWORD) is not None
    # The old code is used up.
    assert Client().post("/es/accounts/recover/", form).status_code == 400


def test_a_wrong_code_and_an_unknown_username_look_the_same(client, learner):
    recovery_code_issue(user=learner.user)
    form = {"code": "AAAA-AAAA-AAAA", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    wrong = client.post("/en/accounts/recover/", {**form, "username": "learner"})
    unknown = client.post("/en/accounts/recover/", {**form, "username": "nobody"})
    assert wrong.status_code == unknown.status_code == 400
    message = "That username and recovery code do not match."
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()


def test_recovery_codes_cannot_be_guessed_quickly(client, learner, settings):
    settings.PUENTE_RATE_SIGN_IN_PER_USERNAME = "3/15m"
    form = {
        "username": "learner",
        "code": "AAAA-AAAA-AAAA",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    for _ in range(3):
        client.post("/en/accounts/recover/", form)
    assert client.post("/en/accounts/recover/", form).status_code == 429


def test_a_forgotten_pin_is_reset_with_the_caregivers_password(client, make_learner):
    caregiver = make_learner("rosa1")
    household = household_create(caregiver=caregiver.user, pin=PIN)
    child = household_child_add(household=household, display_name="Ana", preferred_language="es")
    client.force_login(caregiver.user)
    client.post("/en/learn/who/", {"learner": child.pk})  # the child is learning now
    assert "Forgot the PIN?" in client.get("/en/learn/who/").content.decode()
    wrong = client.post("/en/learn/who/forgot-pin/", {"password": "not-it", "pin": "8642"})
    assert wrong.status_code == 400
    response = client.post("/en/learn/who/forgot-pin/", {"password": PASSWORD, "pin": "8642"})
    assert response["Location"] == "/en/learn/household/"
    assert client.get("/en/learn/").context["learner"] == caregiver  # back to the grown-up
    household.refresh_from_db()
    from django.contrib.auth.hashers import check_password

    assert check_password("8642", household.pin)


def test_a_learner_with_an_email_gets_a_reset_link(client, db, mailoutbox):
    sign_up(client, language="es", email="lupita@example.org")
    response = Client().post("/es/accounts/password-reset/", {"email": "lupita@example.org"})
    assert response["Location"] == "/es/accounts/password-reset/sent/"
    (message,) = mailoutbox
    link = re.search(r"http://testserver(/es/accounts/password-reset/\S+/)", message.body)
    assert link, message.body
    reader = Client()
    confirm = reader.get(link.group(1), follow=True)
    form_url = confirm.redirect_chain[-1][0]
    done = reader.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/es/accounts/password-reset/done/"
    assert authenticate(username="lupita", password=NEW_PASSWORD) is not None


def test_without_a_mail_server_the_email_way_is_not_offered(client, settings, db):
    settings.PUENTE_EMAIL_RESET = False
    assert "password-reset" not in client.get("/en/accounts/forgot/").content.decode()
    assert client.get("/en/accounts/password-reset/").status_code == 404
    assert not mail.outbox
    # ...and sign-up does not promise that an email helps with a forgotten password.
    sign_up = client.get("/en/accounts/sign-up/").content.decode()
    assert "forget your password" not in sign_up
    assert "Only for your school to reach you" in sign_up


def test_a_username_with_spaces_gets_a_suggestion(client, db):
    response = sign_up(client, language="en", username="maria lopez")
    assert response.status_code == 200
    assert "Try “maria.lopez”" in response.content.decode()


# My account.


def test_my_data_and_my_childrens_data_download(client, make_learner, course_tree):
    caregiver = make_learner("paola")
    household = household_create(caregiver=caregiver.user, pin=PIN)
    child = household_child_add(household=household, display_name="Tito", preferred_language="es")
    lesson_finish(child, course_tree.lessons[1])
    client.force_login(caregiver.user)
    response = client.get("/en/learn/account/data.json")
    data = json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert data["account"]["username"] == "paola"
    assert data["children"][0]["profile"]["name"] == "Tito"
    assert data["children"][0]["lessons"]
    assert "attachment" in response["Content-Disposition"]


def test_deleting_my_account_takes_my_childrens_profiles_and_their_records(
    client, make_learner, course_tree
):
    caregiver = make_learner("nuria")
    household = household_create(caregiver=caregiver.user, pin=PIN)
    child = household_child_add(household=household, display_name="Lalo", preferred_language="es")
    learner_event_record(learner=child, event=lesson_event(course_tree.lessons[0], "viewed"))
    client.force_login(caregiver.user)
    page = client.get("/es/learn/account/delete/").content.decode()
    assert "descarg" in page.lower()  # "Primero descargue sus datos": download first
    assert client.post("/es/learn/account/delete/", {"password": "wrong"}).status_code == 400
    assert Learner.objects.filter(pk=child.pk).exists()
    response = client.post("/es/learn/account/delete/", {"password": PASSWORD})
    assert response["Location"] == "/es/"
    assert not Household.objects.exists()
    assert not Learner.objects.filter(pk__in=[caregiver.pk, child.pk]).exists()
    assert not LearnerEvent.objects.exists()
    assert not Statement.objects.exists()
    assert "_auth_user_id" not in client.session


def test_privacy_page_is_linked_from_sign_up_and_every_footer(client, db):
    sign_up_page = client.get("/vi/accounts/sign-up/").content.decode()
    assert 'href="/vi/privacy/"' in sign_up_page
    assert client.get("/vi/privacy/").status_code == 200


# Navigation by role.


def test_families_see_no_educator_links(client):
    world = build_world()
    for role, sees in (("learner", False), ("caregiver", False), ("educator", True)):
        client.force_login(world.users[role])
        page = client.get("/en/learn/").content.decode()
        assert ('href="/en/teach/"' in page) is sees, role


def test_the_module_page_says_continue_after_some_lessons(client, learner, course_tree):
    client.force_login(learner.user)
    module = course_tree.modules[0]
    first, second, third = course_tree.lessons[:3]
    assert (
        "Start the first lesson"
        in client.get(module.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    lesson_finish(learner, first)
    lesson_finish(learner, second)
    page = client.get(module.url).content.decode()
    assert "Start the first lesson" not in page
    assert "Continue" in page
    assert f'href="{third.url}"' in page.split('class="outline"')[0]  # before the lesson list
    assert "2 of 3 lessons finished" in page
    lesson_finish(learner, third)
    assert "You finished this module" in client.get(module.url).content.decode()


def test_finishing_with_unanswered_questions_says_so_where_the_learner_is(
    learner_client, course_tree
):
    lesson = course_tree.lessons[0]
    page = learner_client.get(lesson.url).content.decode()
    assert 'action="#finish"' in page
    response = learner_client.post(lesson.url, {"action": "finish", "event": "x"})
    html = response.content.decode()
    notice = re.search(r'<div class="notice"[^>]*id="finish-notice"[^>]*>', html)
    assert notice, "the message is in the finish section"
    assert "autofocus" in notice.group(0)
    assert 'role="alert"' in notice.group(0)


def test_the_questions_left_are_named_by_their_place_in_the_lesson(learner_client, course_tree):
    from tests.factories import answer_form

    lesson = course_tree.lessons[0].specific
    url = lesson.get_url()
    first, *others = lesson.lms_questions()
    learner_client.post(
        url,
        {
            "question": first.id,
            "event": answer_form(learner_client.get(url).content.decode(), first.id),
            "choice": [c.id for c in first.choices if c.correct],
        },
    )
    html = learner_client.post(url, {"action": "finish", "event": "x"}).content.decode()
    notice = html[html.index('id="finish-notice"') :]
    notice = notice[: notice.index("</div>")]
    links = re.findall(r'<a href="#q-([^"]+)">([^<]+)</a>', notice)
    assert links == [
        (question.id, f"Question {number}") for number, question in enumerate(others, start=2)
    ]


def test_choosing_some_of_several_right_answers_says_more_are_needed(learner_client, course_tree):
    lesson = course_tree.lessons[0].specific
    question = next(q for q in lesson.lms_questions() if q.allows_several)
    one_right = next(c.id for c in question.choices if c.correct)
    page = learner_client.post(
        lesson.url, {"question": question.id, "choice": [one_right], "event": "e"}
    ).content.decode()
    assert "More than one answer is right" in page


def test_a_course_takes_as_long_as_its_lessons(client, course_tree):
    from courses.models import LessonPage

    page = client.get(course_tree.course.url).content.decode()
    assert "About 24 minutes" in page  # 6 lessons of 4 minutes
    lesson = LessonPage.objects.get(pk=course_tree.lessons[0].pk)
    lesson.estimated_minutes = 10
    lesson.save_revision().publish()
    assert "About 30 minutes" in client.get(course_tree.course.url).content.decode()
    assert "About 30 minutes" in client.get(course_tree.catalog.url).content.decode()


def test_an_educators_new_class_is_listed_and_its_link_shown(client):
    world = build_world()
    classroom_create(school=world.school, name="Evening class", educator=world.users["educator"])
    client.force_login(world.users["educator"])
    assert "Evening class" in client.get("/en/teach/").content.decode()
