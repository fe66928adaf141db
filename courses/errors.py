"""The site's answer when something fails: a kind page in the reader's language, or JSON under
/api/, and 503 (not 500) when the database is down, so that load balancers, phones and
integrations know to try again.

Rendering touches neither the database nor the cache: they may be what failed.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        if unavailable:
            detail = _("Puente is unavailable for a moment. Please try again soon.")
        else:
            detail = _("Something went wrong on our side. Please try again.")
        response: HttpResponse = JsonResponse(
            {"detail": detail, "code": "unavailable" if unavailable else "server_error"},
            status=status,
        )
    else:
        response = _page(status, unavailable=unavailable)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 (a request Django refuses, such as an address not in ALLOWED_HOSTS): a kind page,
    not Django's bare English line. Nothing here reads the host, which may be what failed."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("This request could not be read."), "code": "bad_request"}, status=400
        )
    return _page(
        400,
        heading=_("We could not read that request"),
        message=_("Please go back and try again."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 when a form's security token is stale (a page left open across a sign-in or sign
    out, or for a long time): say what to do, in the reader's language."""
    return _page(
        403,
        heading=_("This page was open for a while"),
        message=_(
            "For your safety, please go back, reload the page and try again. "
            "What you saved before is not lost."
        ),
    )


def _page(status: int, *, unavailable: bool = False, heading: str = "", message: str = ""):
    template = loader.get_template("500.html")
    context = {
        "unavailable": unavailable,
        "heading": heading,
        "message": message,
        "language": get_language(),
        "bidi": get_language_bidi(),
    }
    return HttpResponse(template.render(context), status=status)
