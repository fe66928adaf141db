"""Build xAPI 1.0.3 statements from what learners did. Pure: no database, no HTTP, no settings.

Everything a statement needs arrives in plain values, so the same inputs always give the same
statement (golden-file tests hold them to it) and a statement can be rebuilt anywhere. The actor
is an ``account`` with an opaque name: never a name, an email or an mbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lms.activities import ActivityRef, ActivityType, Question, QuestionKind, QuestionTexts

ADL_VERB = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    name: {"id": ADL_VERB + name, "display": {"en-US": name}}
    for name in (
        "registered",
        "experienced",
        "progressed",
        "answered",
        "completed",
        "passed",
        "failed",
        "asked",
    )
}
ACTIVITY_TYPES = {
    ActivityType.COURSE: "http://adlnet.gov/expapi/activities/course",
    ActivityType.MODULE: "http://adlnet.gov/expapi/activities/module",
    ActivityType.LESSON: "http://adlnet.gov/expapi/activities/lesson",
    ActivityType.QUESTION: "http://adlnet.gov/expapi/activities/cmi.interaction",
}
# cmi5's progress extension: how far through the lesson, 0-100.
PROGRESS_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/progress"


def language_tag(code: str) -> str:
    """A Django language code as an RFC 5646 tag: 'zh-hans' -> 'zh-Hans', 'pt-br' -> 'pt-BR'."""
    language, *rest = code.split("-")
    subtags = [language.lower()]
    for subtag in rest:
        if len(subtag) == 4:
            subtags.append(subtag.title())
        elif len(subtag) == 2:
            subtags.append(subtag.upper())
        else:
            subtags.append(subtag.lower())
    return "-".join(subtags)


def language_map(texts: Mapping[str, str]) -> dict[str, str]:
    return {language_tag(code): text for code, text in sorted(texts.items()) if text}


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds: 2026-11-28T15:30:40.123Z."""
    if moment.tzinfo is None:
        raise ValueError("Timestamps must be timezone-aware.")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def iso_duration(span: timedelta) -> str:
    """An ISO 8601 duration with at most hundredths of a second, as xAPI asks: PT1H2M3.5S."""
    centiseconds = max(0, round(span.total_seconds() * 100))
    hours, rest = divmod(centiseconds, 360_000)
    minutes, rest = divmod(rest, 6_000)
    seconds = rest / 100
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if seconds or text == "PT":
        text += f"{seconds:g}S"
    return text


@dataclass(frozen=True)
class StatementContext:
    """What every statement from one event shares."""

    statement_id: str
    activity_base: str  # e.g. https://puente.example.org/xapi/activities
    actor_home_page: str
    actor_name: str
    occurred_at: datetime
    language: str
    platform: str
    registration: str | None = None
    # The learner's class (an identified Group) and teacher, both by opaque ids only.
    team_id: str | None = None
    instructor_id: str | None = None
    extensions: Mapping[str, Any] = field(default_factory=dict)


def activity_iri(base: str, activity_type: ActivityType, key: str) -> str:
    return f"{base.rstrip('/')}/{activity_type.value}/{key}"


def _add_texts(definition: dict[str, Any], field_name: str, texts: Mapping[str, str]) -> None:
    """xAPI forbids empty values: a language map with no text is left out, not sent empty."""
    mapped = language_map(texts)
    if mapped:
        definition[field_name] = mapped


def activity_object(base: str, activity: ActivityRef) -> dict[str, Any]:
    definition: dict[str, Any] = {"type": ACTIVITY_TYPES[activity.type]}
    _add_texts(definition, "name", activity.names)
    _add_texts(definition, "description", activity.descriptions)
    return {
        "objectType": "Activity",
        "id": activity_iri(base, activity.type, activity.key),
        "definition": definition,
    }


def interaction_object(base: str, question: Question, texts: QuestionTexts) -> dict[str, Any]:
    """A question as a cmi.interaction: choice or true-false, with the correct response."""
    definition: dict[str, Any] = {"type": ACTIVITY_TYPES[ActivityType.QUESTION]}
    _add_texts(definition, "name", texts.prompt)
    _add_texts(definition, "description", texts.prompt)
    if question.kind == QuestionKind.TRUE_FALSE:
        correct = next(iter(question.correct_ids))
        definition["interactionType"] = "true-false"
        definition["correctResponsesPattern"] = [
            "true" if question.choice_means_true(correct) else "false"
        ]
    else:
        definition["interactionType"] = "choice"
        definition["correctResponsesPattern"] = [
            "[,]".join(c.id for c in question.choices if c.correct)
        ]
        definition["choices"] = []
        for choice in question.choices:
            component: dict[str, Any] = {"id": choice.id}
            _add_texts(component, "description", texts.choices.get(choice.id, {}))
            definition["choices"].append(component)
    return {
        "objectType": "Activity",
        "id": activity_iri(base, ActivityType.QUESTION, question.id),
        "definition": definition,
    }


def _reference(base: str, activity: ActivityRef | None) -> list[dict[str, Any]]:
    """A context activity: its id and type (its names travel with statements about it)."""
    if activity is None:
        return []
    return [
        {
            "objectType": "Activity",
            "id": activity_iri(base, activity.type, activity.key),
            "definition": {"type": ACTIVITY_TYPES[activity.type]},
        }
    ]


