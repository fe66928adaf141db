"""Where xAPI activity IRIs lead: JSON metadata for an LRS, the page for a person."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from lms.activities import ActivityType
from lms.selectors.activities import activity_definition, activity_page_url, question_lesson_key
from lms.views.access import anyone


@anyone
def activity_metadata(request: HttpRequest, activity_type: str, key: uuid.UUID) -> HttpResponse:
    """xAPI activity IRIs resolve (xAPI 1.0.3, hosted metadata): a machine asking for JSON gets
    the activity's definition, a browser the activity's page in its reader's language (a
    question: its place in its lesson)."""
    try:
        kind = ActivityType(activity_type)
    except ValueError as error:
        raise Http404 from error
    key = str(key)
    if request.get_preferred_type(["application/json", "text/html"]) == "application/json":
        definition = activity_definition(kind, key)
        if definition is None:
            raise Http404
        response = JsonResponse(definition, json_dumps_params={"ensure_ascii": False})
    else:
        anchor = ""
        if kind == ActivityType.QUESTION:
            lesson_key = question_lesson_key(key)
            if lesson_key is None:
                raise Http404
            kind, key, anchor = ActivityType.LESSON, lesson_key, f"#q-{key}"
        url = activity_page_url(kind, key, get_language())
        if url is None:
            raise Http404
        response = HttpResponseRedirect(url + anchor)
    patch_vary_headers(response, ["Accept", "Accept-Language"])
    return response
