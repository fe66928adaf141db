"""The demo curriculum and its loader: complete, plain language, translated, idempotent."""

import pytest
import textstat
from django.core.management import call_command
from django.test import Client
from wagtail.images.models import Image, Rendition
from wagtail.models import Page, Revision

from courses.demo.curriculum import (
    CurriculumError,
    check_translation,
    lesson_text,
    load_course,
)
from courses.models import CourseIndexPage, LessonPage, ModulePage

MAX_GRADE = 6.0


@pytest.fixture(scope="module")
def english():
    return load_course("en")


@pytest.fixture(scope="module")
def spanish():
    return load_course("es")


def test_course_has_the_promised_scope(english):
    assert english.title == "Family Digital Skills"
    assert len(english.modules) >= 5
    assert len(english.lessons) >= 15
    for lesson in english.lessons:
        assert any(block["type"] == "question" for block in lesson.body), lesson.key
        assert 3 <= lesson.minutes <= 7, lesson.key
    kinds = {
        b["kind"] for lesson in english.lessons for b in lesson.body if b["type"] == "question"
    }
    assert kinds == {"single", "multiple", "true_false"}


@pytest.mark.parametrize("lesson_index", range(18))
def test_english_lessons_read_at_or_below_grade_6(english, lesson_index):
    lesson = english.lessons[lesson_index]
    grade = textstat.flesch_kincaid_grade(lesson_text(lesson))
    assert grade <= MAX_GRADE, f"{lesson.key} reads at grade {grade:.1f}"


def test_readability_check_can_fail():
    """The measure is not vacuous: dense text scores far above grade 6."""
    from courses.demo.curriculum import LessonSpec

    dense = LessonSpec(
        key="k",
        slug="s",
        title="Telecommunications infrastructure considerations",
        minutes=5,
        summary="Comprehensive understanding of broadband subsidization eligibility determination.",
        body=[
            {
                "type": "text",
                "text": "<p>Municipal telecommunications authorities administer "
                "supplementary connectivity subsidization initiatives.</p>",
            }
        ],
    )
    assert textstat.flesch_kincaid_grade(lesson_text(dense)) > 12


@pytest.mark.parametrize("language", ["es", "vi", "zh-hans", "ar"])
def test_each_language_is_a_complete_translation(english, language):
    translation = load_course(language)
    check_translation(english, translation)
    assert translation.title != english.title
    # No English text left behind: every learner-visible piece differs from the source,
    # except example passwords a lesson asks about (the same in every language).
    same = [
        (src, text)
        for source_lesson, lesson in zip(english.lessons, translation.lessons, strict=True)
        for src, text in zip(_texts(source_lesson.body), _texts(lesson.body), strict=True)
        if src == text and src not in UNTRANSLATABLE
    ]
    assert not same, same[:5]
    assert all(
        tr.title != en.title for tr, en in zip(translation.lessons, english.lessons, strict=True)
    )


# Example passwords a question shows as they are typed: they stay the same in every language.
UNTRANSLATABLE = {"maria1985", "password", "123456"}


def _texts(value) -> list[str]:
    """Every text in a lesson's blocks, in order (keys that are not language left out)."""
    if isinstance(value, dict):
        return [
            text
            for key, item in value.items()
            if key not in {"type", "kind", "image", "correct"}
            for text in _texts(item)
        ]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return [value] if isinstance(value, str) and value.strip() else []


def test_a_translation_that_drifts_from_the_source_is_rejected(english, spanish):
    broken = load_course("es")
    broken.lessons[0].body.pop()
    with pytest.raises(CurriculumError, match="blocks"):
        check_translation(english, broken)


def site_state() -> dict:
    from django.contrib.auth import get_user_model

    from lms.models import Assignment, ClassMembership, Classroom, LearnerEvent, Statement

    return {
        "pages": sorted(Page.objects.values_list("id", "latest_revision_id", "live", "url_path")),
        "revisions": Revision.objects.count(),
        "images": Image.objects.count(),
        "renditions": Rendition.objects.count(),
        "users": sorted(get_user_model().objects.values_list("username", "password")),
        "classes": sorted(Classroom.objects.values_list("name", "join_code")),
        "members": ClassMembership.objects.count(),
        "assignments": Assignment.objects.count(),
        "events": LearnerEvent.objects.count(),
        "statements": Statement.objects.count(),
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_load_demo_builds_the_site_and_a_second_run_changes_nothing(english):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = site_state()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert site_state() == first

    lessons = LessonPage.objects.live()
    assert lessons.filter(locale__language_code="en").count() == len(english.lessons)
    for language in ("es", "vi", "zh-hans", "ar"):
        translated = lessons.filter(locale__language_code=language)
        assert translated.count() == len(english.lessons), language
        # Real translations, not English pages shown as a fallback.
        assert not translated.filter(alias_of__isnull=False).exists(), language
        assert not Page.objects.filter(
            locale__language_code=language, alias_of__isnull=False
        ).exists(), language

    client = Client()
    for page in Page.objects.live().type(CourseIndexPage, ModulePage, LessonPage).specific()[:60]:
        assert client.get(page.get_url()).status_code == 200, page.url_path
    for language, course_title in (
        ("es", "Habilidades digitales para la familia"),
        ("vi", load_course("vi").title),
        ("zh-hans", load_course("zh-hans").title),
        ("ar", load_course("ar").title),
    ):
        assert course_title in client.get(f"/{language}/").content.decode(), language

    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="admin").is_superuser
    assert_demo_people()


def assert_demo_people():
    from django.contrib.auth import authenticate

    from lms.models import Assignment, Classroom, Household, StaffRole
    from lms.selectors.dashboard import class_dashboard

    educator = authenticate(username="maestra.lopez", password="puente-demo")
    assert educator.staff_roles.get().role == StaffRole.Role.EDUCATOR
    assert (
        authenticate(username="director.kim", password="puente-demo").staff_roles.get().role
        == StaffRole.Role.ADMINISTRATOR
    )
    classes = Classroom.objects.filter(educators=educator)
    sizes = sorted(c.memberships.count() for c in classes)
    assert len(sizes) == 2
    assert sizes[-1] >= 30
    household = Household.objects.get(caregiver__username="rosa")
    children = household.members.filter(user__isnull=True)
    assert sorted(c.display_name for c in children) == ["Ana", "Leo"]
    assert all(child.memberships.exists() for child in children)
    big = max(classes, key=lambda c: c.memberships.count())
    dashboard = class_dashboard(classroom=big, language="en")
    assert any(a.due_on for a in big.assignments.all())
    for assignment in Assignment.objects.all():  # assigned before it was due, notes marked
        assert assignment.due_on is None or assignment.created_at.date() <= assignment.due_on
        assert bool(assignment.note) == bool(assignment.note_language)
    statuses = {cell.status for row in dashboard.rows for cell in row.cells if cell}
    assert statuses == {"completed", "in_progress", "not_started"}
    assert sum(count for _day, count in dashboard.completions_by_day) > 50
