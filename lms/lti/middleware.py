from django.http import HttpRequest, HttpResponse

from lms.lti.views import FRAME_ORIGIN_SESSION_KEY


class LtiFrameMiddleware:
    """After an LTI launch, the LMS it came from may show Puente in an iframe; every other
    site still may not (X-Frame-Options: DENY stays the default)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        origin = session.get(FRAME_ORIGIN_SESSION_KEY) if session is not None else None
        if origin:
            response.xframe_options_exempt = True
            response["Content-Security-Policy"] = f"frame-ancestors 'self' {origin}"
        return response
