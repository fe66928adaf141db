"""Search in the learner's language: results from pages written in it come first, pages still
in English after them and marked; Vietnamese and Chinese words are found; odd queries get a
page, not an error; the box works without JavaScript."""

import uuid

import pytest
from django.db import connection
from wagtail.models import Page

from courses.search.languages import search_config, spaced_characters
from tests.browser import PHONE
from tests.factories import build_course_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages_indexed_as_saved(settings):
    """As on a real site: the test settings leave indexing off to build trees faster."""
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {**settings.WAGTAILSEARCH_BACKENDS["default"], "AUTO_UPDATE": True}
    }


TEXTS = {
    "vi": ("Bài học về mật khẩu", "<p>Mật khẩu wifi của bạn ở dưới bộ định tuyến.</p>"),
    "zh-hans": ("关于密码的课", "<p>设置密码以后，手机就可以连接家里的网络。</p>"),  # noqa: RUF001
    "es": ("Conéctese en casa", "<p>Conéctese a la red con la contraseña del router.</p>"),
}


def translate_one_lesson(tree, language):
    """Turn one lesson's alias (English, untranslated) into a real translation."""
    title, paragraph = TEXTS[language]
    lesson = tree.translation(tree.lessons[1], language)
    lesson.alias_of = None
    lesson.title = title
    lesson.body = [
        {"type": "text", "id": str(uuid.uuid4()), "value": paragraph},
        *lesson.body.raw_data,
    ]
    lesson.save_revision().publish()
    return Page.objects.get(pk=lesson.pk).specific


@pytest.fixture
def tree(db):
    tree = build_course_tree(modules=1, lessons_per_module=3, translate_to=())
    for language in TEXTS:
        translate_one_lesson(tree, language)
    return tree


def results(client, language, query):
    response = client.get(f"/{language}/search/", {"q": query})
    assert response.status_code == 200
    return response, response.content.decode()


def test_a_vietnamese_word_finds_its_lesson(client, tree):
    response, html = results(client, "vi", "mật khẩu")
    hits = response.context["hits"]
    assert [hit.title for hit in hits] == ["Bài học về mật khẩu"]
    assert not hits[0].in_english
    assert hits[0].url.startswith("/vi/")
    assert f'href="{hits[0].url}"' in html


def test_a_chinese_word_is_found_inside_a_sentence(client, tree):
    response, _html = results(client, "zh-hans", "密码")
    assert [hit.title for hit in response.context["hits"]] == ["关于密码的课"]
    response, _html = results(client, "zh-hans", "电话号码")
    assert response.context["hits"] == []


def test_pages_in_the_language_come_first_then_english_ones_marked(client, tree):
    response, html = results(client, "vi", "question")
    hits = response.context["hits"]
    assert len(hits) == 3  # every lesson asks "A single question?"
    assert hits[0].title == "Bài học về mật khẩu"
    assert not hits[0].in_english
    assert all(hit.in_english for hit in hits[1:])
    assert all(hit.url.startswith("/vi/") for hit in hits)
    # Marked in the reader's language, and the English titles tagged as English.
    assert "bằng tiếng anh" in html.casefold()
    assert html.count('lang="en" dir="ltr"') >= 2


def test_only_live_public_pages_of_the_language_are_found(client, tree):
    english = tree.lessons[2]
    english.unpublish()
    response, _html = results(client, "en", "question")
    assert {hit.title for hit in response.context["hits"]} == {"Lesson 1.1", "Lesson 1.2"}
    response, _html = results(client, "es", "mật khẩu")
    assert response.context["hits"] == []


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "AND OR NOT", "*", "a:b (c) -d", "'; DROP TABLE x; --", "x" * 5000, "   "],
)
def test_odd_queries_get_a_page_not_an_error(client, tree, query):
    response, html = results(client, "es", query)
    assert "search-box" in html
    assert len(response.context["query"]) <= 200


def test_the_catalog_and_every_lesson_have_a_search_box(client, tree):
    for url in (tree.translation(tree.catalog, "vi").get_url(), tree.lessons[0].get_url()):
        html = client.get(url).content.decode()
        assert 'role="search"' in html
        assert 'name="q"' in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_postgresql_stems_each_language_with_its_own_rules(client, tree):
    assert search_config("es") == "spanish"
    assert search_config("pt-br") == "portuguese"
    assert search_config("vi") == "simple"
    # The page says "contraseña": Spanish stemming finds it from the plural, and "redes"
    # (networks) finds "red"; word-for-word matching would find neither.
    response, _html = results(client, "es", "contraseñas redes")
    assert [hit.title for hit in response.context["hits"]] == ["Conéctese en casa"]


def test_chinese_is_indexed_character_by_character():
    assert spaced_characters("密码abc").split() == ["密", "码", "abc"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_searching_without_javascript_on_a_phone(browser, live_server):
    tree = build_course_tree(modules=1, lessons_per_module=2, translate_to=())
    translate_one_lesson(tree, "vi")
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + tree.translation(tree.catalog, "vi").get_url())
    page.fill("#search-catalog", "mật khẩu")
    page.click(".search-box button")
    page.wait_for_load_state()
    assert "/vi/search/" in page.url
    page.click("text=Bài học về mật khẩu")
    page.wait_for_load_state()
    assert page.locator("article h1").inner_text() == "Bài học về mật khẩu"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    context.close()
