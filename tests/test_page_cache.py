"""Whole lesson pages for readers who are not signed in come from the cache
(courses/page_cache.py): never a signed-in learner's page, never stale after publishing,
never the wrong language or data-saver markup, each phone with its own working form tokens,
and a 304 for a phone that holds the page already."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lms.services.learners import learner_sign_up
from tests.conftest import PASSWORD
from tests.factories import cached_keys

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("each_cache")]

EVENT = re.compile(r'name="event" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def cached_pages() -> int:
    return cached_keys("puente:page:")


def rendered(response) -> bool:
    """Whether the view rendered the page (the test client records the templates it used)."""
    return any(template.name == "courses/lesson_page.html" for template in response.templates)


def fetch(client: Client, url: str, **headers) -> tuple:
    """The response and how many SQL queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries.captured_queries)


def test_the_next_phone_gets_the_page_without_a_query_and_with_its_own_tokens(course_tree):
    lesson = course_tree.lessons[0].specific
    url = lesson.get_url()
    first = Client().get(url)
    assert cached_pages() == 1
    phone = Client(enforce_csrf_checks=True)
    second, cached_queries = fetch(phone, url)
    assert cached_queries == 0
    assert rendered(first)
    assert not rendered(second)
    one, two = first.content.decode(), second.content.decode()
    assert "\x00" not in two
    assert one.replace("\n", "").count("<form") == two.replace("\n", "").count("<form")
    # Fresh tokens and event ids, and the CSRF cookie they are signed with.
    assert set(CSRF.findall(one)).isdisjoint(CSRF.findall(two))
    assert set(EVENT.findall(one)).isdisjoint(EVENT.findall(two))
    assert "csrftoken" in second.cookies
    # The headers the page had: language, type, security policy, validator.
    for header in ("Content-Type", "Content-Language", "Content-Security-Policy", "Vary"):
        assert first[header] == second[header], header
    assert second["ETag"].startswith('W/"')
    # The phone's answer, sent with the token from the cached page, is accepted.
    question = lesson.lms_questions()[0]
    answered = phone.post(
        url,
        {
            "csrfmiddlewaretoken": CSRF.findall(two)[0],
            "question": question.id,
            "choice": question.choices[0].id,
            "event": EVENT.findall(two)[0],
        },
    )
    assert answered.status_code == 200
    assert 'class="result"' in answered.content.decode()


def test_a_signed_in_learner_never_gets_the_cached_page_nor_leaves_theirs(course_tree):
    url = course_tree.lessons[0].get_url()
    Client().get(url)
    learner = learner_sign_up(username="rosa", password=PASSWORD)
    reader = Client()
    reader.force_login(learner.user)
    theirs, queries = fetch(reader, url)
    assert queries > 0  # rendered for them
    assert "My learning" in theirs.content.decode()
    assert "ETag" not in theirs
    cache.clear()
    reader.get(url)
    assert cached_pages() == 0  # a signed-in page is never kept
    anyone = Client().get(url).content.decode()
    assert "My learning" not in anyone
    assert "Sign in" in anyone


def test_publishing_replaces_the_page_at_once(course_tree):
    lesson = course_tree.lessons[0].specific
    url = lesson.get_url()
    assert "wireless" in Client().get(url).content.decode()
    body = lesson.body.raw_data
    body[0]["value"] = "<p>Wi-Fi is <b>radio</b>.</p>"
    lesson.body = body
    lesson.save_revision().publish()
    html = Client().get(url).content.decode()
    assert "radio" in html
    assert "wireless" not in html
    # A phone saving the module for offline (puente.js, through its service worker's cache)
    # fetches the new page too.
    saved = Client().get(url, HTTP_X_PUENTE_SAVE="1").content.decode()
    assert "radio" in saved
    lesson.unpublish()
    assert Client().get(url).status_code == 404


def test_each_language_and_the_data_saver_have_their_own_page(course_tree):
    english = course_tree.lessons[0]
    spanish = course_tree.translation(english, "es").get_url()
    Client().get(english.get_url())
    html = Client().get(spanish).content.decode()
    assert '<html lang="es"' in html
    assert '<details class="tap-to-load">' not in html
    saver = Client()
    saver.cookies["puente_data_saver"] = "1"
    assert '<details class="tap-to-load">' in saver.get(spanish).content.decode()
    # And the cached pages stay apart.
    assert '<html lang="en"' in Client().get(english.get_url()).content.decode()
    assert '<details class="tap-to-load">' not in Client().get(spanish).content.decode()
    assert cached_pages() == 3


