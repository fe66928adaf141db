"""A lesson's body (its blocks and questions), rendered once per revision and reused.

Rendering the StreamField blocks is most of a lesson page's server time, and for a given page
revision the bytes are the same for every learner except three things: the CSRF token and the
event id of each question form, which are put back fresh for each request, and whether the
reader is signed in (the "Get help" links). The key holds everything else that changes the
bytes: the page and its revision, the interface language, the data saver, and the content
version (bumped when any page is published, unpublished, moved or deleted, and when a
picture changes: a moved page changes the links to it, a new picture its renditions).

A form that comes back with answers or errors (a POST) is rendered afresh, never cached. A
cache that does not answer only costs the render (courses/cache.py).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from courses.offline import data_saver_on
from lms.selectors.activities import content_version

CACHE_SECONDS = 24 * 60 * 60
CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
EVENT_FIELD = re.compile(r'(name="event" value=")[^"]*(")')
CSRF_HOLE = "\x00csrf\x00"
EVENT_HOLE = "\x00event\x00"
EVENT_HOLES = re.compile(re.escape(EVENT_HOLE))


def lesson_body_key(page, request: HttpRequest) -> str:
    return ":".join(
        (
            "puente:lesson-body",
            str(content_version()),
            str(page.pk),
            str(page.latest_revision_id or 0),
            get_language() or "",
            "saver" if data_saver_on(request) else "full",
            "person" if request.user.is_authenticated else "anyone",
        )
    )


def with_holes(html: str) -> str:
    html = CSRF_FIELD.sub(rf"\g<1>{CSRF_HOLE}\g<2>", html)
    return EVENT_FIELD.sub(rf"\g<1>{EVENT_HOLE}\g<2>", html)


def filled(html: str, request: HttpRequest) -> SafeString:
    """The cached body with this request's CSRF token and a new event id for each form."""
    html = html.replace(CSRF_HOLE, get_token(request))
    html = EVENT_HOLES.sub(lambda _hole: str(uuid.uuid4()), html)
    return mark_safe(html)  # noqa: S308 - HTML the template engine rendered and escaped


def lesson_body(
    page, request: HttpRequest, render: Callable[[], str], *, fresh: bool
) -> SafeString:
    """The body, from the cache when it may be (``fresh``: a form with answers or errors)."""
    if (
        fresh
        or request.method != "GET"
        or getattr(request, "is_preview", False)  # a draft: never the live page's key
        or not getattr(settings, "PUENTE_CACHE_LESSON_BODY", True)
    ):
        return mark_safe(render())  # noqa: S308 - rendered by the template engine
    key = lesson_body_key(page, request)
    cached = cache.get(key)
    if cached is None:
        cached = with_holes(render())
        cache.set(key, cached, CACHE_SECONDS)
    return filled(cached, request)