def _statement(
    ctx: StatementContext,
    verb: str,
    obj: dict[str, Any],
    *,
    parents: Sequence[ActivityRef | None] = (),
    grouping: Sequence[ActivityRef | None] = (),
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "platform": ctx.platform,
        "language": language_tag(ctx.language),
    }
    if ctx.registration:
        context["registration"] = ctx.registration
    if ctx.team_id:
        context["team"] = {
            "objectType": "Group",
            "account": {"homePage": ctx.actor_home_page, "name": f"class/{ctx.team_id}"},
        }
    if ctx.instructor_id:
        context["instructor"] = {
            "objectType": "Agent",
            "account": {"homePage": ctx.actor_home_page, "name": f"staff/{ctx.instructor_id}"},
        }
    context_activities = {}
    parent_list = [a for p in parents for a in _reference(ctx.activity_base, p)]
    grouping_list = [a for g in grouping for a in _reference(ctx.activity_base, g)]
    if parent_list:
        context_activities["parent"] = parent_list
    if grouping_list:
        context_activities["grouping"] = grouping_list
    if context_activities:
        context["contextActivities"] = context_activities
    if ctx.extensions:
        context["extensions"] = dict(ctx.extensions)
    statement: dict[str, Any] = {
        "id": ctx.statement_id,
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": ctx.actor_home_page, "name": ctx.actor_name},
        },
        "verb": VERBS[verb],
        "object": obj,
        "context": context,
        "timestamp": timestamp(ctx.occurred_at),
    }
    if result is not None:
        statement["result"] = result
    return statement


def asked_for_help(
    ctx: StatementContext,
    lesson: ActivityRef,
    module: ActivityRef | None,
    course: ActivityRef | None,
) -> dict[str, Any]:
    """The learner asked a person for help with a lesson. Only that: what they wrote and how
    to reach them stay in Puente."""
    return _statement(
        ctx,
        "asked",
        activity_object(ctx.activity_base, lesson),
        parents=[module],
        grouping=[course],
    )


def registered(ctx: StatementContext, course: ActivityRef) -> dict[str, Any]:
    """The learner started a course; context.registration is the new registration."""
    return _statement(ctx, "registered", activity_object(ctx.activity_base, course))


def experienced(
    ctx: StatementContext,
    lesson: ActivityRef,
    module: ActivityRef | None,
    course: ActivityRef | None,
) -> dict[str, Any]:
    return _statement(
        ctx,
        "experienced",
        activity_object(ctx.activity_base, lesson),
        parents=[module],
        grouping=[course],
    )


def progressed(
    ctx: StatementContext,
    lesson: ActivityRef,
    module: ActivityRef | None,
    course: ActivityRef | None,
    *,
    progress: int,
) -> dict[str, Any]:
    return _statement(
        ctx,
        "progressed",
        activity_object(ctx.activity_base, lesson),
        parents=[module],
        grouping=[course],
        result={"extensions": {PROGRESS_EXTENSION: progress}},
    )


def answered(
    ctx: StatementContext,
    question: Question,
    texts: QuestionTexts,
    *,
    selected_ids: Sequence[str],
    correct: bool,
    lesson: ActivityRef,
    module: ActivityRef | None,
    course: ActivityRef | None,
) -> dict[str, Any]:
    if question.kind == QuestionKind.TRUE_FALSE:
        response = "true" if question.choice_means_true(selected_ids[0]) else "false"
    else:
        order = [choice.id for choice in question.choices]
        response = "[,]".join(sorted(selected_ids, key=order.index))
    return _statement(
        ctx,
        "answered",
        interaction_object(ctx.activity_base, question, texts),
        parents=[lesson],
        grouping=[module, course],
        result={
            "response": response,
            "success": correct,
            "score": {"scaled": 1.0 if correct else 0.0, "raw": int(correct), "min": 0, "max": 1},
        },
    )


def completed(
    ctx: StatementContext,
    activity: ActivityRef,
    *,
    parent: ActivityRef | None,
    grouping: ActivityRef | None,
    duration: timedelta | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {"completion": True}
    if duration is not None:
        result["duration"] = iso_duration(duration)
    return _statement(
        ctx,
        "completed",
        activity_object(ctx.activity_base, activity),
        parents=[parent],
        grouping=[grouping],
        result=result,
    )


def scored(
    ctx: StatementContext,
    lesson: ActivityRef,
    module: ActivityRef | None,
    course: ActivityRef | None,
    *,
    correct: int,
    total: int,
    mastery: float,
) -> dict[str, Any]:
    """``passed`` or ``failed`` a lesson's questions, with the share answered right."""
    scaled = round(correct / total, 4) if total else 1.0
    success = scaled >= mastery
    return _statement(
        ctx,
        "passed" if success else "failed",
        activity_object(ctx.activity_base, lesson),
        parents=[module],
        grouping=[course],
        result={
            "success": success,
            "completion": True,
            "score": {"scaled": scaled, "raw": correct, "min": 0, "max": total},
        },
    )
