"""How the plugin reads course structure and texts from Wagtail pages, without knowing the
course server's models: page models say what they are with ``lms_activity_type``.

Lesson context (its module and course, questions, texts in every language) is cached and the
cache is dropped whenever a page is published, unpublished, moved or deleted.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection
from contextvars import ContextVar
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from wagtail.models import Locale, Page

from lms.activities import ActivityRef, ActivityType, Question, QuestionTexts
from lms.xapi.statements import activity_object, interaction_object

CACHE_VERSION_KEY = "puente:lms:content-version"
CACHE_SECONDS = 60 * 60

# The content version as this request first read it. A lesson page needs it for its route,
# its chrome, its shell and its validator: one cache read (a Redis round trip in production)
# instead of four. Outside a request (workers, scripts, tests' set-up) it is read each time.
# A dict filled in place, so that a read in a copy of the request's context (asgiref runs
# sync code in one) is the request's too.
_request_content_version: ContextVar[dict[str, int] | None] = ContextVar(
    "puente_request_content_version", default=None
)


@dataclass(frozen=True)
class LessonContext:
    lesson: ActivityRef
    module: ActivityRef | None
    course: ActivityRef | None
    questions: tuple[Question, ...]
    question_texts: dict[str, QuestionTexts]
    # Structure in the default language's tree, which translations mirror.
    module_lesson_keys: tuple[str, ...]
    course_module_keys: tuple[str, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@functools.cache
def activity_content_type_ids(activity_type: ActivityType) -> tuple[int, ...]:
    models = [
        model
        for model in apps.get_models()
        if issubclass(model, Page) and getattr(model, "lms_activity_type", None) == activity_type
    ]
    return tuple(ct.id for ct in ContentType.objects.get_for_models(*models).values())


def content_version() -> int:
    memo = _request_content_version.get()
    if memo is None:
        return cache.get_or_set(CACHE_VERSION_KEY, 1, None)
    if "version" not in memo:
        memo["version"] = cache.get_or_set(CACHE_VERSION_KEY, 1, None)
    return memo["version"]


def content_version_request_started(**kwargs) -> None:
    """Each request reads the content version afresh, once (connected to request_started)."""
    _request_content_version.set({})


def content_version_request_finished(**kwargs) -> None:
    _request_content_version.set(None)


def content_changed() -> None:
    """Forget what is cached under the content version (called when pages change): at once,
    and again when the change commits, since a reader between the two could have cached the
    old rows under the new version."""
    _bump_content_version()
    transaction.on_commit(_bump_content_version)


def _bump_content_version() -> None:
    memo = _request_content_version.get()
    if memo is not None:  # this request changed the content: what it reads next is new
        memo.clear()
    try:
        cache.incr(CACHE_VERSION_KEY)
    except ValueError:
        cache.set(CACHE_VERSION_KEY, 1, None)


# (content version, lesson key) -> its context, kept in each process too: unpickling one from
# the cache cost more than the rest of checking an event (bench/events_ingest.py). Forgotten
# all at once when the content version moves on, as courses/routing.py does.
_contexts: dict[tuple[int, str], LessonContext] = {}
MOST_REMEMBERED = 2048


def lesson_context(lesson_key: uuid.UUID | str) -> LessonContext | None:
    """Everything the plugin needs about a lesson, or None if no live lesson has this key."""
    version = content_version()
    key = (version, str(lesson_key))
    context = _contexts.get(key)
    if context is not None:
        return context
    cache_key = f"puente:lms:lesson:{version}:{lesson_key}"
    context = cache.get(cache_key)
    if context is None:
        context = _build_lesson_context(str(lesson_key))
        if context is None:
            return None
        cache.set(cache_key, context, CACHE_SECONDS)
    if len(_contexts) >= MOST_REMEMBERED or (_contexts and next(iter(_contexts))[0] != version):
        _contexts.clear()
    _contexts[key] = context
    return context


def _canonical(pages: list[Page]) -> Page:
    """The page in the default language if it has one, else the first."""
    return next(
        (page for page in pages if page.locale.language_code == settings.LANGUAGE_CODE), pages[0]
    )


def _build_lesson_context(lesson_key: str) -> LessonContext | None:
    lesson_types = activity_content_type_ids(ActivityType.LESSON)
    translations = list(
        Page.objects.live()
        .filter(translation_key=lesson_key, content_type_id__in=lesson_types)
        .select_related("locale")
    )
    if not translations:
        return None
    canonical = _canonical(translations)
    container_types = activity_content_type_ids(ActivityType.MODULE) + activity_content_type_ids(
        ActivityType.COURSE
    )
    ancestors = list(
        Page.objects.ancestor_of(canonical).filter(content_type_id__in=container_types)
    )
    module = next(
        (
            p
            for p in ancestors
            if p.content_type_id in activity_content_type_ids(ActivityType.MODULE)
        ),
        None,
    )
    course = next(
        (
            p
            for p in ancestors
            if p.content_type_id in activity_content_type_ids(ActivityType.COURSE)
        ),
        None,
    )
    refs = _activity_refs(
        [lesson_key, *(str(p.translation_key) for p in (module, course) if p)], _language_codes()
    )

    # Real translations only: an alias shows another language's text.
    real_ids = [page.id for page in translations if page.alias_of_id is None] or [canonical.id]
    real = list(Page.objects.filter(id__in=real_ids).select_related("locale").specific())
    canonical_specific = next((p for p in real if p.id == canonical.id), real[0])
    questions = tuple(canonical_specific.lms_questions())
    codes = _language_codes()
    texts = _question_texts(questions, real, codes)

    module_lesson_keys: tuple[str, ...] = ()
    course_module_keys: tuple[str, ...] = ()
    if module is not None:
        module_lesson_keys = _child_keys(module, lesson_types)
    if course is not None:
        course_module_keys = _child_keys(course, activity_content_type_ids(ActivityType.MODULE))
    return LessonContext(
        lesson=refs[lesson_key],
        module=refs.get(str(module.translation_key)) if module else None,
        course=refs.get(str(course.translation_key)) if course else None,
        questions=questions,
        question_texts=texts,
        module_lesson_keys=module_lesson_keys,
        course_module_keys=course_module_keys,
    )


def _child_keys(parent: Page, content_type_ids: tuple[int, ...]) -> tuple[str, ...]:
    children = (
        Page.objects.live()
        .child_of(parent)
        .filter(content_type_id__in=content_type_ids)
        .order_by("path")
        .values_list("translation_key", flat=True)
    )
    return tuple(str(key) for key in children)


def _language_codes() -> dict[int, str]:
    """Locale id -> language code (a handful of rows; .specific() drops select_related)."""
    return dict(Locale.objects.values_list("id", "language_code"))


def _activity_refs(keys: list[str], codes: dict[int, str]) -> dict[str, ActivityRef]:
    """Names and descriptions of activities in every language they are translated into."""
    pages = Page.objects.live().filter(translation_key__in=keys, alias_of__isnull=True).specific()
    names: dict[str, dict[str, str]] = {}
    descriptions: dict[str, dict[str, str]] = {}
    types: dict[str, ActivityType] = {}
    for page in pages:
        activity_type = getattr(page, "lms_activity_type", None)
        if activity_type is None:
            continue
        key = str(page.translation_key)
        code = codes[page.locale_id]
        types[key] = activity_type
        names.setdefault(key, {})[code] = page.title
        descriptions.setdefault(key, {})[code] = page.lms_description()
    return {
        key: ActivityRef(key=key, type=types[key], names=names[key], descriptions=descriptions[key])
        for key in types
    }


def _question_texts(
    questions: tuple[Question, ...], pages: list[Page], codes: dict[int, str]
) -> dict[str, QuestionTexts]:
    prompts: dict[str, dict[str, str]] = {q.id: {} for q in questions}
    choices: dict[str, dict[str, dict[str, str]]] = {q.id: {} for q in questions}
    for page in pages:
        code = codes[page.locale_id]
        for question in page.lms_questions():
            if question.id not in prompts:
                continue
            prompts[question.id][code] = question.prompt
            for choice in question.choices:
                choices[question.id].setdefault(choice.id, {})[code] = choice.text
    return {q.id: QuestionTexts(prompt=prompts[q.id], choices=choices[q.id]) for q in questions}


def activity_page_url(activity_type: ActivityType, key: uuid.UUID, language: str) -> str | None:
    """The URL of an activity's page in the given language (or the default), for xAPI IRIs."""
    pages = list(
        Page.objects.live()
        .filter(translation_key=key, content_type_id__in=activity_content_type_ids(activity_type))
        .select_related("locale")
    )
    if not pages:
        return None
    page = next((p for p in pages if p.locale.language_code == language), _canonical(pages))
    return page.get_url()


