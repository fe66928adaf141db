"""The activity interface: how the LMS plugin sees course content without importing it.

A course server marks its page models with ``lms_activity_type`` (course, module or lesson)
and gives them the methods of ``Activity`` (and lessons those of ``LessonActivity``), returning
the plain values below. A system check (lms/checks.py) names any page model that says it is an
activity and lacks one. A lesson is identified by its Wagtail ``translation_key`` and a
question by its StreamField block id; both are shared by every translation, so progress and
answers do not depend on the language.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar, Protocol


class ActivityType(StrEnum):
    COURSE = "course"
    MODULE = "module"
    LESSON = "lesson"
    QUESTION = "question"


class Activity(Protocol):
    """A Wagtail page model the plugin tracks (a course, a module or a lesson)."""

    lms_activity_type: ClassVar[ActivityType]

    def lms_description(self) -> str:
        """A sentence or two about it, in the page's language (xAPI activity descriptions)."""
        ...

    def lms_minutes(self) -> int | None:
        """How many minutes it takes; None where that is the sum of its lessons."""
        ...


class LessonActivity(Activity, Protocol):
    """A lesson: an activity with questions (none is fine)."""

    def lms_questions(self) -> list[Question]:
        """Its questions, in the order the page shows them."""
        ...


# What each kind of activity must give, for the system check.
REQUIRED_METHODS = {
    ActivityType.COURSE: ("lms_description", "lms_minutes"),
    ActivityType.MODULE: ("lms_description", "lms_minutes"),
    ActivityType.LESSON: ("lms_description", "lms_minutes", "lms_questions"),
}


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    correct: bool
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    prompt: str
    choices: tuple[Choice, ...]
    explanation: str = ""

    @property
    def choice_ids(self) -> frozenset[str]:
        return frozenset(choice.id for choice in self.choices)

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(choice.id for choice in self.choices if choice.correct)

    @property
    def allows_several(self) -> bool:
        return self.kind == QuestionKind.MULTIPLE

    def choice_means_true(self, choice_id: str) -> bool:
        """For a true/false question: the first choice stands for "true", the second "false"."""
        return bool(self.choices) and self.choices[0].id == choice_id


class InvalidAnswer(ValueError):
    """An answer that cannot be graded: nothing chosen, an unknown choice, or too many."""


@dataclass(frozen=True)
class Grade:
    question: Question
    selected: tuple[Choice, ...]
    correct: bool

    @property
    def partly_right(self) -> bool:
        """Every chosen answer is right, but some right ones are missing."""
        return not self.correct and all(choice.correct for choice in self.selected)


def grade_answer(question: Question, selected_ids: Collection[str]) -> Grade:
    """Grade a learner's choices: right only when exactly the correct choices were picked."""
    chosen = set(selected_ids)
    if not chosen:
        raise InvalidAnswer("No answer was chosen.")
    unknown = chosen - question.choice_ids
    if unknown:
        raise InvalidAnswer(f"Unknown choice for this question: {', '.join(sorted(unknown))}.")
    if len(chosen) > 1 and not question.allows_several:
        raise InvalidAnswer("This question takes exactly one answer.")
    selected = tuple(choice for choice in question.choices if choice.id in chosen)
    return Grade(question=question, selected=selected, correct=chosen == question.correct_ids)


@dataclass(frozen=True)
class ActivityRef:
    """A course, module or lesson: its translation key and its texts in every language."""

    key: str
    type: ActivityType
    names: Mapping[str, str]
    descriptions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionTexts:
    """A question's prompt and choices in every language: {language: text}."""

    prompt: Mapping[str, str]
    choices: Mapping[str, Mapping[str, str]]
