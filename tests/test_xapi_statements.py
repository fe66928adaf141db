"""The statement builder, held to golden files (input -> expected statement) for every verb.

Run with PUENTE_UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change, then
read the diff.
"""

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lms.activities import ActivityType, Choice, Question, QuestionKind
from lms.xapi import statements as xapi
from tests.xapi_validation import assert_valid_statement

GOLDEN = Path(__file__).parent / "golden" / "xapi"
CASES = sorted(path.name.removesuffix(".input.json") for path in GOLDEN.glob("*.input.json"))


def activity(data):
    if data is None:
        return None
    return xapi.ActivityRef(
        key=data["key"],
        type=ActivityType(data["type"]),
        names=data["names"],
        descriptions=data.get("descriptions", {}),
    )


def question(data):
    return Question(
        id=data["id"],
        kind=QuestionKind(data["kind"]),
        prompt=data["prompt"],
        choices=tuple(
            Choice(id=c["id"], text=c["text"], correct=c["correct"]) for c in data["choices"]
        ),
    )


def build(case: dict) -> dict:
    ctx_data = dict(case["context"])
    ctx_data["occurred_at"] = datetime.fromisoformat(ctx_data["occurred_at"])
    ctx = xapi.StatementContext(**ctx_data)
    args = dict(case["args"])
    builder = case["builder"]
    for name in ("lesson", "module", "course", "activity", "parent", "grouping"):
        if name in args:
            args[name] = activity(args[name])
    if "question" in args:
        args["question"] = question(args["question"])
        args["texts"] = xapi.QuestionTexts(**args["texts"])
    if "duration_seconds" in args:
        args["duration"] = timedelta(seconds=args.pop("duration_seconds"))
    return getattr(xapi, builder)(ctx, **args)


@pytest.mark.parametrize("name", CASES)
def test_statement_matches_its_golden_file(name):
    case = json.loads((GOLDEN / f"{name}.input.json").read_text())
    statement = build(case)
    expected_path = GOLDEN / f"{name}.expected.json"
    if os.environ.get("PUENTE_UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(statement, indent=2, ensure_ascii=False) + "\n")
    assert statement == json.loads(expected_path.read_text())
    assert_valid_statement(statement)


def test_every_verb_has_a_golden_file():
    verbs = set()
    for name in CASES:
        verbs.add(json.loads((GOLDEN / f"{name}.expected.json").read_text())["verb"]["id"])
    assert verbs == {verb["id"] for verb in xapi.VERBS.values()}


@pytest.mark.parametrize(
    ("code", "tag"), [("en", "en"), ("zh-hans", "zh-Hans"), ("pt-br", "pt-BR"), ("ar", "ar")]
)
def test_language_tags_follow_rfc_5646(code, tag):
    assert xapi.language_tag(code) == tag


def test_timestamps_are_utc_with_milliseconds():
    moment = datetime(2026, 3, 1, 9, 5, 7, 890123, tzinfo=UTC)
    assert xapi.timestamp(moment) == "2026-03-01T09:05:07.890Z"
    with pytest.raises(ValueError, match="timezone"):
        xapi.timestamp(datetime(2026, 3, 1))


@pytest.mark.parametrize(
    ("seconds", "duration"),
    [(0, "PT0S"), (5.5, "PT5.5S"), (65, "PT1M5S"), (3600, "PT1H"), (3723.456, "PT1H2M3.46S")],
)
def test_durations_are_iso_8601(seconds, duration):
    assert xapi.iso_duration(timedelta(seconds=seconds)) == duration