def activity_definition(activity_type: ActivityType, key: str) -> dict | None:
    """What an activity's xAPI IRI answers to a machine: the definition statements carry
    (type, and name and description in every language it is translated into)."""
    if activity_type == ActivityType.QUESTION:
        context = lesson_context(question_lesson_key(key) or "")
        question = context.question(key) if context else None
        if question is None:
            return None
        return interaction_object("", question, context.question_texts[key])["definition"]
    refs = _activity_refs([key], _language_codes())
    ref = refs.get(key)
    if ref is None or ref.type != activity_type:
        return None
    return activity_object("", ref)["definition"]


def question_lesson_key(question_id: str) -> str | None:
    """The lesson a question belongs to (question ids are block ids; cached per content
    version, since finding one means reading every lesson)."""
    cache_key = f"puente:lms:question-lessons:{content_version()}"
    lessons = cache.get(cache_key)
    if lessons is None:
        lessons = {}
        pages = (
            Page.objects.live()
            .filter(
                content_type_id__in=activity_content_type_ids(ActivityType.LESSON),
                locale__language_code=settings.LANGUAGE_CODE,
            )
            .specific()
        )
        for page in pages:
            for question in page.lms_questions():
                lessons[question.id] = str(page.translation_key)
        cache.set(cache_key, lessons, CACHE_SECONDS)
    return lessons.get(question_id)


