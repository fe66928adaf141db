"""Record what a learner did: the progress it makes and the xAPI statements it implies, in one
transaction. The server-rendered pages and the JSON API both come through here.

Completion rules: a lesson is completed when the learner has reached its end and answered each
of its questions at least once; a module when all its lessons are; a course when all its
modules are. Every answer is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms.activities import ActivityType, Grade, InvalidAnswer, grade_answer
from lms.conf import lms_setting
from lms.models import (
    ActivityCompletion,
    CourseRegistration,
    EventKind,
    Learner,
    LearnerEvent,
    LessonProgress,
    QuestionAttempt,
)
from lms.selectors.activities import LessonContext, lesson_context
from lms.selectors.assignments import ClassContext, class_context
from lms.services.xapi import statement_context, statements_enqueue_for_events
from lms.signals import lesson_completed, statement_extensions
from lms.xapi import statements as xapi

STATEMENT_NAMESPACE = uuid.UUID("1f4b7c62-52a9-4f53-9d55-0c4f0f2c8a10")
# A lesson's duration is measured from when it was last opened, unless that was long ago.
LONGEST_SITTING = timedelta(hours=4)


class EventRejected(ValueError):
    """An event that cannot be recorded; ``field`` names the part that is wrong."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class EventInput:
    event_id: uuid.UUID
    kind: EventKind
    lesson_key: uuid.UUID
    occurred_at: datetime
    language: str = ""
    question_id: str = ""
    choice_ids: tuple[str, ...] = ()
    progress: int | None = None
    duration_seconds: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The event as JSON, to be recorded later (``from_json`` reads it back)."""
        return {
            "id": str(self.event_id),
            "type": str(self.kind),
            "lesson": str(self.lesson_key),
            "occurred_at": self.occurred_at.isoformat(),
            "language": self.language,
            "question": self.question_id,
            "choices": list(self.choice_ids),
            "progress": self.progress,
            "duration_seconds": self.duration_seconds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EventInput:
        return cls(
            event_id=uuid.UUID(data["id"]),
            kind=EventKind(data["type"]),
            lesson_key=uuid.UUID(data["lesson"]),
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            language=data["language"],
            question_id=data["question"],
            choice_ids=tuple(data["choices"]),
            progress=data["progress"],
            duration_seconds=data["duration_seconds"],
        )

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.question_id:
            data["question"] = self.question_id
            data["choices"] = list(self.choice_ids)
        if self.progress is not None:
            data["progress"] = self.progress
        if self.duration_seconds is not None:
            data["duration_seconds"] = self.duration_seconds
        return data


@dataclass
class EventOutcome:
    event_id: uuid.UUID
    duplicate: bool = False
    grade: Grade | None = None
    lesson_completed: bool = False
    # Questions still to answer before a lesson whose end was reached counts as completed.
    unanswered_question_ids: tuple[str, ...] = ()
    statement_ids: list[str] = field(default_factory=list)


class LearnerLookups:
    """One learner's batch of events, recorded in one transaction (``learner_events_batch``).

    What every event looks up the same way (the class a statement names, the platform that
    launched the activity, the learner's registration in a course, their progress in a
    lesson) is read once for the batch, and the statements of all its events are stored
    together when it ends: the reads and the per-event inserts were most of an event's cost
    in a batch."""

    def __init__(self, learner: Learner) -> None:
        self.learner = learner
        self._class_contexts: dict[tuple[str, ...], ClassContext | None] = {}
        self._extensions: dict[tuple[str, ...], dict[str, Any]] = {}
        self._registrations: dict[str, CourseRegistration] = {}
        self._progress: dict[str, LessonProgress] = {}
        self._statements: list[tuple[LearnerEvent, list[dict[str, Any]]]] = []

    def class_context(self, activity_keys: list[str]) -> ClassContext | None:
        key = tuple(activity_keys)
        if key not in self._class_contexts:
            self._class_contexts[key] = class_context(
                learner=self.learner, activity_keys=activity_keys
            )
        return self._class_contexts[key]

    def extensions(self, activity_keys: list[str]) -> dict[str, Any]:
        key = tuple(activity_keys)
        if key not in self._extensions:
            self._extensions[key] = statement_extensions(
                learner=self.learner, activity_keys=activity_keys
            )
        return self._extensions[key]

    def registration(
        self, course_key: str, started_at: datetime
    ) -> tuple[CourseRegistration, bool]:
        """The learner's registration in a course, made by their first event in it, and
        whether this call made it."""
        if course_key in self._registrations:
            return self._registrations[course_key], False
        registration, created = CourseRegistration.objects.get_or_create(
            learner=self.learner,
            course_key=course_key,
            defaults={"registration": uuid.uuid4(), "started_at": started_at},
        )
        self._registrations[course_key] = registration
        return registration, created

    def progress(self, lesson_key: str) -> LessonProgress:
        """The learner's progress in a lesson, locked until the batch commits (so that two
        requests with events of the same lesson complete it once), and read once: later
        events of the batch change the same row."""
        if lesson_key not in self._progress:
            self._progress[lesson_key], _created = (
                LessonProgress.objects.select_for_update().get_or_create(
                    learner=self.learner, lesson_key=lesson_key
                )
            )
        return self._progress[lesson_key]

    def statements_add(self, event: LearnerEvent, statements: list[dict[str, Any]]) -> None:
        self._statements.append((event, statements))

    def statements_store(self) -> None:
        """Store and queue the batch's statements, in its transaction, in the events' order."""
        if self._statements:
            statements_enqueue_for_events(items=self._statements, learner=self.learner)
        self._statements = []


@contextmanager
def learner_events_batch(*, learner: Learner) -> Iterator[LearnerLookups]:
    """A transaction for a batch of one learner's events: record each with
    ``learner_event_record(..., lookups=batch)``. The events, their progress and their
    statements commit together, or not at all (the phone sends the same events again)."""
    lookups = LearnerLookups(learner)
    with transaction.atomic():
        yield lookups
        lookups.statements_store()


def learner_event_record(
    *,
    learner: Learner,
    event: EventInput,
    now: datetime | None = None,
    lookups: LearnerLookups | None = None,
) -> EventOutcome:
    """Record one event, once: a replay with the same event id changes nothing. An event of
    a batch is recorded in the batch's transaction (``lookups``, see learner_events_batch);
    one on its own in a transaction of its own, opened once the event is checked."""
    now = now or timezone.now()
    checked = event_check(learner=learner, event=event, now=now)
    context, occurred_at, language = checked.context, checked.occurred_at, checked.language
    # On its own, an event gets a batch (a transaction) of its own, opened once it is checked.
    batch = learner_events_batch(learner=learner) if lookups is None else nullcontext(lookups)
    with batch as lookups:
        try:
            with transaction.atomic():  # a savepoint: a duplicate costs only itself
                record = LearnerEvent.objects.create(
                    learner=learner,
                    event_id=event.event_id,
                    kind=event.kind,
                    lesson_key=event.lesson_key,
                    occurred_at=occurred_at,
                    language=language,
                    data=event.data(),
                    received_at=now,
                )
        except IntegrityError:
            return EventOutcome(event_id=event.event_id, duplicate=True)
        recorder = _Recorder(learner, record, context, language, occurred_at, event, lookups)
        outcome = recorder.apply(checked.grade)
        lookups.statements_add(record, recorder.statements)
        if recorder.lesson_completed:
            # Optional parts hear of it here (a platform that launched this module queues the
            # new score for its gradebook), inside this transaction.
            lesson_completed.send(
                sender=LearnerEvent,
                learner=learner,
                lesson_key=context.lesson.key,
                occurred_at=occurred_at,
            )
        outcome.statement_ids = [s["id"] for s in recorder.statements]
        return outcome


@dataclass(frozen=True)
class CheckedEvent:
    """An event that can be recorded: its lesson, its answer's grade, when it happened (never
    after it arrived) and its language."""

    context: LessonContext
    grade: Grade | None
    occurred_at: datetime
    language: str


def event_check(*, learner: Learner, event: EventInput, now: datetime) -> CheckedEvent:
    """Everything about an event that can be refused, checked without writing anything
    (``now``: when it arrived). Raises EventRejected."""
    occurred_at = _checked_time(event.occurred_at, now)
    context = lesson_context(event.lesson_key)
    if context is None:
        raise EventRejected(_("There is no lesson with this key."), "lesson")
    return CheckedEvent(
        context=context,
        grade=_checked_answer(event, context),
        occurred_at=occurred_at,
        language=_language(event.language, learner),
    )


def _checked_time(occurred_at: datetime, now: datetime) -> datetime:
    if timezone.is_naive(occurred_at):
        raise EventRejected(_("The time must include a time zone."), "occurred_at")
    max_age = timedelta(days=lms_setting("EVENTS_MAX_AGE_DAYS"))
    if occurred_at < now - max_age:
        raise EventRejected(
            ngettext(
                "This event is older than %(days)d day and cannot be recorded.",
                "This event is older than %(days)d days and cannot be recorded.",
                max_age.days,
            )
            % {"days": max_age.days},
            "occurred_at",
        )
    # Phones' clocks run fast too: an event cannot have happened after it arrived.
    return min(occurred_at, now)


def _checked_answer(event: EventInput, context: LessonContext) -> Grade | None:
    if event.kind != EventKind.ANSWERED:
        return None
    question = context.question(event.question_id)
    if question is None:
        raise EventRejected(_("This lesson has no question with this id."), "question")
    try:
        return grade_answer(question, event.choice_ids)
    except InvalidAnswer as error:
        raise EventRejected(str(error), "choices") from error


def _language(requested: str, learner: Learner) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for candidate in (requested, learner.preferred_language):
        if candidate in codes:
            return candidate
    return settings.LANGUAGE_CODE


class _Recorder:
    """Applies one new event to a learner's progress and collects the statements it implies."""

    def __init__(
        self,
        learner: Learner,
        record: LearnerEvent,
        context: LessonContext,
        language: str,
        occurred_at: datetime,
        event: EventInput,
        lookups: LearnerLookups,
    ) -> None:
        self.learner = learner
        self.record = record
        self.context = context
        self.language = language
        self.occurred_at = occurred_at
        self.event = event
        self.statements: list[dict[str, Any]] = []
        self.lesson_completed = False
        self.registration: CourseRegistration | None = None
        self.lookups = lookups
        activity_keys = [a.key for a in (context.module, context.course) if a is not None]
        self.class_context = lookups.class_context(activity_keys)
        self.extensions = lookups.extensions(activity_keys)
        self._register_in_course()

    def apply(self, grade: Grade | None) -> EventOutcome:
        outcome = EventOutcome(event_id=self.event.event_id, grade=grade)
        progress = self.lookups.progress(self.context.lesson.key)
        before = (
            progress.first_viewed_at,
            progress.last_viewed_at,
            progress.progress,
            progress.reached_end_at,
            progress.completed_at,
        )
        kind = self.event.kind
        if kind == EventKind.VIEWED:
            self._viewed(progress)
        elif kind == EventKind.PROGRESSED:
            self._progressed(progress, self.event.progress or 0)
        elif kind == EventKind.ANSWERED:
            self._answered(grade)
        elif kind == EventKind.COMPLETED:
            self._reached_end(progress)
        if progress.completed_at is None and progress.reached_end_at is not None:
            outcome.unanswered_question_ids = self._unanswered()
            if not outcome.unanswered_question_ids:
                self._complete_lesson(progress)
                outcome.lesson_completed = True
        after = (
            progress.first_viewed_at,
            progress.last_viewed_at,
            progress.progress,
            progress.reached_end_at,
            progress.completed_at,
        )
        if after != before:
            progress.save()
        return outcome

    # What each kind of event changes.

    def _viewed(self, progress: LessonProgress) -> None:
        progress.first_viewed_at = progress.first_viewed_at or self.occurred_at
        if progress.last_viewed_at is None or self.occurred_at > progress.last_viewed_at:
            progress.last_viewed_at = self.occurred_at
        self._emit(
            xapi.experienced(
                self._ctx("experienced"),
                self.context.lesson,
                self.context.module,
                self.context.course,
            ),
        )

    def _progressed(self, progress: LessonProgress, percent: int) -> None:
        percent = max(0, min(100, percent))
        if percent <= progress.progress:
            return  # only moving further is news
        progress.progress = percent
        self._emit(
            xapi.progressed(
                self._ctx("progressed"),
                self.context.lesson,
                self.context.module,
                self.context.course,
                progress=percent,
            ),
        )
        if percent == 100:
            progress.reached_end_at = progress.reached_end_at or self.occurred_at

    def _answered(self, grade: Grade | None) -> None:
        assert grade is not None  # checked before the transaction
        selected = [choice.id for choice in grade.selected]
        QuestionAttempt.objects.create(
            learner=self.learner,
            event=self.record,
            lesson_key=self.context.lesson.key,
            question_id=grade.question.id,
            selected=selected,
            correct=grade.correct,
            answered_at=self.occurred_at,
        )
        self._emit(
            xapi.answered(
                self._ctx(f"answered:{grade.question.id}"),
                grade.question,
                self.context.question_texts[grade.question.id],
                selected_ids=selected,
                correct=grade.correct,
                lesson=self.context.lesson,
                module=self.context.module,
                course=self.context.course,
            ),
        )

    def _reached_end(self, progress: LessonProgress) -> None:
        if progress.reached_end_at is None:
            self._progressed(progress, 100)
        progress.reached_end_at = progress.reached_end_at or self.occurred_at

    # Completion.

    def _unanswered(self) -> tuple[str, ...]:
        answered = set(
            QuestionAttempt.objects.filter(
                learner=self.learner, lesson_key=self.context.lesson.key
            ).values_list("question_id", flat=True)
        )
        return tuple(q.id for q in self.context.questions if q.id not in answered)

    def _complete_lesson(self, progress: LessonProgress) -> None:
        progress.completed_at = self.occurred_at
        self.lesson_completed = True
        context = self.context
        self._emit(
            xapi.completed(
                self._ctx("completed:lesson"),
                context.lesson,
                parent=context.module,
                grouping=context.course,
                duration=self._duration(progress),
            ),
        )
        if context.questions:
            right = self._latest_correct_count()
            self._emit(
                xapi.scored(
                    self._ctx("scored"),
                    context.lesson,
                    context.module,
                    context.course,
                    correct=right,
                    total=len(context.questions),
                    mastery=lms_setting("MASTERY_SCORE"),
                ),
            )
        self._complete_containers(progress)

    def _complete_containers(self, progress: LessonProgress) -> None:
        """A finished lesson may finish its module, and a finished module its course."""
        context = self.context
        if context.module is None or not self._all_lessons_completed(progress):
            return
        if not self._mark_completed(context.module.key, ActivityType.MODULE):
            return
        self._emit(
            xapi.completed(
                self._ctx("completed:module"),
                context.module,
                parent=context.course,
                grouping=None,
            ),
        )
        if context.course is None or not self._all_modules_completed():
            return
        if self._mark_completed(context.course.key, ActivityType.COURSE):
            self._emit(
                xapi.completed(
                    self._ctx("completed:course"), context.course, parent=None, grouping=None
                ),
            )

    def _latest_correct_count(self) -> int:
        latest: dict[str, bool] = {}
        attempts = QuestionAttempt.objects.filter(
            learner=self.learner, lesson_key=self.context.lesson.key
        ).order_by("answered_at", "id")
        for question_id, correct in attempts.values_list("question_id", "correct"):
            latest[question_id] = correct
        return sum(1 for q in self.context.questions if latest.get(q.id))

    def _all_lessons_completed(self, progress: LessonProgress) -> bool:
        others = set(self.context.module_lesson_keys) - {self.context.lesson.key}
        done = LessonProgress.objects.filter(
            learner=self.learner, lesson_key__in=others, completed_at__isnull=False
        ).count()
        return done == len(others)

    def _all_modules_completed(self) -> bool:
        keys = set(self.context.course_module_keys)
        done = ActivityCompletion.objects.filter(
            learner=self.learner, activity_key__in=keys
        ).count()
        return done == len(keys)

    def _mark_completed(self, key: str, activity_type: ActivityType) -> bool:
        """Record a module or course completion; False if it was already recorded."""
        try:
            with transaction.atomic():
                ActivityCompletion.objects.create(
                    learner=self.learner,
                    activity_key=key,
                    activity_type=activity_type,
                    completed_at=self.occurred_at,
                )
        except IntegrityError:
            return False
        return True

    def _duration(self, progress: LessonProgress) -> timedelta | None:
        if self.event.duration_seconds is not None:
            return timedelta(seconds=max(0.0, self.event.duration_seconds))
        if progress.last_viewed_at is None:
            return None
        sitting = self.occurred_at - progress.last_viewed_at
        return sitting if timedelta(0) <= sitting <= LONGEST_SITTING else None

    # Statements.

    def _register_in_course(self) -> None:
        """The first event in a course starts it: one registration per learner and course."""
        course = self.context.course
        if course is None:
            return
        self.registration, created = self.lookups.registration(course.key, self.occurred_at)
        if created:
            self._emit(xapi.registered(self._ctx("registered"), course))

    def _ctx(self, role: str) -> xapi.StatementContext:
        return statement_context(
            learner=self.learner,
            statement_id=str(
                uuid.uuid5(
                    STATEMENT_NAMESPACE,
                    f"{self.learner.actor_id}/{self.event.event_id}/{role}",
                )
            ),
            occurred_at=self.occurred_at,
            language=self.language,
            registration=str(self.registration.registration) if self.registration else None,
            class_context=self.class_context,
            extensions=self.extensions,
        )

    def _emit(self, statement: dict[str, Any]) -> None:
        self.statements.append(statement)
