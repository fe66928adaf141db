"""Recording learner events: progress, completion rules, idempotence, statements in the outbox."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from lms.models import (
    ActivityCompletion,
    CourseRegistration,
    EventKind,
    LearnerEvent,
    LessonProgress,
    QuestionAttempt,
    Statement,
)
from lms.services import progress as progress_service
from lms.services.progress import EventInput, EventRejected, learner_event_record
from tests.factories import lesson_event, lesson_finish

pytestmark = pytest.mark.django_db


def answer(lesson, question, *, right=True, **kwargs) -> EventInput:
    chosen = [c.id for c in question.choices if c.correct == right]
    if not right:
        chosen = chosen[:1]
    return lesson_event(
        lesson, EventKind.ANSWERED, question_id=question.id, choice_ids=tuple(chosen), **kwargs
    )


def verbs(learner) -> list[str]:
    return list(
        Statement.objects.filter(learner=learner)
        .order_by("created_at")
        .values_list("verb", flat=True)
    )


def test_first_view_starts_the_course_and_is_experienced(course_tree, learner):
    lesson = course_tree.lessons[0]
    outcome = learner_event_record(learner=learner, event=lesson_event(lesson, EventKind.VIEWED))
    assert not outcome.duplicate
    assert verbs(learner) == ["registered", "experienced"]
    registration = CourseRegistration.objects.get(learner=learner)
    assert str(registration.course_key) == str(course_tree.course.translation_key)
    progress = LessonProgress.objects.get(learner=learner)
    assert progress.first_viewed_at is not None
    assert progress.completed_at is None


def test_replaying_an_event_records_it_once(course_tree, learner):
    lesson = course_tree.lessons[0]
    viewed = lesson_event(lesson, EventKind.VIEWED)
    first = learner_event_record(learner=learner, event=viewed)
    for _ in range(2):
        again = learner_event_record(learner=learner, event=viewed)
        assert again.duplicate
        assert again.statement_ids == []
    assert LearnerEvent.objects.count() == 1
    assert Statement.objects.count() == len(first.statement_ids) == 2


def test_the_same_event_id_from_two_learners_is_two_events(course_tree, make_learner):
    lesson = course_tree.lessons[0]
    shared_id = uuid.uuid4()
    one, two = make_learner("one"), make_learner("two")
    a = learner_event_record(
        learner=one, event=lesson_event(lesson, EventKind.VIEWED, event_id=shared_id)
    )
    b = learner_event_record(
        learner=two, event=lesson_event(lesson, EventKind.VIEWED, event_id=shared_id)
    )
    assert not b.duplicate
    assert set(a.statement_ids).isdisjoint(b.statement_ids)


def test_statement_ids_are_fixed_by_the_event(course_tree, learner):
    lesson = course_tree.lessons[0]
    viewed = lesson_event(lesson, EventKind.VIEWED)
    ids = learner_event_record(learner=learner, event=viewed).statement_ids
    payloads = {s.id.hex: s.payload for s in Statement.objects.all()}
    assert {uuid.UUID(i).hex for i in ids} == set(payloads)
    assert all(payload["id"] in ids for payload in payloads.values())


def test_every_answer_is_kept(course_tree, learner):
    lesson = course_tree.lessons[0]
    question = lesson.specific.lms_questions()[0]
    wrong = learner_event_record(learner=learner, event=answer(lesson, question, right=False))
    right = learner_event_record(learner=learner, event=answer(lesson, question, right=True))
    assert wrong.grade.correct is False
    assert right.grade.correct is True
    assert list(
        QuestionAttempt.objects.order_by("answered_at").values_list("correct", flat=True)
    ) == [False, True]
    assert verbs(learner).count("answered") == 2


def test_reaching_the_end_without_answering_does_not_complete(course_tree, learner):
    lesson = course_tree.lessons[0]
    questions = lesson.specific.lms_questions()
    outcome = learner_event_record(learner=learner, event=lesson_event(lesson, EventKind.COMPLETED))
    assert not outcome.lesson_completed
    assert outcome.unanswered_question_ids == tuple(q.id for q in questions)
    assert "completed" not in verbs(learner)
    # Answering the questions afterwards completes the lesson, whose end was reached.
    for question in questions[:-1]:
        learner_event_record(learner=learner, event=answer(lesson, question))
    last = learner_event_record(learner=learner, event=answer(lesson, questions[-1]))
    assert last.lesson_completed
    assert LessonProgress.objects.get(learner=learner).completed_at is not None
    assert verbs(learner)[-2:] == ["completed", "passed"]


def test_answering_without_reaching_the_end_does_not_complete(course_tree, learner):
    lesson = course_tree.lessons[1]
    question = lesson.specific.lms_questions()[0]
    outcome = learner_event_record(learner=learner, event=answer(lesson, question))
    assert not outcome.lesson_completed


def test_wrong_answers_complete_the_lesson_as_failed(course_tree, learner):
    lesson = course_tree.lessons[1]
    outcome = lesson_finish(learner, lesson, right=False)
    assert outcome.lesson_completed
    failed = Statement.objects.get(learner=learner, verb="failed").payload
    assert failed["result"]["score"] == {"scaled": 0.0, "raw": 0, "min": 0, "max": 1}
    assert failed["result"]["success"] is False


def test_completing_every_lesson_completes_module_then_course(course_tree, learner):
    first_module = course_tree.lessons[:3]
    for lesson in first_module[:-1]:
        lesson_finish(learner, lesson)
    assert not ActivityCompletion.objects.exists()
    lesson_finish(learner, first_module[-1])
    module_done = ActivityCompletion.objects.get()
    assert str(module_done.activity_key) == str(course_tree.modules[0].translation_key)
    assert verbs(learner)[-1] == "completed"
    for lesson in course_tree.lessons[3:]:
        lesson_finish(learner, lesson)
    assert ActivityCompletion.objects.count() == 3  # two modules and the course
    course_statement = Statement.objects.filter(learner=learner, verb="completed").latest(
        "created_at"
    )
    assert course_statement.payload["object"]["id"].endswith(
        str(course_tree.course.translation_key)
    )
    # Finishing a lesson again completes nothing twice.
    before = Statement.objects.filter(verb="completed").count()
    lesson_finish(learner, course_tree.lessons[0])
    assert Statement.objects.filter(verb="completed").count() == before


def test_progress_is_the_same_whatever_the_language(course_tree, learner):
    english = course_tree.lessons[1]
    spanish = course_tree.translation(english, "es")
    assert spanish.translation_key == english.translation_key
    learner_event_record(
        learner=learner, event=lesson_event(spanish, EventKind.VIEWED, language="es")
    )
    question = spanish.lms_questions()[0]
    learner_event_record(learner=learner, event=answer(spanish, question, language="es"))
    outcome = learner_event_record(
        learner=learner, event=lesson_event(english, EventKind.COMPLETED, language="en")
    )
    assert outcome.lesson_completed
    assert LessonProgress.objects.filter(learner=learner).count() == 1
    answered = Statement.objects.get(verb="answered").payload
    assert answered["context"]["language"] == "es"
    names = Statement.objects.get(verb="experienced").payload["object"]["definition"]["name"]
    assert names == {"en": "Lesson 1.2", "es": "[es] Lesson 1.2"}  # aliases are not translations


def test_progress_and_statements_are_one_transaction(course_tree, learner, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the outbox is full")

    monkeypatch.setattr(progress_service, "statements_enqueue_for_events", broken)
    with pytest.raises(RuntimeError):
        learner_event_record(
            learner=learner, event=lesson_event(course_tree.lessons[0], EventKind.VIEWED)
        )
    assert not LearnerEvent.objects.exists()
    assert not LessonProgress.objects.exists()
    assert not CourseRegistration.objects.exists()


def test_events_may_arrive_late_but_not_too_late(course_tree, learner):
    lesson = course_tree.lessons[0]
    now = timezone.now()
    late = learner_event_record(
        learner=learner,
        event=lesson_event(lesson, EventKind.VIEWED, occurred_at=now - timedelta(days=29)),
    )
    assert not late.duplicate
    with pytest.raises(EventRejected, match="older than 30 days") as error:
        learner_event_record(
            learner=learner,
            event=lesson_event(lesson, EventKind.VIEWED, occurred_at=now - timedelta(days=31)),
        )
    assert error.value.field == "occurred_at"


def test_future_times_are_clamped_to_now(course_tree, learner):
    lesson = course_tree.lessons[0]
    future = timezone.now() + timedelta(days=2)
    learner_event_record(
        learner=learner, event=lesson_event(lesson, EventKind.VIEWED, occurred_at=future)
    )
    assert LearnerEvent.objects.get().occurred_at <= timezone.now()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lesson_key": uuid.uuid4()}, "lesson"),
        ({"question_id": "nope", "choice_ids": ("x",)}, "question"),
    ],
)
def test_bad_events_are_rejected_with_the_field_named(course_tree, learner, change, field):
    lesson = course_tree.lessons[0]
    base = lesson_event(lesson, EventKind.ANSWERED)
    bad = EventInput(**{**base.__dict__, **change})
    with pytest.raises(EventRejected) as error:
        learner_event_record(learner=learner, event=bad)
    assert error.value.field == field
    assert not LearnerEvent.objects.exists()


def test_an_unknown_choice_is_rejected(course_tree, learner):
    lesson = course_tree.lessons[0]
    question = lesson.specific.lms_questions()[0]
    with pytest.raises(EventRejected) as error:
        learner_event_record(
            learner=learner,
            event=lesson_event(
                lesson, EventKind.ANSWERED, question_id=question.id, choice_ids=("bogus",)
            ),
        )
    assert error.value.field == "choices"


def test_progressed_only_reports_moving_forward(course_tree, learner):
    lesson = course_tree.lessons[0]
    for percent in (30, 20, 60):
        learner_event_record(
            learner=learner, event=lesson_event(lesson, EventKind.PROGRESSED, progress=percent)
        )
    progressed = Statement.objects.filter(verb="progressed").order_by("created_at")
    extension = "https://w3id.org/xapi/cmi5/result/extensions/progress"
    assert [s.payload["result"]["extensions"][extension] for s in progressed] == [30, 60]
    assert LessonProgress.objects.get().progress == 60


def test_statements_never_carry_personal_data(course_tree, learner):
    learner.user.email = "maria@example.org"
    learner.user.save()
    learner.phone = "555-0199"
    learner.display_name = "Maria Gomez"
    learner.save()
    lesson_finish(learner, course_tree.lessons[0])
    text = " ".join(str(payload) for payload in Statement.objects.values_list("payload", flat=True))
    assert "maria" not in text.lower()
    assert "555-0199" not in text
    assert learner.user.username not in text
    assert str(learner.actor_id) in text
