"""The demo curriculum: read from one TOML file per language and checked before loading.

The English file is the source. Every other file must have the same shape: the same course,
module and lesson keys in the same order, and the same blocks in the same order, because a
translation of a lesson shares the block ids of its source (that is what makes a question the
same question in every language).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

CURRICULUM_DIR = Path(__file__).resolve().parent / "curriculum"
SOURCE_LANGUAGE = "en"

BLOCK_TYPES = {"text", "steps", "callout", "glossary", "image", "question"}
# Keys whose values are not language: they must be identical in every translation.
SHARED_BLOCK_KEYS = {"type", "kind", "image", "correct"}


class CurriculumError(ValueError):
    """The curriculum files are malformed or their translations do not line up."""


@dataclass(frozen=True)
class LessonSpec:
    key: str
    slug: str
    title: str
    summary: str
    minutes: int
    body: list[dict[str, Any]]


@dataclass(frozen=True)
class ModuleSpec:
    key: str
    slug: str
    title: str
    summary: str
    lessons: list[LessonSpec]


@dataclass(frozen=True)
class CourseSpec:
    language: str
    catalog_title: str
    catalog_intro: str
    key: str
    slug: str
    title: str
    summary: str
    audience: str
    cover_image: str
    cover_alt: str
    outcomes: list[str]
    modules: list[ModuleSpec] = field(default_factory=list)

    @property
    def lessons(self) -> list[LessonSpec]:
        return [lesson for module in self.modules for lesson in module.lessons]


def available_languages() -> list[str]:
    """Languages that have a curriculum file, the source language first."""
    others = sorted(p.stem for p in CURRICULUM_DIR.glob("*.toml") if p.stem != SOURCE_LANGUAGE)
    return [SOURCE_LANGUAGE, *others]


def load_course(language: str, directory: Path = CURRICULUM_DIR) -> CourseSpec:
    path = directory / f"{language}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CurriculumError(f"{path}: {error}") from error
    try:
        return _course(language, data)
    except KeyError as error:
        raise CurriculumError(f"{path}: missing field {error}") from error


def _course(language: str, data: dict[str, Any]) -> CourseSpec:
    catalog = data.get("catalog", {})
    course = CourseSpec(
        language=language,
        catalog_title=catalog.get("title", "Courses"),
        catalog_intro=catalog.get("intro", ""),
        key=data["key"],
        slug=data["slug"],
        title=data["title"],
        summary=data["summary"],
        audience=data["audience"],
        cover_image=data.get("cover_image", ""),
        cover_alt=data.get("cover_alt", ""),
        outcomes=list(data.get("outcomes", [])),
        modules=[
            ModuleSpec(
                key=module["key"],
                slug=module["slug"],
                title=module["title"],
                summary=module["summary"],
                lessons=[
                    LessonSpec(
                        key=lesson["key"],
                        slug=lesson["slug"],
                        title=lesson["title"],
                        summary=lesson["summary"],
                        minutes=int(lesson["minutes"]),
                        body=list(lesson["body"]),
                    )
                    for lesson in module["lessons"]
                ],
            )
            for module in data["modules"]
        ],
    )
    for lesson in course.lessons:
        for index, block in enumerate(lesson.body):
            _check_block(f"{language}:{lesson.key}[{index}]", block)
    return course


def _check_block(where: str, block: dict[str, Any]) -> None:
    kind = block.get("type")
    if kind not in BLOCK_TYPES:
        raise CurriculumError(f"{where}: unknown block type {kind!r}")
    if kind == "image" and not block.get("alt", "").strip():
        raise CurriculumError(f"{where}: an image needs alt text")
    if kind == "steps":
        for step in block["steps"]:
            if step.get("image") and not step.get("image_alt", "").strip():
                raise CurriculumError(f"{where}: a step screenshot needs alt text")
    if kind == "question":
        correct = [choice for choice in block["choices"] if choice.get("correct")]
        if block["kind"] != "multiple" and len(correct) != 1:
            raise CurriculumError(f"{where}: mark exactly one choice correct")
        if block["kind"] == "multiple" and not correct:
            raise CurriculumError(f"{where}: mark at least one choice correct")
        if block["kind"] == "true_false" and len(block["choices"]) != 2:
            raise CurriculumError(f"{where}: a true/false question has two choices")


def check_translation(source: CourseSpec, translation: CourseSpec) -> None:
    """Raise CurriculumError unless the translation has exactly the source's shape."""
    where = translation.language
    if (source.key, source.audience) != (translation.key, translation.audience):
        raise CurriculumError(f"{where}: course key or audience differs from the source")
    if source.cover_image != translation.cover_image:
        raise CurriculumError(f"{where}: cover image differs from the source")
    if len(source.outcomes) != len(translation.outcomes):
        raise CurriculumError(
            f"{where}: {len(translation.outcomes)} outcomes, source has {len(source.outcomes)}"
        )
    if [m.key for m in source.modules] != [m.key for m in translation.modules]:
        raise CurriculumError(f"{where}: modules differ from the source (keys or order)")
    for src_lesson, tr_lesson in zip(source.lessons, translation.lessons, strict=True):
        here = f"{where}:{tr_lesson.key}"
        if (src_lesson.key, src_lesson.minutes) != (tr_lesson.key, tr_lesson.minutes):
            raise CurriculumError(f"{here}: lesson key or minutes differ from the source")
        if len(src_lesson.body) != len(tr_lesson.body):
            raise CurriculumError(
                f"{here}: {len(tr_lesson.body)} blocks, source has {len(src_lesson.body)}"
            )
        for index, (src_block, tr_block) in enumerate(
            zip(src_lesson.body, tr_lesson.body, strict=True)
        ):
            _check_same_shape(f"{here}[{index}]", src_block, tr_block)


