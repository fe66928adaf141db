"""LTI 1.3 endpoints: OIDC login initiation, launches, the deep-linking picker, roster sync.

Launches land in the platform's language on the Puente page of the launched module, signed in
as the platform user's own Puente account (made on first launch: no email, no password).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import requests
from csp.decorators import csp_exempt
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from lti_tool.constants import SESSION_KEY
from lti_tool.models import LtiRegistration
from lti_tool.utils import sync_data_from_launch
from lti_tool.views import OIDCLoginInitView
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem

from lms.access import principal_of
from lms.i18n import home_url
from lms.lti.launch import launch_validate
from lms.lti.services import (
    ACTIVITY_PARAMETER,
    SCORE_MAXIMUM,
    LtiError,
    lti_activity_link,
    lti_language,
    lti_learner,
    lti_roster_sync,
    lti_staff_grant,
    lti_user_minimise,
)
from lms.selectors.activities import activity_page_url
from lms.selectors.outline import course_outlines

logger = logging.getLogger(__name__)
FRAME_ORIGIN_SESSION_KEY = "puente_lti_frame_origin"
LANGUAGE_SESSION_KEY = "puente_lti_language"
CONTEXT_SESSION_KEY = "puente_lti_context"


@method_decorator(csp_exempt(), name="dispatch")  # pylti1p3's cookie check is an inline script
class LoginInitView(OIDCLoginInitView):
    """django-lti's OIDC initiation, in the browser's language, and tolerant of platforms that
    leave out ``client_id`` (the registration in the URL says which one it is)."""

    def get_oidc_response(self, request, registration_uuid, params):
        self.main_msg = _(
            "Your browser keeps embedded pages from using cookies, so Puente must open in a "
            "new tab or window."
        )
        self.click_msg = _("Open Puente in a new tab or window")
        self.loading_msg = _("Loading…")
        registration = LtiRegistration.objects.active().filter(uuid=registration_uuid).first()
        if registration is None:
            return launch_error(request, _("Puente does not know this LMS registration."))
        if not params.get("client_id"):
            params = params.copy()
            params["client_id"] = registration.client_id
            if request.method == "GET":
                request.GET = params
            else:
                request.POST = params
        try:
            return super().get_oidc_response(request, registration_uuid, params)
        except (LtiException, OIDCException) as error:
            return launch_error(request, str(error))


def launch_error(request: HttpRequest, detail: str, status: int = 400) -> HttpResponse:
    logger.info("LTI launch refused: %s", detail)
    return render(request, "lms/lti/error.html", {"detail": detail}, status=status)


@method_decorator((csrf_exempt, xframe_options_exempt), name="dispatch")
class LaunchView(View):
    """The platform posts the signed launch here (resource links and deep linking)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        request.session.flush()
        try:
            launch = launch_validate(request)
        except LtiException as error:
            return launch_error(request, str(error))
        sync_data_from_launch(launch, None)
        if not launch.deployment.is_active:
            return launch_error(request, _("This deployment is not active in Puente."), 403)
        lti_user_minimise(launch.user)
        language = lti_language(launch)
        learner = lti_learner(lti_user=launch.user, language=language)
        login(request, learner.user, backend="lms.backends.LearnerModelBackend")
        request.session[SESSION_KEY] = launch.get_launch_id()
        request.session[LANGUAGE_SESSION_KEY] = language
        origin = _frame_origin(launch)
        if origin:
            request.session[FRAME_ORIGIN_SESSION_KEY] = origin
        is_educator = lti_staff_grant(launch=launch, learner=learner)
        with translation.override(language):
            if launch.is_deep_link_launch:
                return self.deep_linking(request, launch, language)
            if launch.is_resource_launch:
                return self.resource(request, launch, learner, language, is_educator)
        return launch_error(request, _("Puente does not handle this kind of launch."))

    def resource(self, request, launch, learner, language, is_educator) -> HttpResponse:
        link = lti_activity_link(launch=launch, learner=learner)
        if is_educator and launch.context is not None and launch.nrps_claim:
            request.session[CONTEXT_SESSION_KEY] = launch.context.pk
        if link is None:
            return HttpResponseRedirect(home_url(language))
        url = activity_page_url(link.activity_type, link.activity_key, language)
        return HttpResponseRedirect(url or home_url(language))

    def deep_linking(self, request, launch, language) -> HttpResponse:
        if launch.membership is None or not launch.membership.is_instructor:
            return launch_error(request, _("Only instructors can add Puente content."), 403)
        return _picker(request, launch, language)


