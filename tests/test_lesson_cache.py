"""The lesson body is rendered once per revision and reused (courses/lesson_cache.py): never
another learner's form tokens, never stale after publishing, never the wrong language or the
wrong data-saver markup, never a page with someone's answer on it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.lesson_cache import lesson_body_key
from lms.services.learners import learner_sign_up
from tests.conftest import PASSWORD
from tests.factories import cached_keys

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("each_cache")]

EVENT = re.compile(r'name="event" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def cached_bodies() -> int:
    return cached_keys("puente:lesson-body")


def signed_in(username: str) -> Client:
    learner = learner_sign_up(username=username, password=PASSWORD)
    client = Client()
    client.force_login(learner.user)
    return client


def test_two_learners_share_the_body_but_not_its_tokens(course_tree):
    url = course_tree.lessons[0].get_url()
    first, second = signed_in("ana"), signed_in("beto")
    one = first.get(url).content.decode()
    assert cached_bodies() == 1
    two = second.get(url).content.decode()
    assert cached_bodies() == 1  # the same body, from the cache
    # Each question form carries this request's CSRF token and a new event id.
    assert set(EVENT.findall(one)).isdisjoint(EVENT.findall(two))
    assert len(set(EVENT.findall(two))) == len(EVENT.findall(two)) >= 3
    assert "\x00" not in two
    assert CSRF.findall(two)
    # The second learner's forms work: an answer with their token is recorded.
    question = course_tree.lessons[0].specific.lms_questions()[0]
    token = CSRF.findall(two)[0]
    checked = Client(enforce_csrf_checks=True)
    checked.cookies = second.cookies
    answered = checked.post(
        url,
        {
            "csrfmiddlewaretoken": token,
            "question": question.id,
            "choice": question.choices[0].id,
            "event": EVENT.findall(two)[0],
        },
    )
    assert answered.status_code == 200


def test_a_page_with_an_answer_is_never_cached_nor_shown_to_the_next_reader(course_tree, client):
    lesson = course_tree.lessons[0].specific
    question = lesson.lms_questions()[0]
    right = next(c for c in question.choices if c.correct)
    answered = client.post(lesson.get_url(), {"question": question.id, "choice": right.id})
    assert 'class="result"' in answered.content.decode()
    page = Client().get(lesson.get_url()).content.decode()
    assert 'class="result"' not in page


def test_publishing_changes_the_body_at_once(course_tree, client):
    lesson = course_tree.lessons[0].specific
    url = lesson.get_url()
    assert "wireless" in client.get(url).content.decode()
    body = lesson.body.raw_data
    body[0]["value"] = "<p>Wi-Fi is <b>radio</b>.</p>"
    lesson.body = body
    lesson.save_revision().publish()
    html = client.get(url).content.decode()
    assert "radio" in html
    assert "wireless" not in html


def test_each_language_and_the_data_saver_have_their_own_body(course_tree, client):
    english = course_tree.lessons[0]
    spanish = course_tree.translation(english, "es")
    client.get(english.get_url())
    html = client.get(spanish.get_url()).content.decode()
    assert 'lang="es"' in html
    assert "Comprueba" in html or "Compruebe" in html or "Revise" in html or "Verifique" in html
    assert '<details class="tap-to-load">' not in html
    client.cookies["puente_data_saver"] = "1"
    saver = client.get(spanish.get_url()).content.decode()
    assert '<details class="tap-to-load">' in saver
    assert cached_bodies() == 3


def test_a_cached_lesson_costs_fewer_queries(course_tree, settings):
    settings.PUENTE_PAGE_CACHE_SECONDS = 0  # the body cache alone, without the page shell
    url = course_tree.lessons[0].get_url()
    reader = signed_in("carla")
    reader.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reader.get(url).status_code == 200
        return len(captured)

    cached = queries()
    settings.PUENTE_CACHE_LESSON_BODY = False
    uncached = queries()
    assert cached < uncached


def test_the_key_names_the_revision_language_saver_and_whether_signed_in(course_tree, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import translation

    lesson = course_tree.lessons[0].specific
    request = rf.get("/")
    request.user = AnonymousUser()
    with translation.override("es"):
        key = lesson_body_key(lesson, request)
    assert f":{lesson.pk}:{lesson.latest_revision_id or 0}:es:full:anyone" in key


def test_a_phone_revisiting_a_lesson_gets_304_until_it_changes(course_tree, client):
    url = course_tree.lessons[0].get_url()
    client.get(url)  # the CSRF cookie the phone's copy is signed with
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert "no-cache" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert len(queries.captured_queries) <= 4  # routing the page; nothing rendered
    # Another language, the data saver, or a new revision: a new page.
    spanish = course_tree.translation(course_tree.lessons[0], "es").get_url()
    assert client.get(spanish, HTTP_IF_NONE_MATCH=etag).status_code == 200
    client.cookies["puente_data_saver"] = "1"
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200
    del client.cookies["puente_data_saver"]
    lesson = course_tree.lessons[0].specific
    lesson.save_revision().publish()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_signed_in_lessons_have_no_etag(course_tree):
    reader = signed_in("dina")
    response = reader.get(course_tree.lessons[0].get_url())
    assert response.status_code == 200
    assert "ETag" not in response
