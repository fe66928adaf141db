"""Accessibility in a real browser: axe-core finds no WCAG 2.2 A/AA violation on the pages
families and educators use, in English and in Arabic (right-to-left); a keyboard alone can
answer a question; nothing scrolls sideways at 320 px wide with text at 200%; and the same
pages, scripts working, break no rule of the Content-Security-Policy."""

import pytest

from lms.services.assignments import assignment_create
from tests.browser import PHONE, axe_violations, sign_in, waits_for_puente
from tests.conftest import PASSWORD
from tests.factories import alias_every_other_language, build_course_tree
from tests.people import build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def site(db):
    tree = build_course_tree(modules=2, lessons_per_module=2, translate_to=("es",))
    world = build_world()
    assignment_create(
        classroom=world.class_a1,
        activity_key=tree.modules[0].translation_key,
        assigned_by=world.users["educator"],
    )
    return tree, world


def pages(tree, world, language):
    def local(page):
        return tree.translation(page, language).get_url() if language != "en" else page.get_url()

    return [
        (None, local(tree.catalog)),
        (None, local(tree.course)),
        (None, local(tree.modules[0])),
        ("ana", local(tree.lessons[0])),  # every block type, questions included
        ("ana", f"/{language}/learn/progress/"),
        ("ana", f"/{language}/learn/"),
        ("carmen", f"/{language}/learn/household/"),
        ("teacher", f"/{language}/teach/classes/{world.class_a1.pk}/"),
    ]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_axe_violations(browser, live_server, site, language):
    tree, world = site
    failures = {}
    for username, url in pages(tree, world, language):
        # axe is injected as an inline script, which the site's CSP rightly refuses.
        context = waits_for_puente(browser.new_context(viewport=PHONE, bypass_csp=True))
        page = context.new_page()
        if username:
            sign_in(page, live_server.url, username, PASSWORD, language)
        page.goto(live_server.url + url)
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        violations = axe_violations(page)
        if violations:
            failures[url] = violations
        context.close()
    assert not failures


def test_no_axe_violations_on_a_lesson_and_a_search_in_every_language(
    browser, live_server, site, settings
):
    """Each of the ten interface languages, scripts on (the Listen control shows)."""
    tree, _world = site
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {**settings.WAGTAILSEARCH_BACKENDS["default"], "AUTO_UPDATE": True}
    }
    alias_every_other_language(tree)  # indexed as they are made: the searches find results
    failures = {}
    for code, _name in settings.LANGUAGES:
        lesson = tree.translation(tree.lessons[1], code) if code != "en" else tree.lessons[1]
        for url in (lesson.get_url(), f"/{code}/search/?q=lesson"):
            context = waits_for_puente(browser.new_context(viewport=PHONE, bypass_csp=True))
            page = context.new_page()
            page.goto(live_server.url + url)
            assert page.locator("html").get_attribute("lang") == code
            if url == lesson.get_url():
                assert page.locator("[data-listen-play]").is_visible()
            violations = axe_violations(page)
            if violations:
                failures[url] = violations
            context.close()
    assert not failures


def test_a_question_can_be_answered_with_the_keyboard_alone(browser, live_server, site):
    tree, _world = site
    page = waits_for_puente(browser.new_context(viewport=PHONE)).new_page()
    page.goto(live_server.url + tree.lessons[0].get_url())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")  # skip to the lesson
    question = tree.lessons[0].specific.lms_questions()[0]
    first_choice = page.locator(f"#q-{question.id} input[name=choice]").first
    for _ in range(60):  # Tab through links and controls until the question's first answer
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "choice":
            break
    assert first_choice.evaluate("node => node === document.activeElement")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    page.keyboard.press("Enter")
    result = page.locator(f"#q-{question.id} .result")
    result.wait_for()
    assert "right" in result.text_content()
    focus_visible = page.evaluate(
        "getComputedStyle(document.activeElement, ':focus-visible').outlineStyle"
    )
    assert focus_visible != "none"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_nothing_scrolls_sideways_at_320px_with_text_at_200_percent(
    browser, live_server, site, language
):
    tree, world = site
    too_wide = {}
    for username, url in pages(tree, world, language):
        # Text at 200% is an injected style, which the site's CSP rightly refuses.
        context = waits_for_puente(
            browser.new_context(viewport={"width": 320, "height": 640}, bypass_csp=True)
        )
        page = context.new_page()
        if username:
            sign_in(page, live_server.url, username, PASSWORD, language)
        page.goto(live_server.url + url)
        page.add_style_tag(content="html { font-size: 200% !important; }")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            too_wide[url] = overflow
        context.close()
    assert not too_wide


def test_the_pages_break_no_rule_of_the_content_security_policy(browser, live_server, site):
    tree, world = site
    refused = []
    for username, url in pages(tree, world, "ar"):
        context = waits_for_puente(browser.new_context(viewport=PHONE))
        page = context.new_page()
        page.on(
            "console",
            lambda message, url=url: (
                refused.append((url, message.text))
                if "Content Security Policy" in message.text
                else None
            ),
        )
        if username:
            sign_in(page, live_server.url, username, PASSWORD, "ar")
        response = page.goto(live_server.url + url)
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        questions = page.locator("form.block-question")
        if questions.count():  # the script's answer path, its fetch included
            questions.first.locator("input[name=choice]").first.check()
            questions.first.locator("button[type=submit]").click()
            questions.first.locator(".result").wait_for()
        context.close()
    assert not refused
