"""Property-based: every statement the builder can make, from any texts, languages, times,
questions and answers, is valid xAPI 1.0.3 (Ralph's models) and names no person."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.activities import ActivityRef, ActivityType, Choice, Question, QuestionKind, QuestionTexts
from lms.xapi import statements
from lms.xapi.statements import StatementContext
from tests.xapi_validation import assert_valid_statement

LANGUAGES = ["en", "es", "vi", "zh-hans", "ar", "pt-br", "fil", "so"]
uuids = st.uuids(version=4).map(str)
texts = st.text(min_size=0, max_size=80)  # any Unicode: right-to-left, emoji, controls
language_texts = st.dictionaries(st.sampled_from(LANGUAGES), texts, min_size=1, max_size=5)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-10)), timezone(timedelta(hours=14))]),
)


def activities(kind: ActivityType):
    return st.builds(
        ActivityRef,
        key=uuids,
        type=st.just(kind),
        names=language_texts,
        descriptions=st.dictionaries(st.sampled_from(LANGUAGES), texts, max_size=3),
    )


contexts = st.builds(
    StatementContext,
    statement_id=uuids,
    activity_base=st.sampled_from(
        ["https://puente.example.org/xapi/activities", "http://127.0.0.1:8000/xapi/activities"]
    ),
    actor_home_page=st.sampled_from(["https://puente.example.org", "http://127.0.0.1:8000"]),
    actor_name=uuids,
    occurred_at=moments,
    language=st.sampled_from(LANGUAGES),
    platform=st.text(min_size=1, max_size=30),
    registration=st.none() | uuids,
    team_id=st.none() | uuids,
    instructor_id=st.none() | uuids,
    extensions=st.just({})
    | st.builds(
        lambda context_id: {
            "https://puente.example.org/xapi/extensions/lti-context": {"context_id": context_id}
        },
        texts,
    ),
)


@st.composite
def questions_with_answers(draw):
    kind = draw(st.sampled_from(list(QuestionKind)))
    count = 2 if kind == QuestionKind.TRUE_FALSE else draw(st.integers(2, 6))
    ids = draw(
        st.lists(
            st.text("0123456789abcdef", min_size=6, max_size=12),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    # What the question block's validation guarantees: at least one right answer; for
    # true/false, exactly one.
    if kind == QuestionKind.MULTIPLE:
        correct = draw(st.lists(st.booleans(), min_size=count, max_size=count).filter(any))
    else:
        right = draw(st.integers(0, count - 1))
        correct = [index == right for index in range(count)]
    choices = tuple(
        Choice(id=i, text=draw(texts), correct=c) for i, c in zip(ids, correct, strict=True)
    )
    question = Question(id=draw(uuids), kind=kind, prompt=draw(texts), choices=choices)
    if kind == QuestionKind.MULTIPLE:
        selected = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    else:
        selected = [draw(st.sampled_from(ids))]
    question_texts = QuestionTexts(
        prompt=draw(language_texts),
        choices={i: draw(language_texts) for i in ids},
    )
    return question, question_texts, selected


def check(statement: dict) -> None:
    assert_valid_statement(statement)
    json.dumps(statement)  # what the outbox stores and the transport sends


common = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@common
@given(contexts, activities(ActivityType.COURSE))
def test_registered(ctx, course):
    check(statements.registered(ctx, course))


@common
@given(
    contexts,
    activities(ActivityType.LESSON),
    st.none() | activities(ActivityType.MODULE),
    st.none() | activities(ActivityType.COURSE),
    st.integers(0, 100),
)
def test_experienced_and_progressed(ctx, lesson, module, course, progress):
    check(statements.experienced(ctx, lesson, module, course))
    check(statements.progressed(ctx, lesson, module, course, progress=progress))


@common
@given(
    contexts,
    questions_with_answers(),
    st.booleans(),
    activities(ActivityType.LESSON),
    st.none() | activities(ActivityType.MODULE),
    st.none() | activities(ActivityType.COURSE),
)
def test_answered(ctx, question_and_answer, correct, lesson, module, course):
    question, question_texts, selected = question_and_answer
    statement = statements.answered(
        ctx,
        question,
        question_texts,
        selected_ids=selected,
        correct=correct,
        lesson=lesson,
        module=module,
        course=course,
    )
    check(statement)
    assert statement["result"]["success"] is correct


@common
@given(
    contexts,
    st.sampled_from([ActivityType.LESSON, ActivityType.MODULE, ActivityType.COURSE]).flatmap(
        activities
    ),
    st.none() | activities(ActivityType.MODULE),
    st.none() | activities(ActivityType.COURSE),
    st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)),
)
def test_completed(ctx, activity, parent, grouping, duration):
    check(statements.completed(ctx, activity, parent=parent, grouping=grouping, duration=duration))


@common
@given(
    contexts,
    activities(ActivityType.LESSON),
    st.integers(0, 50).flatmap(lambda total: st.tuples(st.integers(0, total), st.just(total))),
    st.floats(0, 1),
)
def test_scored(ctx, lesson, correct_and_total, mastery):
    correct, total = correct_and_total
    statement = statements.scored(
        ctx, lesson, None, None, correct=correct, total=total, mastery=mastery
    )
    check(statement)
    assert 0 <= statement["result"]["score"]["scaled"] <= 1


def test_the_same_inputs_make_the_identical_statement():
    """A retry re-sends what is stored, but the builder itself is deterministic too."""
    ctx = StatementContext(
        statement_id=str(uuid.uuid4()),
        activity_base="https://puente.example.org/xapi/activities",
        actor_home_page="https://puente.example.org",
        actor_name=str(uuid.uuid4()),
        occurred_at=datetime(2026, 11, 28, 15, 30, 40, 123456, tzinfo=UTC),
        language="ar",
        platform="Puente",
    )
    course = ActivityRef(key=str(uuid.uuid4()), type=ActivityType.COURSE, names={"ar": "دورة"})
    assert statements.registered(ctx, course) == statements.registered(ctx, course)
