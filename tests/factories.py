"""What the tests share: small page trees (a catalog, a course, modules and lessons, in two
languages), learners' events, statements in the delivery outbox, the answer form as a phone
posts it, and Puente run with production settings. Test modules import helpers from here,
never from one another.

Unit tests build only what they need; the whole demo curriculum is loaded by the loader's
own tests alone.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from django.core.cache import cache
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import LocaleSynchronization
from wagtail_localize.synctree import synchronize_tree

from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from lms.models import DeliveryStatus, EventKind, Learner, Statement, StatementDelivery
from lms.selectors.activities import CACHE_VERSION_KEY
from lms.services.progress import EventInput, EventOutcome, learner_event_record
from lms.services.xapi import statements_enqueue
from lms.xapi.worker import DeliveryWorker

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = ["en", "es", "vi", "zh-hans", "ar"]


def make_image(title: str = "test image", size: tuple[int, int] = (1200, 800)) -> Image:
    buffer = BytesIO()
    PILImage.new("RGB", size, (30, 120, 200)).save(buffer, format="PNG")
    image = Image(title=title)
    image.file = ImageFile(BytesIO(buffer.getvalue()), name=f"{title.replace(' ', '-')}.png")
    image.save()
    return image


def item(value: dict) -> dict:
    return {"type": "item", "value": value, "id": str(uuid.uuid4())}


def question(kind: str = "single", *, correct: tuple[int, ...] = (0,), count: int = 3) -> dict:
    texts = ["True", "False"] if kind == "true_false" else [f"Answer {i}" for i in range(count)]
    return {
        "type": "question",
        "id": str(uuid.uuid4()),
        "value": {
            "kind": kind,
            "prompt": f"A {kind} question?",
            "explanation": "Because it is so.",
            "choices": [
                item({"text": text, "correct": i in correct, "feedback": f"Feedback for {text}."})
                for i, text in enumerate(texts)
            ],
        },
    }


def every_block(image: Image) -> list[dict]:
    """One of each block type, as Wagtail stores them."""
    return [
        {"type": "text", "id": str(uuid.uuid4()), "value": "<p>Wi-Fi is <b>wireless</b>.</p>"},
        {
            "type": "image",
            "id": str(uuid.uuid4()),
            "value": {"image": image.id, "alt": "A router on a shelf", "caption": "A router."},
        },
        {
            "type": "steps",
            "id": str(uuid.uuid4()),
            "value": {
                "title": "Connect",
                "steps": [
                    item(
                        {
                            "text": "Open Settings.",
                            "screenshot": image.id,
                            "screenshot_alt": "The Settings screen",
                        }
                    ),
                    item({"text": "Tap Wi-Fi.", "screenshot": None, "screenshot_alt": ""}),
                ],
            },
        },
        {
            "type": "callout",
            "id": str(uuid.uuid4()),
            "value": {"kind": "tip", "title": "", "text": "Sit near the router."},
        },
        {
            "type": "callout",
            "id": str(uuid.uuid4()),
            "value": {"kind": "warning", "title": "Careful", "text": "Never share your code."},
        },
        {
            "type": "glossary",
            "id": str(uuid.uuid4()),
            "value": {"term": "Router", "definition": "The box that sends out Wi-Fi."},
        },
        {
            "type": "media",
            "id": str(uuid.uuid4()),
            "value": {
                "kind": "video",
                "title": "Joining a call",
                "file": None,
                "url": "https://media.example.org/call.mp4",
                "captions": None,
                "transcript": "<p>Tap the green button to join.</p>",
            },
        },
        question("single"),
        question("multiple", correct=(0, 2), count=4),
        question("true_false", correct=(1,)),
    ]


@dataclass
class CourseTree:
    catalog: CourseIndexPage
    course: CoursePage
    modules: list[ModulePage] = field(default_factory=list)
    lessons: list[LessonPage] = field(default_factory=list)
    image: Image | None = None

    def translation(self, page: Page, language: str) -> Page:
        return page.get_translation(Locale.objects.get(language_code=language)).specific


def ensure_locales() -> dict[str, Locale]:
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code in LANGUAGES}


def alias_every_other_language(tree: CourseTree) -> None:
    """Locales for the interface languages the tree was not built in (pt-br, ru, ht...),
    showing the English pages, as setup_site makes them on a real site."""
    from django.conf import settings

    english = Locale.objects.get(language_code="en")
    for code, _name in settings.LANGUAGES:
        if code in LANGUAGES:
            continue
        locale = Locale.objects.get_or_create(language_code=code)[0]
        LocaleSynchronization.objects.get_or_create(locale=locale, defaults={"sync_from": english})
        synchronize_tree(english, locale)


def build_course_tree(
    *,
    modules: int = 2,
    lessons_per_module: int = 3,
    translate_to: tuple[str, ...] = ("es",),
    name: str = "home",
) -> CourseTree:
    """Build and publish an English course, translate it, and alias the other locales.

    The catalog becomes the default site's root; ``name`` keeps several trees apart.
    """
    locales = ensure_locales()
    image = make_image()
    root = Page.get_first_root_node()
    catalog = root.add_child(instance=CourseIndexPage(title="Courses", slug=f"{name}-en"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"root_page": catalog, "hostname": "localhost"}
    )
    course = catalog.add_child(
        instance=CoursePage(
            title="Family Digital Skills",
            slug="family",
            summary="Learn together.",
            cover_image=image,
            learning_outcomes=[
                {"type": "outcome", "value": "You can use Wi-Fi.", "id": str(uuid.uuid4())}
            ],
        )
    )
    tree = CourseTree(catalog=catalog, course=course, image=image)
    for m in range(modules):
        module = course.add_child(
            instance=ModulePage(title=f"Module {m + 1}", slug=f"module-{m + 1}", summary="Skills.")
        )
        tree.modules.append(module)
        for n in range(lessons_per_module):
            first = m == 0 and n == 0
            body = every_block(image) if first else [question("single")]
            lesson = module.add_child(
                instance=LessonPage(
                    title=f"Lesson {m + 1}.{n + 1}",
                    slug=f"lesson-{m + 1}-{n + 1}",
                    summary="A short lesson about phones.",
                    estimated_minutes=4,
                    body=body,
                )
            )
            tree.lessons.append(lesson)
    for language in translate_to:
        _translate(tree, locales[language])
    for code, locale in locales.items():
        if code != "en" and code not in translate_to:
            LocaleSynchronization.objects.get_or_create(
                locale=locale, defaults={"sync_from": locales["en"]}
            )
            synchronize_tree(locales["en"], locale)
    return tree


def _translate(tree: CourseTree, locale: Locale) -> None:
    """A real (not alias) translation whose titles carry the language code."""
    pages = [tree.catalog, tree.course, *tree.modules, *tree.lessons]
    for page in pages:
        translated = page.copy_for_translation(locale)
        translated.title = f"[{locale.language_code}] {page.title}"
        if getattr(page, "summary", None):
            translated.summary = f"[{locale.language_code}] {page.summary}"
        translated.slug = f"{page.slug}-{locale.language_code}"
        translated.save_revision().publish()


def lesson_event(lesson: Page, kind: str, **details) -> EventInput:
    """An event about ``lesson`` happening now, as the lesson page would send it."""
    return EventInput(
        event_id=details.pop("event_id", uuid.uuid4()),
        kind=kind,
        lesson_key=lesson.translation_key,
        occurred_at=details.pop("occurred_at", timezone.now()),
        **details,
    )


def lesson_finish(learner: Learner, lesson: Page, right: bool = True) -> EventOutcome:
    """Answer each question of the lesson (rightly, or with one wrong choice), then complete it."""
    for question in lesson.specific.lms_questions():
        chosen = [c.id for c in question.choices if c.correct == right]
        event = lesson_event(
            lesson,
            EventKind.ANSWERED,
            question_id=question.id,
            choice_ids=tuple(chosen if right else chosen[:1]),
        )
        learner_event_record(learner=learner, event=event)
    return learner_event_record(learner=learner, event=lesson_event(lesson, EventKind.COMPLETED))


def token_client(learner: Learner):
    """An API client signed in with a new account token of the learner's."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=learner.user).key}")
    return client


