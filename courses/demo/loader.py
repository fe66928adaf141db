"""Build the demo site from the curriculum files: idempotent, so it can run on every start.

Every page, block and list item gets an id derived from the curriculum's keys (uuid5), so a
second run finds what the first made and changes only what the files changed. Translations of
a page share its ``translation_key`` and its block ids. Locales without a translation are
synchronised from English by wagtail-localize: they get alias pages that show the English
content with a notice, instead of a 404.
"""

from __future__ import annotations

import json
import os
from io import BytesIO
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import transaction
from wagtail.images.models import Image
from wagtail.models import Collection, Locale, Page

from courses.demo import illustrations
from courses.demo.curriculum import (
    SOURCE_LANGUAGE,
    CourseSpec,
    available_languages,
    check_translation,
    load_course,
)
from courses.demo.people import demo_people_load
from courses.images import picture_renditions_warm
from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from courses.setup import (
    SetupReport,
    locales_ensure,
    locales_synchronise,
    site_ensure,
    stable_id,
    wagtail_welcome_page_remove,
)

DEMO_COLLECTION = "Puente demo illustrations"
DEMO_ADMIN_USERNAME = os.environ.get("PUENTE_DEMO_ADMIN_USERNAME", "admin")
DEMO_ADMIN_PASSWORD = os.environ.get("PUENTE_DEMO_ADMIN_PASSWORD", "puente-demo-admin")


def demo_site_load(*, production: bool = False) -> SetupReport:
    """Create or update the demo site; a second run changes nothing.

    ``production``: on a real site (told explicitly), the demo's people get passwords of
    their own, made up now (in ``report.passwords``, shown once), no made-up progress is
    recorded (its statements would reach a real LRS), and no demo administrator is made.
    """
    source = load_course(SOURCE_LANGUAGE)
    translations = [load_course(language) for language in available_languages()[1:]]
    for translation in translations:
        check_translation(source, translation)

    report = SetupReport()
    with transaction.atomic():
        locales = locales_ensure(report)
        images = _ensure_images(source, report)
        catalog = None
        for course in [source, *translations]:
            locale = locales[course.language]
            page = _load_course_tree(course, locale, images, report)
            if course.language == SOURCE_LANGUAGE:
                catalog = page
        site_ensure(catalog, report)
        wagtail_welcome_page_remove(report)
        locales_synchronise(locales, report)
        if not production:
            _ensure_admin(report)
        report.passwords = demo_people_load(report.created, production=production)
    return report


def _ensure_images(course: CourseSpec, report: SetupReport) -> dict[str, Image]:
    names = {course.cover_image} if course.cover_image else set()
    for lesson in course.lessons:
        for block in lesson.body:
            if block["type"] == "image":
                names.add(block["image"])
            if block["type"] == "steps":
                names.update(step["image"] for step in block["steps"] if step.get("image"))

    collection = Collection.objects.filter(name=DEMO_COLLECTION).first()
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=DEMO_COLLECTION)
        report.created.append(f"collection {DEMO_COLLECTION}")

    existing = {image.title: image for image in Image.objects.filter(collection=collection)}
    images = {}
    for name in sorted(names):
        image = existing.get(name)
        if image is None:
            png = illustrations.render_png(name)
            image = Image(title=name, collection=collection)
            image.file = ImageFile(BytesIO(png), name=f"{name}.png")
            image.save()
            report.created.append(f"image {name}")
        else:
            report.unchanged += 1
        picture_renditions_warm(image)
        images[name] = image
    return images