def test_a_session_a_message_or_a_query_string_gets_a_rendered_page(course_tree, client):
    url = course_tree.lessons[0].get_url()
    Client().get(url)
    with_session = Client()
    with_session.cookies["sessionid"] = "someone"
    with_message = Client()
    with_message.cookies["messages"] = "a notice"
    for phone, address in [(with_session, url), (with_message, url), (Client(), url + "?x=1")]:
        response = phone.get(address)
        assert response.status_code == 200
        assert rendered(response), address
    assert cached_pages() == 1


def test_a_phone_with_the_page_gets_304_from_the_cache(course_tree):
    url = course_tree.lessons[0].get_url()
    phone = Client()
    phone.get(url)  # renders, and gives the phone its CSRF cookie
    held = phone.get(url)
    again, queries = fetch(phone, url, HTTP_IF_NONE_MATCH=held["ETag"])
    assert (again.status_code, again.content, queries) == (304, b"", 0)
    # A phone with another CSRF cookie holds another copy: its old tag does not match.
    other = Client()
    other.cookies["csrftoken"] = "x" * 32
    assert other.get(url, HTTP_IF_NONE_MATCH=held["ETag"]).status_code == 200


def test_the_page_cache_can_be_turned_off(course_tree, settings):
    settings.PUENTE_PAGE_CACHE_SECONDS = 0
    url = course_tree.lessons[0].get_url()
    Client().get(url)
    assert rendered(Client().get(url))
    assert cached_pages() == 0


def test_a_signed_in_learner_s_lesson_costs_at_most_four_queries(course_tree):
    """Site, locale, home page and the page's chrome are remembered (courses/routing.py,
    courses/navigation.py); the lesson, the learner, their progress and their household are
    what is left."""
    url = course_tree.lessons[0].get_url()
    reader = Client()
    reader.force_login(learner_sign_up(username="eva", password=PASSWORD).user)
    reader.get(url)  # the first visit records the lesson as started
    response, queries = fetch(reader, url)
    assert response.status_code == 200
    assert queries <= 4


def test_sites_locales_and_privacy_settings_start_a_new_content_version(course_tree):
    from wagtail.models import Locale, PageViewRestriction, Site

    from lms.selectors.activities import content_version

    changes = [
        lambda: Site.objects.get(is_default_site=True).save(),
        lambda: Locale.objects.get(language_code="es").save(),
        lambda: PageViewRestriction.objects.create(
            page=course_tree.modules[0], restriction_type=PageViewRestriction.LOGIN
        ),
    ]
    for change in changes:
        before = content_version()
        change()
        assert content_version() > before


def test_a_moved_lesson_is_found_at_its_new_address_at_once(course_tree):
    lesson = course_tree.lessons[0]
    old = lesson.get_url()
    assert Client().get(old).status_code == 200
    lesson.specific.move(course_tree.modules[1], pos="last-child")
    lesson.refresh_from_db()
    assert Client().get(old).status_code == 404
    assert Client().get(lesson.get_url()).status_code == 200


def test_a_request_reads_the_content_version_once_and_sees_its_own_change(course_tree, monkeypatch):
    """Route, chrome, shell and validator all key on the content version: one cache read (a
    Redis round trip in production) per request, and a new one after the request changes
    content, since what it reads next must not come from the old version."""
    from lms.selectors import activities

    reads = []

    class CountingCache:
        def __getattr__(self, name):
            return getattr(cache, name)

        def get_or_set(self, key, *args, **kwargs):
            if key == activities.CACHE_VERSION_KEY:
                reads.append(key)
            return cache.get_or_set(key, *args, **kwargs)

    monkeypatch.setattr(activities, "cache", CountingCache())
    url = course_tree.lessons[0].get_url()
    reader = Client()
    reader.force_login(learner_sign_up(username="eva", password=PASSWORD).user)
    reader.get(url)
    reads.clear()
    assert reader.get(url).status_code == 200
    assert len(reads) == 1

    activities.content_version_request_started()  # what request_started calls
    try:
        before = activities.content_version()
        assert activities.content_version() == before
        activities.content_changed()
        assert activities.content_version() > before
    finally:
        activities.content_version_request_finished()
    reads.clear()
    activities.content_version()
    activities.content_version()
    assert len(reads) == 2  # outside a request, each read asks the cache
