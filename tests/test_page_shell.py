"""A signed-in reader's lesson page is kept as a shell and filled in per request
(courses/page_shell.py): each person sees only their own name, marks and forms, the shell is
never stale after publishing, never the wrong language or data-saver markup, and a page with
a message, a query string or answers is rendered whole."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from courses import page_shell
from lms.models import Household
from lms.services.households import household_child_add, household_create
from lms.services.learners import learner_sign_up
from tests.conftest import PASSWORD
from tests.factories import cached_keys, lesson_finish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("each_cache")]

EVENT = re.compile(r'name="event" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LEARNER_ID = re.compile(r'data-learner="(\d+)"')


def shells() -> int:
    return cached_keys("puente:page-shell:")


@pytest.fixture
def shell_renders(monkeypatch) -> list:
    """Each shell rendered: a page filled from a kept shell adds nothing here."""
    rendered = []
    real = page_shell.with_holes

    def counted(html: str) -> str:
        rendered.append(html)
        return real(html)

    monkeypatch.setattr(page_shell, "with_holes", counted)
    return rendered


def reader(username: str) -> tuple:
    learner = learner_sign_up(username=username, password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner.user)
    return learner, client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "\x00" not in html
    return html


def test_each_reader_sees_their_own_parts_of_one_shell(course_tree, shell_renders):
    lesson = course_tree.lessons[0]
    url = lesson.get_url()
    rosa, rosa_phone = reader("rosa")
    lesson_finish(rosa, lesson)
    first = page(rosa_phone, url)
    assert shells() == 1
    # A caregiver's phone now used by her child: "Learning now: Ana".
    caregiver, family_phone = reader("mama")
    household = household_create(caregiver=caregiver.user, pin="4321")
    ana = household_child_add(household=household, display_name="Ana", preferred_language="en")
    assert family_phone.post("/en/learn/who/", {"learner": ana.pk}).status_code == 403  # CSRF
    family_phone.handler.enforce_csrf_checks = False
    assert family_phone.post("/en/learn/who/", {"learner": ana.pk}).status_code == 302
    family_phone.get("/en/learn/")  # where the switch leads, with its message
    family_phone.handler.enforce_csrf_checks = True
    second = page(family_phone, url)
    assert shells() == 1
    assert len(shell_renders) == 1  # Ana's page came from Rosa's shell

    assert LEARNER_ID.findall(first) == [str(rosa.pk)]
    assert LEARNER_ID.findall(second) == [str(ana.pk)]
    assert "You finished this lesson" in first
    assert "You finished this lesson" not in second
    assert "I finished this lesson" not in first  # nothing left to finish
    assert "I finished this lesson" in second
    assert "Ana" in second
    assert "Ana" not in first
    assert "Learning now:" not in first
    # Each page's forms carry its phone's own token and new event ids.
    assert set(CSRF.findall(first)).isdisjoint(CSRF.findall(second))
    assert set(EVENT.findall(first)).isdisjoint(EVENT.findall(second))
    assert len(set(EVENT.findall(second))) == len(EVENT.findall(second))
    # Ana's answer, sent with the token from the page she got, is accepted as hers.
    question = lesson.specific.lms_questions()[0]
    answered = family_phone.post(
        url,
        {
            "csrfmiddlewaretoken": CSRF.findall(second)[0],
            "question": question.id,
            "choice": question.choices[0].id,
            "event": EVENT.findall(second)[0],
        },
    )
    assert answered.status_code == 200
    assert ana.attempts.count() == 1
    assert not Household.objects.filter(caregiver=rosa.user).exists()


def test_a_process_that_has_not_seen_the_template_renders_the_page_itself(
    course_tree, shell_renders
):
    url = course_tree.lessons[0].get_url()
    _rosa, rosa_phone = reader("rosa")
    page(rosa_phone, url)
    page_shell._slot_nodes.clear()  # another worker: the shell is in the cache, the slots not
    luis, luis_phone = reader("luis")
    html = page(luis_phone, url)
    assert len(shell_renders) == 2
    assert LEARNER_ID.findall(html) == [str(luis.pk)]
    assert "I finished this lesson" in html


def test_publishing_translating_and_the_data_saver_each_get_their_own_page(course_tree):
    lesson = course_tree.lessons[0].specific
    _rosa, phone = reader("rosa")
    page(phone, lesson.get_url())
    lesson.title = "Wi-Fi at home, again"
    lesson.save_revision().publish()
    assert "Wi-Fi at home, again" in page(phone, lesson.get_url())

    spanish = course_tree.translation(lesson, "es")
    html = page(phone, spanish.get_url())
    assert '<html lang="es"' in html
    assert "Wi-Fi at home, again" not in html
    assert '<details class="tap-to-load">' not in html
    phone.cookies["puente_data_saver"] = "1"
    assert '<details class="tap-to-load">' in page(phone, spanish.get_url())
    assert shells() == 4  # English twice (a new revision), Spanish, Spanish with data saver


def test_query_strings_and_answers_get_a_page_rendered_whole(course_tree):
    lesson = course_tree.lessons[1]
    _rosa, phone = reader("rosa")
    phone.handler.enforce_csrf_checks = False
    page(phone, lesson.get_url())
    assert shells() == 1
    html = page(phone, f"{lesson.get_url()}?from=search")
    assert 'value="/en/family/module-1/lesson-1-2/?from=search"' in html
    question = lesson.specific.lms_questions()[0]
    answered = phone.post(
        lesson.get_url(), {"question": question.id, "choice": question.choices[0].id}
    )
    assert 'class="result"' in answered.content.decode()
    assert shells() == 1


def test_a_message_is_shown_once_on_a_kept_page(course_tree, shell_renders):
    lesson, following = course_tree.lessons[0], course_tree.lessons[1]
    _rosa, phone = reader("rosa")
    phone.handler.enforce_csrf_checks = False
    page(phone, following.get_url())  # the shell exists
    for question in lesson.specific.lms_questions():
        chosen = [c.id for c in question.choices if c.correct]
        phone.post(lesson.get_url(), {"question": question.id, "choice": chosen})
    finished = phone.post(lesson.get_url(), {"action": "finish"})
    assert finished.status_code == 302
    assert finished["Location"] == following.get_url()
    with_message = page(phone, following.get_url())
    assert "Well done!" in with_message
    assert "Well done!" not in page(phone, following.get_url())
    assert len(shell_renders) == 1  # the page with the message was rendered whole


def test_the_shell_can_be_turned_off(course_tree, settings):
    settings.PUENTE_PAGE_CACHE_SECONDS = 0
    _rosa, phone = reader("rosa")
    assert "I finished this lesson" in page(phone, course_tree.lessons[0].get_url())
    assert shells() == 0