def _load_course_tree(
    course: CourseSpec, locale: Locale, images: dict[str, Image], report: SetupReport
) -> CourseIndexPage:
    language = course.language
    catalog = _upsert_page(
        CourseIndexPage,
        parent=Page.get_first_root_node(),
        translation_key=stable_id("catalog"),
        locale=locale,
        fields={
            "title": course.catalog_title,
            "slug": f"home-{language}",
            "intro": course.catalog_intro,
        },
        report=report,
    )
    course_page = _upsert_page(
        CoursePage,
        parent=catalog,
        translation_key=stable_id("course", course.key),
        locale=locale,
        fields={
            "title": course.title,
            "slug": course.slug,
            "summary": course.summary,
            "audience": course.audience,
            "cover_image_id": images[course.cover_image].id if course.cover_image else None,
            "learning_outcomes": [
                {"type": "outcome", "value": text, "id": stable_id(course.key, "outcome", str(i))}
                for i, text in enumerate(course.outcomes)
            ],
        },
        report=report,
    )
    for module in course.modules:
        module_page = _upsert_page(
            ModulePage,
            parent=course_page,
            translation_key=stable_id("module", module.key),
            locale=locale,
            fields={"title": module.title, "slug": module.slug, "summary": module.summary},
            report=report,
        )
        for lesson in module.lessons:
            _upsert_page(
                LessonPage,
                parent=module_page,
                translation_key=stable_id("lesson", lesson.key),
                locale=locale,
                fields={
                    "title": lesson.title,
                    "slug": lesson.slug,
                    "summary": lesson.summary,
                    "estimated_minutes": lesson.minutes,
                    "body": [
                        _stream_block(lesson.key, index, block, images)
                        for index, block in enumerate(lesson.body)
                    ],
                },
                report=report,
            )
    return catalog


def _stream_block(
    lesson_key: str, index: int, block: dict[str, Any], images: dict[str, Image]
) -> dict[str, Any]:
    """One StreamField child in Wagtail's stored JSON form, with stable ids."""
    block_id = stable_id("lesson", lesson_key, "body", str(index))

    def item(position: int, value: dict[str, Any]) -> dict[str, Any]:
        return {"type": "item", "value": value, "id": stable_id(block_id, str(position))}

    kind = block["type"]
    if kind == "text":
        value: Any = block["text"]
    elif kind == "image":
        value = {
            "image": images[block["image"]].id,
            "alt": block["alt"],
            "caption": block.get("caption", ""),
        }
    elif kind == "steps":
        value = {
            "title": block.get("title", ""),
            "steps": [
                item(
                    position,
                    {
                        "text": step["text"],
                        "screenshot": images[step["image"]].id if step.get("image") else None,
                        "screenshot_alt": step.get("image_alt", ""),
                    },
                )
                for position, step in enumerate(block["steps"])
            ],
        }
    elif kind == "callout":
        value = {"kind": block["kind"], "title": block.get("title", ""), "text": block["text"]}
    elif kind == "glossary":
        value = {"term": block["term"], "definition": block["definition"]}
    else:  # question
        value = {
            "kind": block["kind"],
            "prompt": block["prompt"],
            "choices": [
                item(
                    position,
                    {
                        "text": choice["text"],
                        "correct": bool(choice.get("correct")),
                        "feedback": choice["feedback"],
                    },
                )
                for position, choice in enumerate(block["choices"])
            ],
            "explanation": block.get("explanation", ""),
        }
    return {"type": kind, "value": value, "id": block_id}


def _upsert_page(
    model: type[Page],
    *,
    parent: Page,
    translation_key: str,
    locale: Locale,
    fields: dict[str, Any],
    report: SetupReport,
) -> Page:
    """Create the page, or publish a new revision only if a field differs from the files."""
    page = model.objects.filter(translation_key=translation_key, locale=locale).first()
    label = f"{model._meta.model_name} {locale.language_code}/{fields['slug']}"
    if page is None:
        page = model(translation_key=translation_key, locale=locale, **fields)
        parent.add_child(instance=page)
        page.save_revision(log_action=True).publish()
        report.created.append(label)
        return page

    changed = [name for name, value in fields.items() if not _same(page, name, value)]
    if page.alias_of_id is not None:
        # An alias made by locale synchronisation becomes a real translation.
        page.alias_of = None
        changed.append("alias_of")
    if not changed:
        report.unchanged += 1
        return page
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision(log_action=True).publish()
    report.updated.append(f"{label} ({', '.join(sorted(changed))})")
    return page


def _same(page: Page, name: str, value: Any) -> bool:
    current = getattr(page, name)
    if name in {"body", "learning_outcomes"}:
        return _stream_json(current.get_prep_value()) == _stream_json(value)
    return current == value


def _stream_json(raw: list[dict[str, Any]]) -> str:
    return json.dumps(raw, sort_keys=True, default=str)


def _ensure_admin(report: SetupReport) -> None:
    User = get_user_model()
    if not User.objects.filter(username=DEMO_ADMIN_USERNAME).exists():
        User.objects.create_superuser(
            username=DEMO_ADMIN_USERNAME, email="", password=DEMO_ADMIN_PASSWORD
        )
        report.created.append(f"superuser {DEMO_ADMIN_USERNAME}")
