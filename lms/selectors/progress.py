"""A learner's progress through courses, modules and lessons, in a language of their choice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.http import HttpRequest
from django.utils.translation import get_language

from lms.models import (
    ActivityCompletion,
    CourseRegistration,
    Learner,
    LessonProgress,
    QuestionAttempt,
)
from lms.selectors.outline import OutlineNode, course_outlines


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@dataclass
class LessonStatus:
    node: OutlineNode
    status: Status
    questions_right: int
    last_viewed_at: datetime | None


@dataclass
class ModuleStatus:
    node: OutlineNode
    lessons: list[LessonStatus]
    completed: bool

    @property
    def percent(self) -> int:
        return _percent(self.lessons)


@dataclass
class CourseStatus:
    node: OutlineNode
    modules: list[ModuleStatus]
    completed: bool
    started: bool
    continue_lesson: LessonStatus | None = None
    questions_total: int = 0
    questions_right: int = 0
    lessons: list[LessonStatus] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return _percent(self.lessons)


def _percent(lessons: list[LessonStatus]) -> int:
    if not lessons:
        return 0
    done = sum(1 for lesson in lessons if lesson.status == Status.COMPLETED)
    return round(100 * done / len(lessons))


def learner_progress(
    *,
    learner: Learner,
    language: str,
    request: HttpRequest | None = None,
    outlines: list[OutlineNode] | None = None,
) -> list[CourseStatus]:
    """Every course in the language with the learner's progress (a fixed number of queries).

    ``outlines``: the courses' outlines when the caller has them already (several learners).
    """
    # Events the API accepted for later are recorded first: progress shows every answer.
    # (Imported here: recording imports the selectors.)
    from lms.services.accepted_events import accepted_events_settle

    accepted_events_settle(learner=learner)
    if outlines is None:
        outlines = course_outlines(language=language, request=request)
    lessons = {p.lesson_key.hex: p for p in LessonProgress.objects.filter(learner=learner)}
    completions = set(
        ActivityCompletion.objects.filter(learner=learner).values_list("activity_key", flat=True)
    )
    started = set(
        CourseRegistration.objects.filter(learner=learner).values_list("course_key", flat=True)
    )
    latest: dict[str, bool] = {}
    for question_id, correct in (
        QuestionAttempt.objects.filter(learner=learner)
        .order_by("answered_at", "id")
        .values_list("question_id", "correct")
    ):
        latest[question_id] = correct
    right_by_lesson: dict[str, int] = {}
    for lesson_key, question_id in (
        QuestionAttempt.objects.filter(learner=learner)
        .values_list("lesson_key", "question_id")
        .distinct()
    ):
        if latest.get(question_id):
            right_by_lesson[lesson_key.hex] = right_by_lesson.get(lesson_key.hex, 0) + 1

    completed_keys = {str(key) for key in completions}
    started_keys = {str(key) for key in started}
    courses = []
    for course in outlines:
        modules = []
        for module in course.children:
            statuses = [_lesson_status(node, lessons, right_by_lesson) for node in module.children]
            modules.append(
                ModuleStatus(node=module, lessons=statuses, completed=module.key in completed_keys)
            )
        all_lessons = [lesson for module in modules for lesson in module.lessons]
        status = CourseStatus(
            node=course,
            modules=modules,
            completed=course.key in completed_keys,
            started=course.key in started_keys,
            lessons=all_lessons,
            questions_total=sum(lesson.node.question_count for lesson in all_lessons),
            questions_right=sum(lesson.questions_right for lesson in all_lessons),
        )
        status.continue_lesson = _continue_with(all_lessons)
        courses.append(status)
    return courses


def _lesson_status(node: OutlineNode, progress: dict, right_by_lesson: dict) -> LessonStatus:
    key = node.key.replace("-", "")
    row = progress.get(key)
    if row is None:
        status = Status.NOT_STARTED
    elif row.completed_at is not None:
        status = Status.COMPLETED
    else:
        status = Status.IN_PROGRESS
    return LessonStatus(
        node=node,
        status=status,
        questions_right=min(right_by_lesson.get(key, 0), node.question_count),
        last_viewed_at=row.last_viewed_at if row else None,
    )


def _continue_with(lessons: list[LessonStatus]) -> LessonStatus | None:
    """The lesson to go back to: the last one opened unless finished, then the next unfinished."""
    if not lessons:
        return None
    viewed = [lesson for lesson in lessons if lesson.last_viewed_at is not None]
    if not viewed:
        return lessons[0]
    last = max(viewed, key=lambda lesson: lesson.last_viewed_at)
    if last.status != Status.COMPLETED:
        return last
    start = lessons.index(last)
    for lesson in lessons[start + 1 :] + lessons[:start]:
        if lesson.status != Status.COMPLETED:
            return lesson
    return None


def course_status(*, request: HttpRequest, learner: Learner, course_key: uuid.UUID):
    """The learner's progress through one course, for its page."""
    courses = learner_progress(learner=learner, language=get_language(), request=request)
    return next((course for course in courses if course.node.key == str(course_key)), None)


def lesson_statuses(*, learner: Learner, lesson_keys: list[uuid.UUID]) -> dict[str, str]:
    """{lesson key: "completed" | "in_progress"} for the lessons the learner has opened."""
    from lms.services.accepted_events import accepted_events_settle  # see learner_progress

    accepted_events_settle(learner=learner)
    rows = LessonProgress.objects.filter(learner=learner, lesson_key__in=lesson_keys)
    return {str(row.lesson_key): "completed" if row.completed_at else "in_progress" for row in rows}
