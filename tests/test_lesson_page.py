"""The lesson page a family opens on a phone: answers without JavaScript, navigation, budget."""

import gzip
import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import build_course_tree

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 10
BYTES_BUDGET = 20 * 1024
REQUEST_BUDGET = 4


def lesson_url(tree, index=0, language="en"):
    lesson = tree.lessons[index]
    if language != "en":
        lesson = tree.translation(lesson, language)
    return lesson.get_url()


def question_ids(tree, index=0):
    return [q.id for q in tree.lessons[index].specific.lms_questions()]


def test_lesson_shows_time_position_breadcrumbs_and_next(course_tree, client):
    response = client.get(lesson_url(course_tree, 0))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lesson 1 of 3" in html
    assert "4 minutes" in html
    assert '<nav class="breadcrumbs"' in html
    for crumb in ("Courses", "Family Digital Skills", "Module 1"):
        assert f"><bdi>{crumb}</bdi></a>" in html
    assert f'rel="next" href="{course_tree.lessons[1].get_url()}"' in html
    assert 'rel="prev"' not in html


def test_last_lesson_of_a_module_links_back_to_the_module(course_tree, client):
    html = client.get(lesson_url(course_tree, 2)).content.decode()
    assert "Lesson 3 of 3" in html
    assert 'rel="next"' not in html
    assert f'href="{course_tree.modules[0].get_url()}">Back to the module' in html


def answer(client, tree, question_index, choice_indexes, lesson=0):
    lesson_page = tree.lessons[lesson].specific
    question = lesson_page.lms_questions()[question_index]
    data = {"question": question.id, "choice": [question.choices[i].id for i in choice_indexes]}
    return question, client.post(lesson_page.get_url(), data)


def test_right_answer_shows_its_feedback_and_explanation(course_tree, client):
    question, response = answer(client, course_tree, 0, [0])
    html = response.content.decode()
    assert response.status_code == 200
    assert "That's right!" in html
    assert "Feedback for Answer 0." in html
    assert "Because it is so." in html
    assert f'value="{question.choices[0].id}" checked' in html


def test_wrong_answer_shows_feedback_for_the_choice_made(course_tree, client):
    _question, response = answer(client, course_tree, 0, [1])
    html = response.content.decode()
    assert "Not quite." in html
    assert '<p class="choice-feedback">Feedback for Answer 1.</p>' in html
    assert '<p class="choice-feedback">Feedback for Answer 0.</p>' not in html


def test_multiple_choice_needs_exactly_the_right_set(course_tree, client):
    assert "That's right!" in answer(client, course_tree, 1, [0, 2])[1].content.decode()
    assert "Not quite." in answer(client, course_tree, 1, [0])[1].content.decode()


def test_submitting_nothing_asks_for_an_answer(course_tree, client):
    url = course_tree.lessons[0].get_url()
    response = client.post(url, {"question": question_ids(course_tree)[0]})
    assert response.status_code == 400
    assert "Choose an answer, then press “Check my answer”." in response.content.decode()


def test_unknown_question_or_choice_is_a_clear_400(course_tree, client):
    url = course_tree.lessons[0].get_url()
    response = client.post(url, {"question": "not-a-question", "choice": "x"})
    assert response.status_code == 400
    assert "not part of this lesson" in response.content.decode()
    response = client.post(url, {"question": question_ids(course_tree)[0], "choice": "bogus"})
    assert response.status_code == 400


def test_answer_form_is_csrf_protected(course_tree):
    strict = Client(enforce_csrf_checks=True)
    url = course_tree.lessons[0].get_url()
    assert strict.post(url, {"question": question_ids(course_tree)[0]}).status_code == 403


def test_answer_in_spanish_uses_the_same_question_ids(course_tree, client):
    spanish = course_tree.translation(course_tree.lessons[0], "es")
    assert [q.id for q in spanish.lms_questions()] == question_ids(course_tree)
    question = spanish.lms_questions()[0]
    response = client.post(
        spanish.get_url(), {"question": question.id, "choice": question.choices[0].id}
    )
    assert "¡Correcto!" in response.content.decode()


def count_queries(client, url):
    client.get(url)  # warm: renditions, site root paths
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("language", ["en", "vi"])  # vi: untranslated, served as an alias
def test_lesson_query_count_is_small_and_does_not_grow_with_the_course(db, client, language):
    small = build_course_tree(modules=1, lessons_per_module=2, name="small")
    small_count = count_queries(client, lesson_url(small, 0, language))

    large = build_course_tree(modules=4, lessons_per_module=6, name="large")
    large_count = count_queries(client, lesson_url(large, 0, language))
    assert small_count == large_count
    assert large_count <= QUERY_BUDGET


