from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

from courses.styles import stylesheet_hash


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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, plus the hash of the stylesheet every page inlines: the policy
    needs no 'unsafe-inline', and the hash follows the file when it changes."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        update = dict(parts.update or {})
        update["style-src"] = [*update.get("style-src", ()), stylesheet_hash()]
        parts.update = update
        return parts
