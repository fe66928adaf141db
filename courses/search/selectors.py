"""What a search finds: the live, public courses, modules and lessons of the learner's
language, those written in it first, then those still shown in English (untranslated)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import HttpRequest
from wagtail.models import Locale, Page

from courses.search.languages import is_unspaced, spaced_characters

MAX_QUERY_LENGTH = 200
# Quotes, stars, brackets and the like are query syntax to SQLite's and PostgreSQL's full-text
# search (an unclosed quote is an error there); a family searches for words.
NOT_A_WORD = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    summary: str
    kind: str  # "lesson", "module", "course", in the reader's language
    in_english: bool  # an untranslated page, shown in English


def search_query_clean(query: str) -> str:
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


def pages_search(
    *, query: str, language: str, request: HttpRequest | None = None, limit: int = 30
) -> list[SearchHit]:
    # Imported here: the page models import the navigation this package's view sits beside.
    from courses.models import CoursePage, LessonPage, ModulePage

    query = search_query_clean(query)
    locale = Locale.objects.filter(language_code=language).first()
    if not query or locale is None:
        return []
    query = " ".join(NOT_A_WORD.sub(" ", query).split())
    if not query:
        return []
    if is_unspaced(language):
        query = spaced_characters(query)
    found = list(
        Page.objects.live()
        .filter(locale=locale)
        .type(CoursePage, ModulePage, LessonPage)
        .specific()
        .search(query, operator="and")[: limit * 2]
    )
    public = set(
        Page.objects.public()
        .filter(id__in=[page.id for page in found])
        .values_list("id", flat=True)
    )
    hits = [
        SearchHit(
            title=page.title,
            url=page.get_url(request),
            summary=getattr(page, "summary", ""),
            kind=str(page._meta.verbose_name),
            in_english=page.alias_of_id is not None,
        )
        for page in found
        if page.id in public
    ]
    # Stable: within each group, the search's own ranking is kept.
    return sorted(hits, key=lambda hit: hit.in_english)[:limit]