def test_lesson_page_budget_bytes_and_requests(course_tree, client):
    """The lesson with every block type, as a phone receives it: compressed, few requests."""
    url = lesson_url(course_tree, 0)
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    transferred = len(response.content)

    # Subresources fetched before the load event (lazy lesson images excluded by the budget).
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    inline_css = "".join(re.findall(r"<style>(.*?)</style>", html, re.S))
    assert "@font-face" not in inline_css
    assert "@import" not in inline_css
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    eager_images = [tag for tag in re.findall(r"<img [^>]+>", html) if 'loading="lazy"' not in tag]
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert all(icon.startswith("data:") for icon in icons), "the icon must not cost a request"
    assert not eager_images
    for asset in stylesheets + scripts:
        asset_response = client.get(asset, HTTP_ACCEPT_ENCODING="gzip")
        assert asset_response.status_code == 200
        body = (
            b"".join(asset_response.streaming_content)
            if asset_response.streaming
            else (asset_response.content)
        )
        transferred += (
            len(body) if asset_response.get("Content-Encoding") else len(gzip.compress(body))
        )
        if asset.endswith(".css"):
            css = (
                gzip.decompress(body).decode()
                if asset_response.get("Content-Encoding")
                else (body.decode())
            )
            assert "@font-face" not in css
            assert "@import" not in css
    requests = 1 + len(stylesheets) + len(scripts)
    assert requests <= REQUEST_BUDGET
    assert transferred <= BYTES_BUDGET, f"{transferred} bytes"


def test_page_has_viewport_and_no_framework(course_tree, client):
    html = client.get(lesson_url(course_tree, 0)).content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "fonts.googleapis" not in html
    assert "bootstrap" not in html.lower()


def test_private_pages_stay_private_in_every_language(course_tree, client):
    from wagtail.models import PageViewRestriction

    lesson = course_tree.lessons[0]
    alias = course_tree.translation(lesson, "vi")
    assert client.get(lesson.get_url()).status_code == 200
    restriction = PageViewRestriction.objects.create(
        page=course_tree.modules[0], restriction_type=PageViewRestriction.LOGIN
    )
    for url in (lesson.get_url(), alias.get_url()):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"]
    restriction.delete()
    assert client.get(alias.get_url()).status_code == 200


def test_a_lesson_with_a_recorded_voice_has_no_listen_control(course_tree, client):
    """Listen reads the lesson with the phone's voice, unless an editor attached a recording."""
    lesson = course_tree.lessons[1]
    assert "data-listen-play" in client.get(lesson.get_url()).content.decode()
    recording = {
        "type": "media",
        "id": str(uuid.uuid4()),
        "value": {
            "kind": "audio",
            "title": "The lesson, read aloud",
            "file": None,
            "url": "https://media.example.org/lesson.mp3",
            "captions": None,
            "transcript": "<p>The whole lesson.</p>",
        },
    }
    lesson.body = [recording, *lesson.body.raw_data]
    lesson.save_revision().publish()
    html = client.get(lesson.get_url()).content.decode()
    assert "data-listen-play" not in html
    assert "lesson.mp3" in html


def test_the_first_picture_of_the_catalog_and_a_course_loads_at_once(course_tree, client):
    """The picture at the top is the page's largest paint: eager and first in line; the rest
    wait until they are scrolled to."""
    for page in (course_tree.catalog, course_tree.course):
        html = client.get(page.get_url()).content.decode()
        pictures = re.findall(r"<img [^>]+>", html)
        assert pictures, page
        assert 'loading="eager"' in pictures[0]
        assert 'fetchpriority="high"' in pictures[0]
        assert all('loading="lazy"' in tag for tag in pictures[1:])
    # With data saver on, nothing loads before a tap, the first picture included.
    client.cookies["puente_data_saver"] = "1"
    html = client.get(course_tree.course.get_url()).content.decode()
    assert 'fetchpriority="high"' not in html


def test_picture_renditions_are_kept_a_year_and_not_gzipped_again(course_tree, client):
    html = client.get(course_tree.course.get_url()).content.decode()
    picture = re.findall(r'srcset="(/media/images/[^ "]+)', html)[0]
    response = client.get(picture, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Content-Encoding" not in response
