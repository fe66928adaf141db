from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from lti_tool.constants import SESSION_KEY
from lti_tool.models import AbsentLtiLaunch
from lti_tool.utils import get_launch_from_request
from pylti1p3.exception import LtiException

from lms.lti.views import FRAME_ORIGIN_SESSION_KEY


class LtiLaunchMiddleware:
    """django-lti's launch middleware, read only when a view asks for ``request.lti_launch``.

    django-lti's own builds the launch object (with an HTTP session for the platform) on every
    request, page views included; only the LTI views read it. The body is django-lti's.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.lti_launch = SimpleLazyObject(lambda: _launch(request))
        return self.get_response(request)


def _launch(request: HttpRequest):
    try:
        return get_launch_from_request(request, request.session.get(SESSION_KEY))
    except LtiException:
        return AbsentLtiLaunch()


class LtiFrameMiddleware:
    """After an LTI launch, the LMS it came from may show Puente in an iframe (its origin joins
    the policy's frame-ancestors); every other site still may not."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        origin = session.get(FRAME_ORIGIN_SESSION_KEY) if session is not None else None
        if origin:
            response.xframe_options_exempt = True
            # django-csp's per-response additions (what its csp_update decorator sets), read by
            # its middleware, which sits earlier in MIDDLEWARE and so sees the response later.
            update = dict(getattr(response, "_csp_update", None) or {})
            update["frame-ancestors"] = [*update.get("frame-ancestors", ()), origin]
            response._csp_update = update
        return response
