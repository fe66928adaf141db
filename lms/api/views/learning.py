from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from lms.access import Audience, acting_profiles, household_for
from lms.api.serializers.catalog import CourseSerializer
from lms.api.serializers.progress import CourseProgressSerializer, HouseholdMemberSerializer
from lms.api.views.base import PuenteAPIView
from lms.models import IntegrationToken
from lms.selectors.assignments import assignments_for_learners
from lms.selectors.outline import course_outlines
from lms.selectors.progress import learner_progress

LANGUAGE_PARAMETER = OpenApiParameter(
    "language",
    str,
    description="Language of titles and URLs (one of the site's); default: Accept-Language.",
    enum=[code for code, _name in settings.LANGUAGES],
)


def requested_language(request: Request) -> str:
    """The ``language`` asked for; without one, the request's (Accept-Language)."""
    codes = [code for code, _name in settings.LANGUAGES]
    asked = request.query_params.get("language")
    if asked is not None:
        if asked not in codes:
            message = _("Choose one of: %(codes)s.") % {"codes": ", ".join(codes)}
            raise ValidationError({"language": [message]})
        return asked
    language = get_language() or settings.LANGUAGE_CODE
    return language if language in codes else settings.LANGUAGE_CODE


class CatalogView(PuenteAPIView):
    """Courses with their modules and lessons; lesson keys are what events refer to."""

    audience = Audience.ANYONE
    integration_scopes = {"GET": IntegrationToken.Scope.CATALOG_READ}

    @extend_schema(parameters=[LANGUAGE_PARAMETER], responses=CourseSerializer(many=True))
    def get(self, request: Request) -> Response:
        courses = course_outlines(language=requested_language(request), request=request)
        return Response(CourseSerializer(courses, many=True).data)


class MyProgressView(PuenteAPIView):
    """The signed-in learner's own progress, per course, module and lesson."""

    @extend_schema(parameters=[LANGUAGE_PARAMETER], responses=CourseProgressSerializer(many=True))
    def get(self, request: Request) -> Response:
        learner = self.principal.profile
        courses = learner_progress(
            learner=learner, language=requested_language(request), request=request
        )
        return Response(CourseProgressSerializer(courses, many=True).data)


class HouseholdView(PuenteAPIView):
    """A caregiver's household: each member's progress and what they were assigned."""

    audience = Audience.GROWN_UP

    @extend_schema(
        parameters=[LANGUAGE_PARAMETER],
        responses={
            200: HouseholdMemberSerializer(many=True),
            404: OpenApiResponse(description="This account keeps no household."),
        },
    )
    def get(self, request: Request) -> Response:
        if household_for(self.principal) is None:
            raise NotFound
        language = requested_language(request)
        members = acting_profiles(self.principal)
        assignments = assignments_for_learners(learners=members, language=language, request=request)
        data = [
            {
                "id": member.pk,
                "name": member.name,
                "is_child": member.is_child_profile,
                "courses": learner_progress(learner=member, language=language, request=request),
                "assignments": assignments[member.pk],
            }
            for member in members
        ]
        return Response(HouseholdMemberSerializer(data, many=True).data)
