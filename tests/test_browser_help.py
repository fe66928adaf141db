"""Get help, in the real browser at 360x740: a family stuck on a question asks a person (in
Spanish and in Arabic, right-to-left, and once without JavaScript), a helper answers from their
phone, and the family reads the answer, marked new. Offline, the request waits on the phone
and is sent once when it is back online. A helper of another school sees none of it. Every
screen is checked as tests/journeys.py says (language, no sideways scroll, axe-core, links).
"""

from __future__ import annotations

import uuid

import pytest

from lms.models import HelpReply, HelpRequest, HelpStatus, School, StaffRole
from lms.services.classes import classroom_create, classroom_join
from lms.services.help import HelpAsk, help_request_create
from lms.services.learners import learner_sign_up
from tests.browser import queued, sign_in, wait_for, wait_until_sent
from tests.conftest import PASSWORD
from tests.factories import build_course_tree
from tests.journeys import Journey

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MESSAGES = {
    "es": "No sé cuál respuesta elegir. ¿Me pueden explicar?",
    "ar": "لا أفهم هذا السؤال. هل يمكنكم مساعدتي؟",
}
ANSWERS = {
    "es": "Lea otra vez el primer párrafo: la respuesta está ahí.",
    "ar": "اقرأ الفقرة الأولى مرة أخرى: الجواب هناك.",
}


@pytest.fixture
def school_with_help(db):
    tree = build_course_tree(modules=1, lessons_per_module=2, translate_to=("es", "ar"))
    school = School.objects.create(name="Lincoln Elementary")
    other = School.objects.create(name="Jefferson Middle")
    teacher = learner_sign_up(username="maestra", password=PASSWORD).user
    StaffRole.objects.create(user=teacher, school=school, role=StaffRole.Role.EDUCATOR)
    classroom = classroom_create(school=school, name="Family Tech Night", educator=teacher)
    for username, where in (("ayuda", school), ("otra.ayuda", other)):
        helper = learner_sign_up(username=username, password=PASSWORD).user
        StaffRole.objects.create(user=helper, school=where, role=StaffRole.Role.HELPER)
    family = learner_sign_up(username="lupe", password=PASSWORD, preferred_language="es")
    classroom_join(code=classroom.join_code, learner=family)
    return tree, family


VARIANTS = [
    pytest.param("es", True, id="es"),
    pytest.param("ar", True, id="ar"),
    pytest.param("es", False, id="es-no-javascript"),
]


@pytest.mark.parametrize(("language", "javascript"), VARIANTS)
def test_a_family_asks_from_a_question_and_a_helper_answers_from_a_phone(
    browser, live_server, school_with_help, language, javascript
):
    tree, family = school_with_help
    lesson = tree.translation(tree.lessons[0], language)
    question = lesson.lms_questions()[0]
    family_phone = Journey(browser, live_server.url, language, javascript=javascript, name="help")
    helper_phone = Journey(browser, live_server.url, language, javascript=javascript, name="helper")
    try:
        # The family, stuck on a question.
        family_phone.sign_in("lupe", PASSWORD)
        family_phone.goto(lesson.url)
        page = family_phone.page
        page.locator(f"#q-{question.id} .get-help a").click()
        page.wait_for_load_state()
        family_phone.screen("ask")
        assert question.prompt in page.locator(".help-about").inner_text()
        page.fill("#id_message", MESSAGES[language])
        page.check("input[name=contact][value=text]")
        page.fill("#id_phone", "555 123 4567")
        family_phone.submit("form.help-form")
        # Forgot the consent: told which box, and what was written is still there.
        assert page.locator(".has-error #id_consent, .has-error input[name=consent]").count()
        assert page.input_value("#id_message") == MESSAGES[language]
        family_phone.screen("ask-refused")
        page.check("#id_consent")
        family_phone.submit("form.help-form")
        family_phone.screen("asked")
        assert MESSAGES[language] in page.locator(".help-requests").inner_text()
        asked = HelpRequest.objects.get()
        assert (asked.learner, asked.language, asked.question_id) == (
            family,
            language,
            question.id,
        )
        assert str(asked.lesson_key) == str(lesson.translation_key)

        # The helper, on their phone.
        helper_phone.sign_in("ayuda", PASSWORD)
        helper_phone.goto(f"/{language}/teach/help/")
        helper_phone.screen("queue")
        hpage = helper_phone.page
        card = hpage.locator(".help-card").first
        assert MESSAGES[language][:40] in card.inner_text()
        card.locator("h2 a").click()
        hpage.wait_for_load_state()
        helper_phone.screen("request")
        assert "tel:5551234567" in hpage.locator(".help-contact").inner_html()
        helper_phone.submit(".help-actions form:first-child")
        assert HelpRequest.objects.get().assigned_to.username == "ayuda"
        # The reply form says which language to answer in, and starts in it.
        assert hpage.input_value("#id_language") == language
        hpage.fill("#id_text", ANSWERS[language])
        helper_phone.submit("form.form:has(#id_text)")
        helper_phone.screen("answered")
        assert HelpRequest.objects.get().status == HelpStatus.ANSWERED

        # The family reads it on their home, marked new; then on the help page.
        family_phone.goto(f"/{language}/learn/")
        family_phone.screen("home-answer")
        answers = page.locator(".help-answers")
        assert ANSWERS[language][:30] in answers.inner_text()
        assert answers.locator(".badge.new").count() == 1
        answers.locator("a").first.click()
        page.wait_for_load_state()
        family_phone.screen("read")
        assert ANSWERS[language] in page.locator(".help-reply").inner_text()
        assert HelpReply.objects.get().seen_at is not None
        assert family_phone.problems == []
        assert helper_phone.problems == []
    finally:
        family_phone.close()
        helper_phone.close()