def _picker(request, launch, language: str, error: str = "", status: int = 200) -> HttpResponse:
    """The catalog, in the instructor's language, to choose courses and modules from."""
    courses = course_outlines(language=language, request=request)
    context = {"courses": courses, "grades": bool(launch.ags_claim), "error": error}
    return render(request, "lms/lti/picker.html", context, status=status)


def _frame_origin(launch) -> str:
    """The LMS the launch came from (its return URL): Puente may be framed by it."""
    return_url = (launch.launch_presentation_claim or {}).get("return_url", "")
    parts = urlsplit(return_url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return ""


@csp_exempt()  # pylti1p3 posts the answer to the platform with an inline script
@xframe_options_exempt
@require_POST
def deep_link_return(request: HttpRequest) -> HttpResponse:
    """The instructor's choice goes back to the platform as resource links (with line items
    when the platform keeps grades)."""
    launch = request.lti_launch
    if launch.is_absent or not launch.is_deep_link_launch:
        return launch_error(request, _("Open this page from your LMS."), 403)
    if launch.membership is None or not launch.membership.is_instructor:
        return launch_error(request, _("Only instructors can add Puente content."), 403)
    language = request.session.get(LANGUAGE_SESSION_KEY) or translation.get_language()
    with translation.override(language):
        titles = {  # what the picker offers: courses and their modules
            node.key: node.title
            for course in course_outlines(language=language, request=request)
            for node in (course, *course.children)
        }
        resources = [
            _deep_link_resource(request, launch, key, titles.get(key, _("Puente")))
            for key in request.POST.getlist("activity")
            if key in titles
        ]
        if not resources:
            error = _("Choose at least one module or course.")
            return _picker(request, launch, language, error=error, status=400)
        return launch.deep_link_response(resources)


def _deep_link_resource(request, launch, activity_key: str, title: str) -> DeepLinkResource:
    """A resource link that launches the activity, with a gradebook column when the platform
    keeps grades."""
    resource = (
        DeepLinkResource()
        .set_url(request.build_absolute_uri(reverse("lms:lti:launch")))
        .set_title(title)
        .set_custom_params({ACTIVITY_PARAMETER: activity_key})
    )
    if launch.ags_claim:
        resource.set_lineitem(
            LineItem()
            .set_label(title)
            .set_score_maximum(SCORE_MAXIMUM)
            .set_resource_id(activity_key)
            .set_tag("puente")
        )
    return resource


@xframe_options_exempt
@require_POST
def roster_sync(request: HttpRequest) -> HttpResponse:
    """An instructor brings the LMS course's learners into a Puente class."""
    launch = request.lti_launch
    principal = principal_of(request)
    if launch.is_absent or launch.context is None or not principal.is_grown_up:
        return launch_error(request, _("Open Puente from your LMS course first."), 403)
    if launch.membership is None or not launch.membership.is_instructor:
        return launch_error(request, _("Only instructors can sync the roster."), 403)
    try:
        link = lti_roster_sync(context=launch.context, educator=principal.user)
    except (LtiError, LtiException) as error:
        return launch_error(request, str(error))
    except requests.RequestException as error:
        logger.warning("Roster sync: the platform did not answer: %s", type(error).__name__)
        return launch_error(
            request, _("The LMS did not answer in time. Please try the roster sync again."), 502
        )
    messages.success(
        request,
        _("%(count)d learners are in %(class)s.")
        % {"count": link.classroom.memberships.count(), "class": link.classroom.name},
    )
    return HttpResponseRedirect(reverse("lms:class", kwargs={"classroom_id": link.classroom.pk}))
