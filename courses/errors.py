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
        template = loader.get_template("500.html")
        context = {
            "unavailable": unavailable,
            "language": get_language(),
            "bidi": get_language_bidi(),
        }
        response = HttpResponse(template.render(context), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
