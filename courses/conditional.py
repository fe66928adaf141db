"""Conditional GET for lessons read without signing in: a phone revisiting a lesson it already
holds sends If-None-Match and gets 304 Not Modified, no HTML over a prepaid connection, and
the server does not render the page at all.

The ETag names what makes the bytes (the page and its revision, the content version, the
language, the data saver, the release's templates and static files) and the phone's CSRF
cookie, which its copy's forms are signed with. Signed-in pages carry a learner's progress:
they get none. A page with a message waiting (a notice after signing out) gets none either.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from courses.offline import data_saver_on, static_version
from lms.selectors.activities import content_version

TEMPLATE_ROOTS = [Path(__file__).resolve().parent / "templates"]


@functools.cache
def release_version() -> str:
    """A hash of the site's and the plugin's templates and core static files: a new release
    is a new version, and phones' copies of lessons are not reused across it."""
    import lms

    digest = hashlib.sha256(static_version().encode())
    roots = [*TEMPLATE_ROOTS, Path(lms.__file__).resolve().parent / "templates"]
    for root in roots:
        for path in sorted(root.rglob("*.html")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def lesson_validator(page, request: HttpRequest) -> str | None:
    """What makes an anonymous reader's lesson bytes, apart from their CSRF cookie; None when
    the page is personal (signed in, a preview, a message waiting) and gets no validator."""
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return None
    if getattr(request, "is_preview", False) or len(get_messages(request)):
        return None
    return "|".join(page_bytes_parts(page, request))


def page_bytes_parts(page, request: HttpRequest) -> tuple[str, ...]:
    """What makes a lesson's shared bytes: the release, the content version, the page and its
    revision, the language and the data saver (the ETag, and the signed-in shell's key)."""
    return (
        release_version(),
        str(content_version()),
        str(page.pk),
        str(page.latest_revision_id or 0),
        get_language() or "",
        "saver" if data_saver_on(request) else "full",
    )


def etag_for(validator: str | None, request: HttpRequest) -> str | None:
    """The validator with the phone's CSRF cookie, which its copy's forms are signed with."""
    if validator is None:
        return None
    signed = f"{validator}|{request.COOKIES.get(settings.CSRF_COOKIE_NAME, '')}"
    return f'W/"{hashlib.sha256(signed.encode()).hexdigest()[:32]}"'


def not_modified(request: HttpRequest, etag: str | None) -> HttpResponse | None:
    """304 when the phone's copy is the page we would send."""
    if etag is None:
        return None
    sent = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag not in sent:
        return None
    return with_validator(HttpResponseNotModified(), etag)


def with_validator(response: HttpResponse, etag: str | None) -> HttpResponse:
    if etag is not None:
        response["ETag"] = etag
        # The phone keeps it, and asks each time whether it is still the page.
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ("Cookie",))
    return response
