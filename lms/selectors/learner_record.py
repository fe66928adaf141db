"""One learner of a class as their educator sees them: each assignment's lessons, their answers
(the latest of each question, how many tries), and when they last learned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from lms.models import Classroom, Learner, LearnerEvent, QuestionAttempt
from lms.selectors.assignments import ActivityProgress
from lms.selectors.dashboard import Column, dashboard_columns, dashboard_rows
from lms.selectors.outline import OutlineNode
from lms.selectors.progress import LessonStatus, learner_progress


@dataclass(frozen=True)
class AnswerRecord:
    lesson: OutlineNode
    prompt: str
    chosen: list[str]  # the texts of the answers chosen last
    correct: bool
    tries: int
    answered_at: datetime


@dataclass(frozen=True)
class AssignedRecord:
    column: Column
    progress: ActivityProgress
    lessons: list[LessonStatus]


@dataclass(frozen=True)
class LearnerRecord:
    learner: Learner
    last_active: datetime | None
    assignments: list[AssignedRecord]
    answers: list[AnswerRecord]
    # Whether an educator of this class may give the learner a new password (the school
    # made the account).
    school_made_account: bool


def learner_record(
    *,
    classroom: Classroom,
    learner: Learner,
    language: str,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> LearnerRecord:
    columns = dashboard_columns(classroom, language, request)
    (row,) = dashboard_rows([learner], columns, today or timezone.localdate())
    courses = learner_progress(learner=learner, language=language, request=request)
    statuses = {
        lesson.node.key: lesson
        for course in courses
        for module in course.modules
        for lesson in module.lessons
    }
    assigned = [
        AssignedRecord(
            column=column,
            progress=cell,
            lessons=[statuses[node.key] for node in column.node.lessons() if node.key in statuses],
        )
        for column, cell in zip(columns, row.cells, strict=True)
        if cell is not None
    ]
    lessons = {node.key: node for record in assigned for node in record.column.node.lessons()}
    return LearnerRecord(
        learner=learner,
        last_active=LearnerEvent.objects.filter(learner=learner).aggregate(last=Max("occurred_at"))[
            "last"
        ],
        assignments=assigned,
        answers=_answers(learner, lessons),
        school_made_account=(
            learner.user_id is not None and learner.created_by_school_id == classroom.school_id
        ),
    )


def _answers(learner: Learner, lessons: dict[str, OutlineNode]) -> list[AnswerRecord]:
    """The latest answer to each question of these lessons, in the lessons' order (1 query)."""
    latest: dict[str, QuestionAttempt] = {}
    tries: dict[str, int] = {}
    for attempt in QuestionAttempt.objects.filter(
        learner=learner, lesson_key__in=list(lessons)
    ).order_by("answered_at", "id"):
        latest[attempt.question_id] = attempt
        tries[attempt.question_id] = tries.get(attempt.question_id, 0) + 1
    records = []
    for lesson in lessons.values():
        for question in lesson.questions:
            attempt = latest.get(question.id)
            if attempt is None:
                continue
            texts = {choice.id: choice.text for choice in question.choices}
            records.append(
                AnswerRecord(
                    lesson=lesson,
                    prompt=question.prompt,
                    chosen=[texts.get(choice, choice) for choice in attempt.selected],
                    correct=attempt.correct,
                    tries=tries[question.id],
                    answered_at=attempt.answered_at,
                )
            )
    return records
