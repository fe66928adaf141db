"""An educator's phone, in the real browser at 360x740, in Spanish and Arabic (right-to-left),
and once with JavaScript off: the dashboard of a class of 31 learners with 5 assignments is
read at a glance (no word broken across lines, nothing sideways, text at least 14 px, the most
behind learner within two screens), and the class is managed from it: an assignment's due date
and note changed (a past date refused), a message to the families, a learner's page, a new
printable sign-in card, a learner taken out of the class, the class renamed. Every screen is
checked as tests/journeys.py says (language, no sideways scroll, axe-core, every link answers).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone

from lms.models import Assignment, ClassMembership, ClassMessage, LessonProgress, School, StaffRole
from lms.services.assignments import assignment_create
from lms.services.classes import classroom_create, classroom_member_add
from lms.services.learners import learner_sign_up
from tests.conftest import PASSWORD
from tests.factories import build_course_tree
from tests.journeys import Journey

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LEARNERS = 31
# Names as a family-literacy class has them, long ones included (a name never wraps mid-word).
NAMES = [
    "María Guadalupe Hernández",
    "José Luis Villanueva",
    "Nguyễn Thị Minh Khai",
    "Fátima Al-Zahraa",
    "محمد عبد الرحمن",
    "Ana Sofía Castañeda",
    "Trần Văn Thành",
    "Li Wei",
    "Esperanza Maldonado-Quintero",
    "Abdirahman Mohamed",
]
LAGGARD = "Zoila Ramírez"  # last in the alphabet, first on the dashboard: the most behind

WORD_SPLIT_ACROSS_LINES = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest(".visually-hidden, [hidden]")) continue;
    for (const match of node.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set(Array.from(range.getClientRects())
        .filter(rect => rect.width > 0).map(rect => Math.round(rect.top)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""
SMALL_TEXT = """() => {
  const small = [];
  for (const element of document.querySelectorAll("main *")) {
    if (element.closest(".visually-hidden, [hidden]")) continue;
    const text = Array.from(element.childNodes)
      .filter(child => child.nodeType === Node.TEXT_NODE).map(child => child.textContent)
      .join("").trim();
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (text && size < 14) small.push(`${element.tagName} ${size}px ${text.slice(0, 30)}`);
  }
  return small;
}"""


@pytest.fixture
def busy_class(db):
    """A class of 31 learners, 5 modules assigned (two overdue), progress spread out, and one
    learner who has not started anything."""
    tree = build_course_tree(modules=5, lessons_per_module=2, translate_to=("es", "ar"))
    school = School.objects.create(name="Lincoln Elementary")
    teacher = learner_sign_up(username="maestra", password=PASSWORD).user
    StaffRole.objects.create(user=teacher, school=school, role=StaffRole.Role.EDUCATOR)
    classroom = classroom_create(school=school, name="Family Tech Night", educator=teacher)
    today = timezone.localdate()
    for number, module in enumerate(tree.modules):
        assignment_create(
            classroom=classroom,
            activity_key=module.translation_key,
            assigned_by=teacher,
            due_on=today + timedelta(days=7 * (number + 1)),
        )
    # Two were due last week (a past date is refused when assigning, so it is set after).
    for days_ago, module in zip((9, 2), tree.modules[:2], strict=True):
        Assignment.objects.filter(activity_key=module.translation_key).update(
            due_on=today - timedelta(days=days_ago)
        )
    now = timezone.now()
    lessons = tree.lessons
    progress = []
    for number in range(LEARNERS - 1):
        name = f"{NAMES[number % len(NAMES)]} {number // len(NAMES) + 1}"
        learner = classroom_member_add(classroom=classroom, display_name=name).learner
        # Everyone but the laggard has done the overdue modules, and some of the rest.
        for index, lesson in enumerate(lessons[: 4 + number % 7]):
            moment = now - timedelta(days=number % 20, minutes=index)
            progress.append(
                LessonProgress(
                    learner=learner,
                    lesson_key=lesson.translation_key,
                    progress=100,
                    first_viewed_at=moment,
                    last_viewed_at=moment,
                    completed_at=moment,
                )
            )
    LessonProgress.objects.bulk_create(progress)
    laggard = classroom_member_add(classroom=classroom, display_name=LAGGARD)
    return tree, classroom, laggard


def sign_in_as_teacher(journey: Journey) -> None:
    journey.sign_in("maestra", PASSWORD)


def submit(journey: Journey, form: str = "form.form") -> None:
    journey.submit(form)


VARIANTS = [
    pytest.param("es", True, id="es"),
    pytest.param("ar", True, id="ar"),
    pytest.param("es", False, id="es-no-javascript"),
]


@pytest.mark.parametrize(("language", "javascript"), VARIANTS)
def test_an_educator_manages_the_class_from_a_phone(
    browser, live_server, busy_class, language, javascript
):
    tree, classroom, laggard = busy_class
    journey = Journey(
        browser,
        live_server.url,
        language,
        javascript=javascript,
        name="educator",
    )
    page = journey.page
    try:
        sign_in_as_teacher(journey)
        journey.goto(f"/{language}/teach/")
        journey.screen("classes")
        page.click(f"a[href$='/teach/classes/{classroom.pk}/']")
        page.wait_for_load_state()
        journey.screen("class")

        # An assignment: a date in the past is refused with a reason, a new one is kept.
        page.locator(".summaries > li").first.locator("h3 a").click()
        page.wait_for_load_state()
        journey.screen("assignment")
        page.fill("#id_due_on", "2020-01-01")
        submit(journey)
        assert page.locator(".errorlist, .field-error, [role=alert]").count() >= 1
        journey.screen("assignment-refused")
        later = timezone.localdate() + timedelta(days=10)
        page.fill("#id_due_on", later.isoformat())
        page.fill("#id_note", "Traigan el cargador del teléfono")
        submit(journey)
        journey.screen("assignment-saved")
        first_module = tree.modules[0].translation_key
        assert Assignment.objects.get(activity_key=first_module).due_on == later

        # A message to the families, shown to them in the language it was written in.
        journey.goto(f"/{language}/teach/classes/{classroom.pk}/messages/")
        journey.screen("messages")
        page.fill("#id_text", "Noche de tecnología el martes a las 6")
        page.select_option("#id_language", "es")
        submit(journey)
        journey.screen("message-sent")
        assert ClassMessage.objects.filter(classroom=classroom, language="es").count() == 1

        # The most behind learner: their page, a new sign-in card, then out of the class.
        journey.goto(f"/{language}/teach/classes/{classroom.pk}/")
        page.locator(".learner-cards > li").first.locator(".learner-name").click()
        page.wait_for_load_state()
        journey.screen("learner")
        page.click(f"a[href$='/learners/{laggard.learner.pk}/password/']")
        page.wait_for_load_state()
        journey.screen("password-confirm")
        submit(journey, "form:has(input[name=confirm])")
        journey.screen("sign-in-card")
        card = page.locator("main").inner_text()
        new_password = next(
            code.inner_text()
            for code in page.locator("main code").all()
            if authenticate(username=laggard.username, password=code.inner_text())
        )
        assert new_password in card
        assert authenticate(username=laggard.username, password=laggard.password) is None

        journey.goto(f"/{language}/teach/classes/{classroom.pk}/learners/{laggard.learner.pk}/")
        page.click(f"a[href$='/learners/{laggard.learner.pk}/remove/']")
        page.wait_for_load_state()
        journey.screen("remove-learner")
        submit(journey, "form:has(input[name=confirm])")
        journey.screen("learner-removed")
        assert not ClassMembership.objects.filter(learner=laggard.learner).exists()
        assert LAGGARD not in page.locator(".learner-cards").inner_text()

        # The class renamed.
        journey.goto(f"/{language}/teach/classes/{classroom.pk}/settings/")
        journey.screen("settings")
        page.fill("#id_name", "Noche de tecnología")
        submit(journey, "form:has(input[value=rename])")
        journey.screen("renamed")
        classroom.refresh_from_db()
        assert classroom.name == "Noche de tecnología"
        assert journey.problems == []
    finally:
        journey.close()
