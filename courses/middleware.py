from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, without turning a view's own 404 into a redirect.

    Django redirects any 404 outside i18n_patterns to /<language>/<path> when that path
    resolves — and Wagtail's catch-all page route makes every path resolve, so an API's
    "not found" became a redirect to an HTML page. Only requests that no URL matched (such
    as "/") are sent to their language.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code == 404 and getattr(request, "resolver_match", None) is not None:
            return response
        return super().process_response(request, response)