def viewed_json(page: Page, **extra) -> dict:
    """A "viewed" event as a phone sends it to the events API (fields in ``extra`` win)."""
    return {
        "id": str(uuid.uuid4()),
        "type": "viewed",
        "lesson": str(page.translation_key),
        "occurred_at": timezone.now().isoformat(),
        **extra,
    }


def past_due(assignment) -> None:
    """An assignment whose due date has come and gone (one cannot be made with a past date)."""
    from datetime import timedelta

    from lms.models import Assignment

    yesterday = timezone.localdate() - timedelta(days=1)
    Assignment.objects.filter(pk=assignment.pk).update(due_on=yesterday)
    assignment.due_on = yesterday


def cached_keys(fragment: str) -> int:
    """How many keys in the default cache hold ``fragment``: in a process's memory, or in
    Redis under the cache's key prefix (the ``each_cache`` fixture)."""
    if isinstance(cache._cache, dict):  # LocMemCache
        return sum(1 for key in cache._cache if fragment in key)
    client = cache._cache.get_client(None)
    return len(client.keys(f"{cache.key_prefix}:*{fragment}*"))


_versions = itertools.count(1_000_000)


def fresh_content_version() -> None:
    """Start the test under a content version no other test used: what a process keeps in
    memory under the version (courses/routing.py) must not outlive the test's rolled-back
    rows, which keep their primary keys from one test to the next."""
    cache.set(CACHE_VERSION_KEY, next(_versions), None)


# The delivery outbox: statements queued without a learner, as the worker finds them.


def statement(marker: str = "ok") -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://puente.example.org", "name": str(uuid.uuid4())},
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/experienced",
            "display": {"en-US": "experienced"},
        },
        "object": {
            "objectType": "Activity",
            "id": f"https://puente.example.org/xapi/activities/lesson/{uuid.uuid4()}",
        },
        "context": {
            "platform": "Puente",
            "language": "en",
            "extensions": {"https://puente.example.org/xapi/test-marker": marker},
        },
        "timestamp": "2026-11-28T15:30:40.123Z",
    }


def enqueue(count: int, markers: dict[int, str] | None = None) -> list[Statement]:
    markers = markers or {}
    return statements_enqueue(
        statements=[statement(markers.get(i, "ok")) for i in range(count)], learner=None, event=None
    )


def run_once(batch_size: int = 100):
    worker = DeliveryWorker(batch_size=batch_size)
    try:
        return worker.run(once=True)
    finally:
        worker.close()


def make_due() -> None:
    StatementDelivery.objects.filter(status=DeliveryStatus.PENDING).update(
        next_attempt_at=timezone.now()
    )


# A lesson page as a phone without JavaScript posts it.


def answer_form(html: str, question_id: str) -> str:
    return re.search(
        rf'name="question" value="{question_id}">\s*<input type="hidden" '
        r'name="event" value="([^"]+)">',
        html,
    ).group(1)


# Puente run as production runs it: manage.py in a process of its own with production settings.

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "courses.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "puente.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/puente",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "PUENTE_SECRET_KEYS": "mhGSE8ZLh7D8s-BKsp8-wyMCDpVCz6MMAdBX3KAP2FM=",
}


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **environment}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
