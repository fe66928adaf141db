"""Progress from a trackable page's own forms, for pages served by the host site: opening
the page (a visit, at most one per ``SAME_VISIT``), answering a question and finishing, each
turned into an event for ``lms.services.progress``, and its answer into what the page shows.

Any host page type can use these from its ``serve`` and ``get_context``; the rules are the
plugin's, not the page's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lms.activities import Grade, InvalidAnswer, Question, grade_answer
from lms.models import EventKind, Learner, LessonProgress
from lms.services.accepted_events import accepted_events_settle
from lms.services.progress import EventInput, EventOutcome, EventRejected, learner_event_record

# Opening the same lesson again within this time is the same visit: no new "experienced".
SAME_VISIT = timedelta(minutes=30)


@dataclass(frozen=True)
class AnswerState:
    """What the learner sees under a question after submitting it."""

    grade: Grade | None = None
    error: str = ""


@dataclass
class LessonPost:
    """The result of a form posted on a lesson page."""

    status: int = 200
    answers: dict[str, AnswerState] = field(default_factory=dict)
    error: str = ""
    outcome: EventOutcome | None = None


def posted_event_id(request: HttpRequest) -> uuid.UUID:
    """The id the form was rendered with, so that sending it twice records it once."""
    try:
        return uuid.UUID(request.POST.get("event", ""))
    except ValueError:
        return uuid.uuid4()


def lesson_visit(*, learner: Learner, lesson_key: uuid.UUID) -> LessonProgress | None:
    """Record that the learner opened the lesson, unless this is the same visit."""
    accepted_events_settle(learner=learner)  # the answers the page sent a moment ago first
    progress = LessonProgress.objects.filter(learner=learner, lesson_key=lesson_key).first()
    now = timezone.now()
    if (
        progress is not None
        and progress.last_viewed_at
        and now - progress.last_viewed_at < SAME_VISIT
    ):
        return progress
    learner_event_record(
        learner=learner,
        event=EventInput(
            event_id=uuid.uuid4(),
            kind=EventKind.VIEWED,
            lesson_key=lesson_key,
            occurred_at=now,
            language=get_language(),
        ),
    )
    return LessonProgress.objects.filter(learner=learner, lesson_key=lesson_key).first()


def lesson_answer(
    *,
    request: HttpRequest,
    learner: Learner | None,
    lesson_key: uuid.UUID,
    questions: list[Question],
) -> LessonPost:
    """Grade a posted answer for display and, for a signed-in learner, record it."""
    question_id = request.POST.get("question", "")
    question = next((q for q in questions if q.id == question_id), None)
    if question is None:
        return LessonPost(
            status=400, error=_("That question is not part of this lesson. Please try again.")
        )
    choice_ids = request.POST.getlist("choice")
    try:
        grade = grade_answer(question, choice_ids)
    except InvalidAnswer:
        message = _("Choose an answer, then press “Check my answer”.")
        return LessonPost(status=400, answers={question.id: AnswerState(error=message)})
    post = LessonPost(answers={question.id: AnswerState(grade=grade)})
    if learner is not None:
        event = _form_event(
            request,
            EventKind.ANSWERED,
            lesson_key,
            question_id=question.id,
            choice_ids=tuple(choice_ids),
        )
        post.outcome = _record(learner, event, post)
    return post


def lesson_finish(*, request: HttpRequest, learner: Learner, lesson_key: uuid.UUID) -> LessonPost:
    """The learner says they reached the end of the lesson."""
    post = LessonPost()
    post.outcome = _record(learner, _form_event(request, EventKind.COMPLETED, lesson_key), post)
    return post


def _form_event(
    request: HttpRequest, kind: EventKind, lesson_key: uuid.UUID, **details
) -> EventInput:
    """An event from a posted form, happening now, in the page's language."""
    return EventInput(
        event_id=posted_event_id(request),
        kind=kind,
        lesson_key=lesson_key,
        occurred_at=timezone.now(),
        language=get_language(),
        **details,
    )


def _record(learner: Learner, event: EventInput, post: LessonPost) -> EventOutcome | None:
    # Answers the page sent through the API a moment ago count ("finish" asks for all of them).
    accepted_events_settle(learner=learner)
    try:
        return learner_event_record(learner=learner, event=event)
    except EventRejected as error:
        post.status = 400
        post.error = error.message
        return None
