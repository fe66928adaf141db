from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import get_language_info

from courses.search.selectors import pages_search, search_query_clean


def search(request: HttpRequest) -> TemplateResponse:
    """The results page: a plain GET form, so it works without JavaScript."""
    query = search_query_clean(request.GET.get("q", ""))
    hits = pages_search(query=query, language=translation.get_language(), request=request)
    return TemplateResponse(
        request,
        "courses/search.html",
        {
            "query": query,
            "hits": hits,
            "english_name": get_language_info("en")["name_translated"],
        },
    )