def activity_title(key: uuid.UUID | str) -> str:
    """A course's, module's or lesson's title in the default language (for records)."""
    pages = list(Page.objects.live().filter(translation_key=key).select_related("locale"))
    return _canonical(pages).title if pages else str(key)


def activity_type_of(key: uuid.UUID | str) -> ActivityType | None:
    """Whether a translation key is a live module or course (what can be assigned or linked)."""
    for activity_type in (ActivityType.MODULE, ActivityType.COURSE):
        if (
            Page.objects.live()
            .filter(
                translation_key=key, content_type_id__in=activity_content_type_ids(activity_type)
            )
            .exists()
        ):
            return activity_type
    return None


def activity_lesson_keys(key: uuid.UUID | str) -> tuple[str, ...]:
    """The lessons of a module or course, in the default language's tree (cached)."""
    cache_key = f"puente:lms:activity-lessons:{content_version()}:{key}"
    keys = cache.get(cache_key)
    if keys is None:
        containers = activity_content_type_ids(ActivityType.MODULE) + activity_content_type_ids(
            ActivityType.COURSE
        )
        pages = list(
            Page.objects.live()
            .filter(translation_key=key, content_type_id__in=containers)
            .select_related("locale")
        )
        if not pages:
            return ()
        keys = tuple(
            str(lesson_key)
            for lesson_key in Page.objects.live()
            .descendant_of(_canonical(pages))
            .filter(content_type_id__in=activity_content_type_ids(ActivityType.LESSON))
            .order_by("path")
            .values_list("translation_key", flat=True)
        )
        cache.set(cache_key, keys, CACHE_SECONDS)
    return keys


@dataclass(frozen=True)
class LessonLink:
    title: str
    url: str | None
    language: str


def lesson_links(
    keys: Collection[uuid.UUID | str], language: str, request=None
) -> dict[str, LessonLink]:
    """Each live lesson's title and address in ``language`` (else the default language's),
    for a list of lessons: one query however many."""
    wanted = {str(key) for key in keys if key}
    if not wanted:
        return {}
    pages = (
        Page.objects.live()
        .filter(
            translation_key__in=wanted,
            content_type_id__in=activity_content_type_ids(ActivityType.LESSON),
        )
        .select_related("locale")
    )
    by_key: dict[str, list[Page]] = {}
    for page in pages:
        by_key.setdefault(str(page.translation_key), []).append(page)
    links = {}
    for key, translations in by_key.items():
        page = next(
            (p for p in translations if p.locale.language_code == language),
            _canonical(translations),
        )
        links[key] = LessonLink(
            title=page.title, url=page.get_url(request), language=page.locale.language_code
        )
    return links