def _check_same_shape(where: str, source: Any, translation: Any) -> None:
    if isinstance(source, dict):
        if not isinstance(translation, dict) or source.keys() != translation.keys():
            raise CurriculumError(f"{where}: fields differ from the source")
        for key, value in source.items():
            if key in SHARED_BLOCK_KEYS and value != translation[key]:
                raise CurriculumError(f"{where}.{key}: must equal the source ({value!r})")
            _check_same_shape(f"{where}.{key}", value, translation[key])
    elif isinstance(source, list):
        if not isinstance(translation, list) or len(source) != len(translation):
            raise CurriculumError(f"{where}: list length differs from the source")
        for index, (src, tr) in enumerate(zip(source, translation, strict=True)):
            _check_same_shape(f"{where}[{index}]", src, tr)


_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"</(?:p|li|h\d)>")


def lesson_text(lesson: LessonSpec) -> str:
    """Everything a learner reads in a lesson, as plain sentences (for readability checks).

    Titles, list items and choices read as sentences of their own, so each piece is ended with
    a full stop when it has no closing punctuation.
    """
    pieces = [lesson.title, lesson.summary]
    for block in lesson.body:
        pieces.extend(_block_text(block))
    sentences = []
    for piece in pieces:
        text = re.sub(r"\s+", " ", unescape(_TAG.sub(" ", piece or ""))).strip()
        if text:
            sentences.append(text if text[-1] in ".!?:;" else text + ".")
    return " ".join(sentences)


def _block_text(block: dict[str, Any]) -> list[str]:
    match block["type"]:
        case "text":
            return _BREAK.split(block["text"])
        case "steps":
            return [block.get("title", "")] + [step["text"] for step in block["steps"]]
        case "callout":
            return [block.get("title", ""), block["text"]]
        case "glossary":
            return [block["term"], block["definition"]]
        case "image":
            return [block.get("caption", "")]
        case "question":
            choices = [part for c in block["choices"] for part in (c["text"], c["feedback"])]
            return [block["prompt"], *choices, block.get("explanation", "")]
    return []
