"""Courses, their modules and lessons in one language, read from Wagtail's page tree."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest
from wagtail.models import Locale, Page

from lms.activities import ActivityType, Question
from lms.selectors.activities import activity_content_type_ids


@dataclass
class OutlineNode:
    key: str
    type: ActivityType
    title: str
    url: str
    description: str
    minutes: int | None
    questions: tuple[Question, ...] = ()
    children: list[OutlineNode] = field(default_factory=list)

    @property
    def question_count(self) -> int:
        return len(self.questions)

    def lessons(self) -> list[OutlineNode]:
        if self.type == ActivityType.LESSON:
            return [self]
        return [lesson for child in self.children for lesson in child.lessons()]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def locale_for(language: str) -> Locale:
    return Locale.objects.filter(language_code=language).first() or Locale.objects.get(
        language_code=settings.LANGUAGE_CODE
    )


def course_outlines(*, language: str, request: HttpRequest | None = None) -> list[OutlineNode]:
    """Every live course in the language, with its modules and lessons in order."""
    type_ids = {
        activity_type: activity_content_type_ids(activity_type)
        for activity_type in (ActivityType.COURSE, ActivityType.MODULE, ActivityType.LESSON)
    }
    pages = (
        Page.objects.live()
        .filter(
            locale=locale_for(language),
            content_type_id__in=[ct for ids in type_ids.values() for ct in ids],
        )
        .order_by("path")
        .specific()
    )
    courses: list[OutlineNode] = []
    by_path: dict[str, OutlineNode] = {}
    for page in pages:
        node = OutlineNode(
            key=str(page.translation_key),
            type=page.lms_activity_type,
            title=page.title,
            url=page.get_url(request),
            description=page.lms_description(),
            minutes=page.lms_minutes(),
            questions=(
                tuple(page.lms_questions()) if page.lms_activity_type == ActivityType.LESSON else ()
            ),
        )
        by_path[page.path] = node
        parent = by_path.get(page.path[: -page.steplen])
        if parent is not None:
            parent.children.append(node)
        elif node.type == ActivityType.COURSE:
            courses.append(node)
    for course in courses:
        _sum_minutes(course)
    return courses


def _sum_minutes(node: OutlineNode) -> int:
    """A course or module that does not say how long it takes takes as long as its lessons."""
    total = sum(_sum_minutes(child) for child in node.children)
    if node.minutes is None:
        node.minutes = total
    return node.minutes or 0


def outline_index(courses: list[OutlineNode]) -> dict[str, OutlineNode]:
    """Every course, module and lesson of the outlines by key."""
    return {node.key: node for course in courses for node in course.walk()}
