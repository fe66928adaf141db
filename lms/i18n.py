"""Language follows the family: the language a person chose, the same page in another language,
and the links of the language switcher on the plugin's pages.

Every learner-facing URL carries its language (/es/learn/, /ar/<course>/...). A person's
chosen language is kept on their learner profile (each profile of a shared phone has its
own) and used wherever they sign in; before anyone signs in, the phone's language decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest
from django.urls import Resolver404, resolve, reverse, translate_url
from django.utils import translation
from django.utils.translation import get_language_from_request
from wagtail.models import Page, Site

from lms.access import principal_of

LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language: "Español", "العربية"
    url: str
    current: bool


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def preferred_language(request: HttpRequest) -> str:
    """The language to show this person: their profile's choice when signed in, else the
    language they last chose on this phone, else the phone's own."""
    principal = principal_of(request)
    if principal.is_person and principal.profile.preferred_language in language_codes():
        return principal.profile.preferred_language
    return get_language_from_request(request, check_path=False)


def split_language(path: str) -> tuple[str | None, str]:
    """("es", "/learn/") for "/es/learn/"; (None, path) when the path has no language."""
    first, _slash, rest = path.lstrip("/").partition("/")
    if first in language_codes():
        return first, "/" + rest
    return None, path


def path_in_language(request: HttpRequest, path: str, language: str) -> str:
    """The same page in ``language``: a course page's own translation (its slugs differ by
    language), or the plugin's page under the other language prefix. A page with no
    translation falls back to that language's home. A query string (a join code) is kept."""
    path, question_mark, query = path.partition("?")
    return _path_in_language(request, path, language) + question_mark + query


def home_url(language: str) -> str:
    """The site's home page in ``language``: Wagtail's page view at the root of the tree,
    wherever the host site mounted it (under i18n_patterns: ``/es/``)."""
    with translation.override(language):
        return reverse("wagtail_serve", args=[""])


def _path_in_language(request: HttpRequest, path: str, language: str) -> str:
    current, rest = split_language(path)
    if current is None or current == language:
        return path
    page = _page_at(request, current, rest)
    if page is not None:
        translated = page.get_translation_or_none(_locale(language))
        if translated is None or not translated.live:
            return home_url(language)
        with translation.override(language):
            return translated.get_url(request)
    try:
        resolve(path)
    except Resolver404:
        return home_url(language)
    return translate_url(path, language)


def _locale(language: str):
    from wagtail.models import Locale

    return Locale.objects.filter(language_code=language).first()


def _page_at(request: HttpRequest, language: str, rest: str) -> Page | None:
    """The Wagtail page served at /<language><rest>, if any (no query for plugin pages)."""
    try:
        match = resolve(f"/{language}{rest}")
    except Resolver404:
        return None
    if match.url_name != "wagtail_serve":
        return None
    with translation.override(language):
        site = Site.find_for_request(request)
        if site is None:
            return None
        components = [component for component in rest.split("/") if component]
        try:
            return site.root_page.localized.specific.route(request, components).page
        except Http404:
            return None


def language_links(request: HttpRequest) -> list[LanguageLink]:
    """The switcher of a plugin page: this page in every language. A signed-in person's
    choice is kept on their profile (through the ``lms:language`` view)."""
    current = translation.get_language()
    path = request.get_full_path()
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code)
        links.append(LanguageLink(code=code, name=name, url=url, current=code == current))
    return links


def isolated(text: str) -> str:
    """Text set apart from the sentence around it for the bidirectional algorithm (FSI ... PDI,
    what <bdi> does in markup): a Latin name inside an Arabic sentence, or an Arabic name in
    an English one, keeps its own direction and does not reorder the words next to it. For
    values placed inside translated sentences, where markup would change the message."""
    return f"\u2068{text}\u2069" if text else text
