"""A family's whole journeys in the real browser, on a 360x740 phone, in Spanish, in Arabic
(right-to-left) and once with JavaScript off: from a class's QR code to a finished module; a
caregiver and a child sharing one phone; getting back in without email (and with it); signing
out. Every screen is checked as tests/journeys.py says (language, no sideways scroll, axe-core,
every link answers)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from lms.models import Classroom, LessonProgress, School, StaffRole
from lms.services.assignments import assignment_create
from lms.services.classes import classroom_create
from lms.services.learners import learner_sign_up
from tests.conftest import PASSWORD
from tests.factories import alias_every_other_language, build_course_tree
from tests.journeys import Journey

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VARIANTS = [
    pytest.param("es", True, id="es"),
    pytest.param("ar", True, id="ar"),
    pytest.param("es", False, id="es-no-javascript"),
]
# Two of the languages Django itself does not speak, to show a whole journey works in them too.
NEW_LANGUAGE_VARIANTS = [
    pytest.param("so", True, id="so"),
    pytest.param("hmn", False, id="hmn-no-javascript"),
]
NEW_PASSWORD = "another-long-password-9"


@pytest.fixture
def school(db):
    """A course in three languages, a class, and a module assigned to it."""
    tree = build_course_tree(modules=2, lessons_per_module=3, translate_to=("es", "ar"))
    school = School.objects.create(name="Lincoln Elementary")
    teacher = learner_sign_up(username="maestra", password=PASSWORD).user
    StaffRole.objects.create(user=teacher, school=school, role=StaffRole.Role.EDUCATOR)
    classroom = classroom_create(school=school, name="Family Tech Night", educator=teacher)
    assignment_create(
        classroom=classroom,
        activity_key=tree.modules[0].translation_key,
        assigned_by=teacher,
        due_on=timezone.localdate() + timedelta(days=7),
        note="Bring your phone charger!",
    )
    return tree, classroom


def sign_up(journey: Journey, username: str, email: str = "") -> None:
    page = journey.page
    page.fill("#id_username", username)
    if email:
        page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    assert page.locator("#id_preferred_language").input_value() == journey.language
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def sign_out(journey: Journey) -> None:
    journey.goto(f"/{journey.language}/learn/")
    journey.page.click("form[action$='/accounts/sign-out/'] button")
    journey.page.wait_for_load_state()
    assert journey.path == f"/{journey.language}/"
    assert journey.page.locator(".messages .message").count() == 1


def sign_in(journey: Journey, username: str, password: str) -> None:
    journey.goto(f"/{journey.language}/accounts/sign-in/")
    journey.page.fill("#id_username", username)
    journey.page.fill("#id_password", password)
    journey.page.click("form.form button[type=submit]")
    journey.page.wait_for_load_state()


def answer_and_finish(journey: Journey, lesson) -> None:
    """Answer every question of the lesson rightly, as a learner taps, then finish it."""
    page = journey.page
    for question in lesson.lms_questions():
        form = page.locator(f"#q-{question.id}")
        for choice in question.choices:
            if choice.correct:
                form.locator(f"input[value='{choice.id}']").check()
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        page.locator(f"#q-{question.id} .result").wait_for()
    with page.expect_navigation():  # with scripts, answers on their way are sent first
        page.click("form.finish-form button")
    page.wait_for_load_state()


@pytest.mark.parametrize(("language", "javascript"), VARIANTS + NEW_LANGUAGE_VARIANTS)
def test_a_family_joins_from_a_qr_code_and_finishes_the_assigned_module(
    browser, live_server, school, language, javascript
):
    tree, classroom = school
    if language not in ("en", "es", "ar"):
        alias_every_other_language(tree)  # the English lessons, in a Somali or Hmong frame
    journey = Journey(browser, live_server.url, language, javascript, name="join")
    try:
        # The phone's camera opens the class's QR link: no language in it.
        journey.goto(f"/join/{classroom.join_code}/")
        assert journey.path.startswith(f"/{language}/accounts/sign-in/")
        journey.screen("sign-in")
        journey.page.click(f"a[href^='/{language}/accounts/sign-up/']")
        journey.screen("sign-up")
        sign_up(journey, f"lupe-{language}-{int(javascript)}")
        assert journey.path.startswith(f"/{language}/accounts/welcome/")
        code = journey.page.locator(".recovery-code .code").text_content()
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
        journey.screen("welcome")
        journey.page.click("#start-learning")  # on to the class
        assert journey.page.locator("#id_code").input_value() == classroom.join_code
        journey.screen("join")
        journey.page.click("form.form button[type=submit]")
        journey.page.wait_for_load_state()

        module = tree.translation(tree.modules[0], language)
        assignment = journey.page.locator(".assignments .assignment").first
        assert module.title in assignment.text_content()
        assert "Bring your phone charger!" in assignment.text_content()
        journey.screen("home")
        assignment.locator("a").first.click()
        journey.page.wait_for_load_state()
        journey.screen("module")
        # Saving for offline needs scripts: without them there is no button that does nothing.
        assert journey.page.locator("[data-pack]").is_visible() == javascript
        journey.page.click(".next-step a.button")
        journey.page.wait_for_load_state()
        lessons = [tree.translation(lesson, language) for lesson in tree.lessons[:3]]
        for number, lesson in enumerate(lessons):
            assert lesson.title in journey.page.locator("h1").text_content()
            if number == 0:
                journey.screen("lesson")
            answer_and_finish(journey, lesson)
        # After the last lesson: back on the module's page, which says it is done.
        assert journey.path == urlsplit(tree.translation(tree.modules[0], language).url).path
        assert journey.page.locator(".next-step .done").count() == 1  # the module is done
        journey.screen("module-finished")
        journey.goto(f"/{language}/learn/progress/")
        assert journey.page.locator("progress").first.get_attribute("value") == "50"
        journey.screen("progress")
        sign_out(journey)
        journey.screen("signed-out")
    finally:
        journey.close()
    assert (
        LessonProgress.objects.filter(
            learner__user__username=f"lupe-{language}-{int(javascript)}",
            completed_at__isnull=False,
        ).count()
        == 3
    )
    journey.assert_well()


@pytest.mark.parametrize(("language", "javascript"), VARIANTS)
def test_a_caregiver_and_a_child_share_one_phone(
    browser, live_server, school, language, javascript
):
    tree, _classroom = school
    journey = Journey(browser, live_server.url, language, javascript, name="family")
    page = journey.page
    try:
        journey.goto(f"/{language}/accounts/sign-up/")
        sign_up(journey, f"rosa-{language}-{int(javascript)}")
        journey.goto(f"/{language}/learn/")
        page.click(f"a[href='/{language}/learn/household/']")
        page.fill("#id_pin", "2468")
        page.click("form:has(input[value=pin]) button")
        page.wait_for_load_state()
        page.fill("#id_display_name", "Ana")
        assert page.locator("#id_preferred_language").input_value() == language
        page.click("form:has(input[value=child]) button")
        page.wait_for_load_state()
        journey.screen("household")

        # Ana's turn: one tap, no PIN.
        journey.goto(f"/{language}/learn/who/")
        journey.screen("who")
        page.click("form.profile:has(button:has-text('Ana')) button")
        page.wait_for_load_state()
        assert "Ana" in page.locator("h1").text_content()
        assert "Ana" in page.locator(".account .learning-now").text_content()
        journey.screen("child-home")
        lesson = tree.translation(tree.lessons[3], language)  # module 2, not assigned
        journey.goto(lesson.url)
        assert "Ana" in page.locator(".account .learning-now").text_content()
        answer_and_finish(journey, lesson)

        # The grown-up comes back with the PIN and sees Ana's progress.
        journey.goto(f"/{language}/learn/who/")
        caregiver = page.locator("form.profile:has(input[name=pin])")
        caregiver.locator("input[name=pin]").fill("2468")
        caregiver.locator("button").click()
        page.wait_for_load_state()
        family = page.locator("section[aria-labelledby=family]")
        assert "Ana" in family.text_content()
        assert family.locator("progress").count() >= 1
        journey.screen("family")

        # The PIN forgotten while Ana learns: the grown-up's password makes a new one.
        journey.goto(f"/{language}/learn/who/")
        page.click("form.profile:has(button:has-text('Ana')) button")
        page.wait_for_load_state()
        journey.goto(f"/{language}/learn/who/")
        page.click(f"a[href='/{language}/learn/who/forgot-pin/']")
        page.wait_for_load_state()
        journey.screen("pin-forgot")
        page.fill("#id_password", PASSWORD)
        page.fill("#id_pin", "1357")
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        assert journey.path == f"/{language}/learn/household/"
        sign_out(journey)
    finally:
        journey.close()
    journey.assert_well()


@pytest.mark.parametrize(("language", "javascript"), VARIANTS)
def test_getting_back_in_with_the_recovery_code_and_by_email(
    browser, live_server, school, language, javascript
):
    journey = Journey(browser, live_server.url, language, javascript, name="recover")
    page = journey.page
    username = f"tomas-{language}-{int(javascript)}"
    try:
        journey.goto(f"/{language}/accounts/sign-up/")
        sign_up(journey, username, email=f"{username}@example.org")
        code = page.locator(".recovery-code .code").text_content()
        sign_out(journey)

        # Forgotten: the recovery code written down at sign-up.
        journey.goto(f"/{language}/accounts/sign-in/")
        page.click(f"a[href='/{language}/accounts/forgot/']")
        page.wait_for_load_state()
        journey.screen("forgot")
        page.click(f"a[href='/{language}/accounts/recover/']")
        page.wait_for_load_state()
        journey.screen("recover")
        page.fill("#id_username", username.capitalize())
        page.fill("#id_code", code.lower())
        page.fill("#id_password1", NEW_PASSWORD)
        page.fill("#id_password2", NEW_PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        new_code = page.locator(".recovery-code .code").text_content()
        assert new_code != code
        journey.screen("new-code")
        sign_out(journey)
        sign_in(journey, username, NEW_PASSWORD)
        assert journey.path == f"/{language}/learn/"
        sign_out(journey)

        # Forgotten again, by someone who gave an email.
        mail.outbox.clear()
        journey.goto(f"/{language}/accounts/forgot/")
        page.click(f"a[href='/{language}/accounts/password-reset/']")
        page.wait_for_load_state()
        journey.screen("email")
        page.fill("#id_email", f"{username}@example.org")
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        journey.screen("email-sent")
        (message,) = mail.outbox
        link = re.search(r"https?://\S+/accounts/password-reset/\S+/", message.body).group(0)
        journey.goto(link[link.index("/", 8) :])
        page.fill("#id_new_password1", PASSWORD)
        page.fill("#id_new_password2", PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        journey.screen("email-done")
        sign_out(journey)
        sign_in(journey, username, PASSWORD)
        assert journey.path == f"/{language}/learn/"
    finally:
        journey.close()
    assert Classroom.objects.count() == 1
    journey.assert_well()