def test_a_helper_of_another_school_sees_nothing(browser, live_server, school_with_help):
    _tree, family = school_with_help
    request, _created = help_request_create(
        learner=family, ask=HelpAsk(client_id=uuid.uuid4(), message="Ayuda, por favor")
    )
    journey = Journey(browser, live_server.url, "es", name="other-helper")
    try:
        journey.sign_in("otra.ayuda", PASSWORD)
        journey.goto("/es/teach/help/")
        journey.screen("queue-empty")
        assert journey.page.locator(".help-card").count() == 0
        assert "Ayuda, por favor" not in journey.page.content()
        response = journey.page.goto(f"{live_server.url}/es/teach/help/{request.pk}/")
        assert response.status == 404
        assert journey.problems == []
    finally:
        journey.close()


def test_offline_the_request_waits_on_the_phone_and_is_sent_once(
    phone, live_server, school_with_help
):
    tree, family = school_with_help
    lesson = tree.translation(tree.lessons[0], "es")
    question = lesson.lms_questions()[0]
    page = phone.new_page()
    sign_in(page, live_server.url, "lupe", PASSWORD, language="es")
    page.goto(live_server.url + lesson.url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the service worker answers this page's requests
    wait_for(lambda: page.evaluate("!!navigator.serviceWorker.controller"))

    phone.set_offline(True)
    page.locator(f"#q-{question.id} .get-help a").click()
    page.wait_for_load_state()
    # Not saved on the phone: the offline page, with "Get help" on it, in Spanish.
    assert page.locator("html").get_attribute("lang") == "es"
    form = page.locator("form[data-help-offline]")
    form.locator("textarea[name=message]").fill("Sin internet y no entiendo la pregunta")
    form.locator("button[type=submit]").click()
    status = form.locator("[data-help-status]")
    status.wait_for(state="visible")
    assert "Guardad" in status.inner_text() or "teléfono" in status.inner_text()
    wait_for(lambda: queued(page) == 1)
    assert not HelpRequest.objects.exists()

    phone.set_offline(False)
    page.goto(live_server.url + lesson.url)
    wait_until_sent(page)
    kept = HelpRequest.objects.get()
    assert kept.learner == family
    assert str(kept.lesson_key) == str(lesson.translation_key)
    assert kept.question_id == question.id
    assert kept.message == "Sin internet y no entiendo la pregunta"
    # Sent again (a second flush, a retry after a lost answer): still one request.
    page.evaluate(
        """(args) => PuenteQueue.help(args.event, args.learner)""",
        {
            "event": {"id": str(kept.client_id), "message": "again", "language": "es"},
            "learner": str(family.pk),
        },
    )
    page.evaluate("""() => PuenteQueue.flush()""")
    assert queued(page) == 0  # the server answered "sent before": it leaves the queue
    assert HelpRequest.objects.count() == 1
    assert HelpRequest.objects.get().message == "Sin internet y no entiendo la pregunta"
