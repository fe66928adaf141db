"""The activity interface: how the LMS plugin sees course content without importing it.

A course server marks its page models with ``lms_activity_type`` (course, module or lesson),
gives each a ``lms_description()``, and gives lessons ``lms_questions()``, returning the plain
values below. A lesson is identified by its Wagtail ``translation_key`` and a question by its
StreamField block id; both are shared by every translation, so progress and answers do not
depend on the language.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class ActivityType(StrEnum):
    COURSE = "course"
    MODULE = "module"
    LESSON = "lesson"
    QUESTION = "question"


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
