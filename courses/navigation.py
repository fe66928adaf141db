"""What every learner page shows around its content: where am I, other languages, next lesson.

All of it comes from one query, whatever the size of the course, so a lesson page's query
count does not grow with the number of modules, lessons or languages; and that query's result
is cached under the content version (bumped when any page is published, moved or deleted), so
a page's chrome is built once per site and version, not on every view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import get_language_info
from wagtail.models import Page, Site

from lms.i18n import LanguageLink
from lms.selectors.activities import content_version


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class SiblingNavigation:
    previous: Link | None
    next: Link | None
    position: int
    total: int


@dataclass
class PageChrome:
    breadcrumbs: list[Link] = field(default_factory=list)
    languages: list[LanguageLink] = field(default_factory=list)
    # The language the content is written in. It differs from the interface language when a
    # page is not translated yet and Wagtail serves an alias of the source page instead.
    content_language: str = settings.LANGUAGE_CODE
    is_fallback: bool = False
    siblings: SiblingNavigation | None = None

    @property
    def content_direction(self) -> str:
        return "rtl" if get_language_info(self.content_language)["bidi"] else "ltr"

    @property
    def content_language_name(self) -> str:
        """The content's language, named in the reader's language ("inglés", "tiếng Anh")."""
        return str(get_language_info(self.content_language)["name_translated"])


def page_chrome(page: Page, request: HttpRequest, *, with_siblings: bool = False) -> PageChrome:
    """The chrome of a live page from the cache, built when missing; a preview's is built
    each time (a draft may have a new title or parent)."""
    if getattr(request, "is_preview", False):
        return build_page_chrome(page, request, with_siblings=with_siblings)
    site = Site.find_for_request(request)
    # Links are relative on the page's own site and absolute elsewhere: one entry per site.
    key = (
        f"puente:chrome:{content_version()}:{page.pk}:{int(with_siblings)}:{site.pk if site else 0}"
    )
    chrome = cache.get(key)
    if chrome is None:
        chrome = build_page_chrome(page, request, with_siblings=with_siblings)
        cache.set(key, chrome, 24 * 60 * 60)
    return chrome


def build_page_chrome(
    page: Page, request: HttpRequest, *, with_siblings: bool = False
) -> PageChrome:
    """Breadcrumbs, language links, fallback notice and (optionally) previous/next siblings."""
    steplen = page.steplen
    parent_path = page.path[:-steplen]
    # Ancestors below the tree's root, which is not a page anyone visits.
    ancestor_paths = [page.path[:end] for end in range(2 * steplen, len(page.path), steplen)]
    wanted = Q(translation_key=page.translation_key, live=True) | Q(path__in=ancestor_paths)
    if with_siblings:
        wanted |= Q(
            path__startswith=parent_path,
            depth=page.depth,
            content_type_id=page.content_type_id,
            live=True,
        )
    rows = list(
        Page.objects.filter(wanted)
        .select_related("locale")
        .only(
            "id",
            "path",
            "depth",
            "title",
            "url_path",
            "translation_key",
            "alias_of_id",
            "content_type",
            "locale__language_code",
        )
        .order_by("path")
    )

    chrome = PageChrome()
    translations = {row.id: row for row in rows if row.translation_key == page.translation_key}
    current = translations.get(page.id)
    current_code = current.locale.language_code if current else settings.LANGUAGE_CODE
    chrome.content_language = current_code
    source = translations.get(page.alias_of_id) if page.alias_of_id else None
    if source is not None and source.locale.language_code != current_code:
        chrome.content_language = source.locale.language_code
        chrome.is_fallback = True

    by_language = {row.locale.language_code: row for row in translations.values()}
    for code, name in settings.LANGUAGES:
        if code in by_language:
            chrome.languages.append(
                LanguageLink(
                    code=code,
                    name=name,
                    url=by_language[code].get_url(request),
                    current=code == current_code,
                )
            )

    chrome.breadcrumbs = [
        Link(row.title, row.get_url(request)) for row in rows if row.path in ancestor_paths
    ]
    if with_siblings:
        siblings = [
            row
            for row in rows
            if row.depth == page.depth
            and row.path.startswith(parent_path)
            and row.content_type_id == page.content_type_id
        ]
        chrome.siblings = _sibling_navigation(page, siblings, request)
    return chrome


def _sibling_navigation(
    page: Page, siblings: list[Page], request: HttpRequest
) -> SiblingNavigation:
    index = next((i for i, sibling in enumerate(siblings) if sibling.id == page.id), None)
    if index is None:  # a draft being previewed is not among the live siblings
        return SiblingNavigation(previous=None, next=None, position=0, total=len(siblings))

    def link(position: int) -> Link | None:
        if 0 <= position < len(siblings):
            return Link(siblings[position].title, siblings[position].get_url(request))
        return None

    return SiblingNavigation(
        previous=link(index - 1), next=link(index + 1), position=index + 1, total=len(siblings)
    )
