"""An empty Puente site, ready for editors: every language's locale, a course catalog in each
(the home page), the Wagtail site pointing at it, languages kept in step with English, and a
key to sign LTI messages with. ``manage.py setup_site`` runs this; the demo loader builds on it.

Idempotent: a second run finds what the first made and changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from lti_tool.models import Key
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import LocaleSynchronization
from wagtail_localize.synctree import synchronize_tree

from courses.models import CourseIndexPage

NAMESPACE = uuid.UUID("5b0c3c2e-8f5e-4d0e-9a43-6a1f0e7d2c11")
SOURCE_LANGUAGE = "en"
WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"


def stable_id(*parts: str) -> str:
    """An id derived from names: the same page is found again on every run."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


CATALOG_KEY = stable_id("catalog")


@dataclass
class SetupReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Passwords made for accounts this run created (shown once, never stored in clear).
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, {self.unchanged} unchanged"
        )


def site_setup(report: SetupReport | None = None) -> SetupReport:
    report = report or SetupReport()
    with transaction.atomic():
        locales = locales_ensure(report)
        site_ensure(catalog_ensure(locales[SOURCE_LANGUAGE], report), report)
        wagtail_welcome_page_remove(report)
        locales_synchronise(locales, report)
        for code, locale in locales.items():
            if code != SOURCE_LANGUAGE:
                catalog_title_ensure(locale, report)
        lti_key_ensure(report)
    return report


def locales_ensure(report: SetupReport) -> dict[str, Locale]:
    locales = {}
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        locale, created = Locale.objects.get_or_create(language_code=code)
        if created:
            report.created.append(f"locale {code}")
        locales[code] = locale
    return locales


def catalog_ensure(locale: Locale, report: SetupReport) -> CourseIndexPage:
    """The course catalog in the source language, the root every translation mirrors."""
    catalog = CourseIndexPage.objects.filter(translation_key=CATALOG_KEY, locale=locale).first()
    if catalog is not None:
        report.unchanged += 1
        return catalog
    with translation.override(locale.language_code):
        catalog = CourseIndexPage(
            title=_("Courses"),
            slug=f"home-{locale.language_code}",
            intro=f"<p>{_('Short, free lessons for the whole family.')}</p>",
            translation_key=CATALOG_KEY,
            locale=locale,
        )
    Page.get_first_root_node().add_child(instance=catalog)
    catalog.save_revision(log_action=True).publish()
    report.created.append(f"course catalog {locale.language_code}")
    return catalog


def catalog_title_ensure(locale: Locale, report: SetupReport) -> None:
    """A catalog that locale synchronisation made (an alias of the English one) gets its own
    title and intro in its language, so that a family's first page is in their language."""
    catalog = CourseIndexPage.objects.filter(translation_key=CATALOG_KEY, locale=locale).first()
    if catalog is None or catalog.alias_of_id is None:
        return
    with translation.override(locale.language_code):
        title, intro = _("Courses"), f"<p>{_('Short, free lessons for the whole family.')}</p>"
    catalog.alias_of = None
    catalog.title, catalog.intro = title, intro
    catalog.save_revision(log_action=True).publish()
    report.updated.append(f"course catalog {locale.language_code}")


def site_ensure(catalog: Page, report: SetupReport) -> None:
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=catalog,
            is_default_site=True,
            site_name="Puente",
        )
        report.created.append("site")
    elif site.root_page_id != catalog.id or site.site_name != "Puente":
        site.root_page = catalog
        site.site_name = "Puente"
        site.save()
        report.updated.append("site")


def wagtail_welcome_page_remove(report: SetupReport) -> None:
    """Wagtail's first migration makes a placeholder home page; the catalog replaces it."""
    for page in Page.objects.filter(depth=2, title=WAGTAIL_WELCOME_TITLE, numchild=0):
        if type(page.specific) is Page and not Site.objects.filter(root_page=page).exists():
            page.delete()
            report.updated.append("removed Wagtail's placeholder page")


def locales_synchronise(locales: dict[str, Locale], report: SetupReport) -> None:
    """Every locale mirrors the English tree: a page not translated yet is there anyway, as an
    alias showing the English text with a notice, never a 404."""
    before = Page.objects.count()
    source = locales[SOURCE_LANGUAGE]
    for code, locale in locales.items():
        if code == SOURCE_LANGUAGE:
            continue
        sync, created = LocaleSynchronization.objects.get_or_create(
            locale=locale, defaults={"sync_from": source}
        )
        if created:
            report.created.append(f"locale sync {code} <- {SOURCE_LANGUAGE}")
        # Saving a new synchronisation mirrors the tree already when tasks run at once
        # (wagtail-localize's signal, Django's default task backend): walking every page again
        # would double the work. Otherwise, or when pages are missing, mirror it here.
        if not (created and _mirrors_every_page(source, locale)):
            synchronize_tree(sync.sync_from, locale)
    created = Page.objects.count() - before
    if created:
        report.created.append(f"{created} alias pages for untranslated locales")


def _mirrors_every_page(source: Locale, locale: Locale) -> bool:
    """Whether every page of the source language has its counterpart in ``locale``."""
    counterparts = Page.objects.filter(locale=locale).values("translation_key")
    return not (
        Page.objects.filter(locale=source, depth__gt=1)
        .exclude(translation_key__in=counterparts)
        .exists()
    )


def lti_key_ensure(report: SetupReport) -> None:
    """The key Puente signs LTI deep links and grade requests with (django-lti's)."""
    if not Key.objects.active().exists():
        Key.objects.generate()
        report.created.append("LTI signing key")
