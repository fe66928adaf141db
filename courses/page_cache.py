"""Whole lesson pages for readers who are not signed in, answered from the cache.

Every phone that is not signed in gets the same bytes for a lesson, except its CSRF token and
the event id of each question form; those are put back fresh for each request, as in the
lesson body cache (courses/lesson_cache.py). So the page is kept whole, and the next such
reader gets it without routing, queries or rendering. The innermost middleware answers, and
every middleware around it (security headers, language, the CSRF cookie, gzip, the request
log) treats the cached page exactly as it treats a fresh one. A phone revisiting the lesson
with its ETag gets 304 from here too.

Served from the cache: a GET with no query string, from a phone with no session cookie and no
message waiting. Anyone signed in, or carrying a session at all, gets a page rendered for
them. Stored: only pages whose view marked them the same for every such reader
(``cacheable``: lessons read anonymously). The key holds the host, the path (which holds the
language), the data saver, the content version (bumped when any page is published,
unpublished, moved, translated or deleted, and when a picture changes) and the release. A page
is kept for ``PUENTE_PAGE_CACHE_SECONDS`` at most: other things it shows, such as whether a
help desk exists, change without a new content version. A cache that does not answer only
costs the render (courses/cache.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from courses.conditional import etag_for, not_modified, release_version, with_validator
from courses.kept_pages import KeptPage
from courses.lesson_cache import with_holes
from courses.offline import data_saver_on
from lms.selectors.activities import content_version

# The view's own headers worth keeping; the middleware around this one adds the rest again.
STORED_HEADERS = ("Content-Type", "Cache-Control", "Vary")


def cacheable(response: HttpResponse, validator: str | None, etag: str | None) -> HttpResponse:
    """Mark a page as the same for every anonymous reader (``validator``: what makes its
    bytes, None for a personal page) and give it its ETag."""
    response = with_validator(response, etag)
    if validator is not None:
        response.puente_page_validator = validator
    return response


def page_cache_key(request: HttpRequest) -> str | None:
    """The key this request's page is kept under, or None if it must be rendered for it."""
    seconds = getattr(settings, "PUENTE_PAGE_CACHE_SECONDS", 0)
    if (
        not seconds
        or request.method != "GET"
        or request.META.get("QUERY_STRING")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or CookieStorage.cookie_name in request.COOKIES
    ):
        return None
    place = hashlib.sha256(f"{request.get_host()}{request.path}".encode()).hexdigest()[:32]
    saver = "saver" if data_saver_on(request) else "full"
    return f"puente:page:2:{content_version()}:{release_version()}:{saver}:{place}"


class AnonymousPageCacheMiddleware:
    """Innermost in MIDDLEWARE: it stands in for routing and the view, nothing else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = page_cache_key(request)
        if key is None:
            return self.get_response(request)
        kept = cache.get(key)
        if kept is not None:
            return self.from_cache(request, kept)
        response = self.get_response(request)
        validator = getattr(response, "puente_page_validator", None)
        session = getattr(request, "session", None)
        if (
            validator is not None
            and response.status_code == 200
            and not response.cookies
            and not (session is not None and session.modified)  # the view began a session
        ):
            kept = {
                "validator": validator,
                "headers": [(name, response[name]) for name in STORED_HEADERS if name in response],
                "page": KeptPage.from_html(with_holes(response.content.decode(response.charset))),
            }
            cache.set(key, kept, settings.PUENTE_PAGE_CACHE_SECONDS)
        return response

    def from_cache(self, request: HttpRequest, kept: dict) -> HttpResponse:
        etag = etag_for(kept["validator"], request)
        unchanged = not_modified(request, etag)
        if unchanged is not None:
            return unchanged
        response = kept["page"].response(request)
        for name, value in kept["headers"]:
            response[name] = value
        response["ETag"] = etag
        return response
