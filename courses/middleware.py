from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

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


class RequestSizeLimitMiddleware:
    """413 Payload Too Large for a body bigger than DATA_UPLOAD_MAX_MEMORY_SIZE, said from its
    Content-Length before anything parses it (DRF's parsers would read it into memory whole;
    Django alone would answer a vague 400 later). The Wagtail admin is left out: editors
    upload images and documents, whose sizes Wagtail checks itself."""

    EXEMPT_PREFIXES = ("/admin/",)

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and not request.path.startswith(self.EXEMPT_PREFIXES):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0  # Django itself treats a malformed length as no body
            if length > limit:
                _drain(request, length)
                return self.too_large(request, limit)
        return self.get_response(request)

    @staticmethod
    def too_large(request: HttpRequest, limit: int) -> HttpResponseBase:
        message = _("The request is too large: at most %(limit)d bytes.") % {"limit": limit}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "too_large"}, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


# A refused body is read and dropped, up to this size, before the answer. A server that
# answers and closes with the body unread resets the connection (gunicorn's sync workers do
# not read it), and nginx, still sending the body it buffered, may then answer 502 instead of
# the 413. nginx refuses bodies above 3 MB itself (deploy/nginx/puente.conf).
DRAIN_AT_MOST = 8 * 1024 * 1024


def _drain(request: HttpRequest, length: int) -> None:
    if length > DRAIN_AT_MOST:
        return  # no proxy sent this: the client sees the connection close
    try:
        while request.read(64 * 1024):
            pass
    except OSError:
        pass  # the client went away: nothing to answer


# Already compressed: gzip again costs the server time and saves the phone nothing.
COMPRESSED_TYPES = ("image/avif", "image/webp", "image/jpeg", "image/png", "image/gif")
COMPRESSED_PREFIXES = ("audio/", "video/", "font/woff")


class GZipUnlessCompressedMiddleware(GZipMiddleware):
    """Django's gzip, except for pictures, sound and video (their formats are compressed), and
    for pages assembled from kept parts compressed once (courses/kept_pages.py): those are
    sent as prepared, while their bytes are still the ones it was prepared for."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase):
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        if content_type in COMPRESSED_TYPES or content_type.startswith(COMPRESSED_PREFIXES):
            return response
        prepared = getattr(response, "puente_gzip", None)
        if (
            prepared is not None
            and not response.streaming
            and not response.has_header("Content-Encoding")
            and prepared.matches(response.content)
        ):
            return self.send_prepared(request, response, prepared)
        return super().process_response(request, response)

    def send_prepared(self, request: HttpRequest, response: HttpResponse, prepared) -> HttpResponse:
        """What GZipMiddleware does to a whole response, with the prepared compression."""
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = prepared.gzip(self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
