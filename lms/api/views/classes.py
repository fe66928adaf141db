"""Classes, members, assignments and the class dashboard, for educators and integrations."""

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from lms.access import Audience, classroom_for, classrooms_for, schools_for
from lms.api.authentication import request_token
from lms.api.principals import api_principal_as
from lms.api.schema import THROTTLED
from lms.api.serializers.classes import (
    AssignmentSerializer,
    ClassroomSerializer,
    DashboardSerializer,
    JoinSerializer,
    MemberSerializer,
    NewAccountSerializer,
    NewMemberSerializer,
)
from lms.api.throttles import JoinPerAddress, JoinPerPerson
from lms.api.views.base import PuenteAPIView
from lms.api.views.learning import LANGUAGE_PARAMETER, requested_language
from lms.models import IntegrationToken
from lms.selectors.dashboard import class_dashboard, class_members
from lms.services.activity import Actor
from lms.services.assignments import assignment_create
from lms.services.classes import (
    ClassError,
    classroom_create,
    classroom_join,
    classroom_member_add,
)

PROGRESS_READ = IntegrationToken.Scope.PROGRESS_READ
CLASSES_WRITE = IntegrationToken.Scope.CLASSES_WRITE


class ClassView(PuenteAPIView):
    """A view about one class: its educators and administrators (and integrations of its
    school) reach it; for anyone else it does not exist (404)."""

    audience = Audience.STAFF

    def classroom(self, classroom_id: int):
        classroom = classroom_for(self.principal, classroom_id)
        if classroom is None:
            raise NotFound
        return classroom

    def actor(self) -> Actor:
        """Who the school's record says made a change: the person, or the integration."""
        token = request_token(self.request)
        if token is not None:
            return Actor(integration=token.name)
        return Actor(user=self.principal.user)


def class_error(error: ClassError, field: str = "non_field_errors") -> ValidationError:
    """A service's refusal as a 400 naming the field it is about."""
    return ValidationError({error.field or field: [str(error)]})


class ClassListView(PuenteAPIView):
    """The classes you teach (all of your school's, for an administrator); create one."""

    audience = Audience.STAFF
    integration_scopes = {"GET": PROGRESS_READ}

    @extend_schema(responses=ClassroomSerializer(many=True))
    def get(self, request: Request) -> Response:
        classrooms = (
            classrooms_for(self.principal)
            .select_related("school")
            .order_by("name")
            .annotate(learner_count=Count("memberships", distinct=True))
        )
        return Response(ClassroomSerializer(classrooms, many=True).data)

    @extend_schema(request=ClassroomSerializer, responses={201: ClassroomSerializer})
    def post(self, request: Request) -> Response:
        serializer = ClassroomSerializer(data=request.data)
        serializer.fields["school"].queryset = schools_for(self.principal)
        serializer.is_valid(raise_exception=True)
        try:
            classroom = classroom_create(
                school=serializer.validated_data["school"],
                name=serializer.validated_data["name"],
                educator=request.user,
            )
        except ClassError as error:
            raise ValidationError({"name": [str(error)]}) from error
        classroom.learner_count = 0
        return Response(ClassroomSerializer(classroom).data, status=status.HTTP_201_CREATED)


class ClassMembersView(ClassView):
    """The learners of a class; add a learner account to it."""

    integration_scopes = {"GET": PROGRESS_READ, "POST": CLASSES_WRITE}

    @extend_schema(responses=MemberSerializer(many=True))
    def get(self, request: Request, classroom_id: int) -> Response:
        classroom = self.classroom(classroom_id)
        members = [
            {
                "id": m.pk,
                "name": m.name,
                "username": m.user.username if m.user_id else None,
                "preferred_language": m.preferred_language,
            }
            for m in class_members(classroom)
        ]
        return Response(MemberSerializer(members, many=True).data)

    @extend_schema(request=NewMemberSerializer, responses={201: NewAccountSerializer})
    def post(self, request: Request, classroom_id: int) -> Response:
        """Create a learner account in the class; its password is in this answer only."""
        classroom = self.classroom(classroom_id)
        serializer = NewMemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            account = classroom_member_add(
                classroom=classroom,
                display_name=data["name"],
                preferred_language=data.get("language", ""),
                username=data.get("username", ""),
                actor=self.actor(),
            )
        except ClassError as error:
            raise class_error(error) from error
        return Response(NewAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class ClassAssignmentsView(ClassView):
    """What the class was assigned; assign a module or course to some of its learners."""

    integration_scopes = {"GET": PROGRESS_READ, "POST": CLASSES_WRITE}

    @extend_schema(responses=AssignmentSerializer(many=True))
    def get(self, request: Request, classroom_id: int) -> Response:
        classroom = self.classroom(classroom_id)
        assignments = classroom.assignments.prefetch_related("learners")
        return Response(AssignmentSerializer(assignments, many=True).data)

    @extend_schema(request=AssignmentSerializer, responses={201: AssignmentSerializer})
    def post(self, request: Request, classroom_id: int) -> Response:
        classroom = self.classroom(classroom_id)
        serializer = AssignmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        wanted = set(data.get("learner_ids", []))
        learners = [m for m in class_members(classroom) if m.pk in wanted]
        if len(learners) != len(wanted):
            raise ValidationError({"learner_ids": [_("Choose learners from this class.")]})
        try:
            assignment = assignment_create(
                classroom=classroom,
                activity_key=data["activity_key"],
                assigned_by=self.actor().user,
                due_on=data.get("due_on"),
                note=data.get("note", ""),
                note_language=data.get("note_language", ""),
                learners=learners,
                actor=self.actor(),
            )
        except ClassError as error:
            raise class_error(error, "activity_key") from error
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class ClassDashboardView(ClassView):
    """Each learner's progress through each assigned module, the questions missed most,
    and lessons completed per day."""

    integration_scopes = {"GET": PROGRESS_READ}

    @extend_schema(parameters=[LANGUAGE_PARAMETER], responses=DashboardSerializer)
    def get(self, request: Request, classroom_id: int) -> Response:
        classroom = self.classroom(classroom_id)
        dashboard = class_dashboard(
            classroom=classroom, language=requested_language(request), request=request
        )
        return Response(DashboardSerializer(dashboard).data)


class JoinClassView(PuenteAPIView):
    """Join a class with its code (a caregiver may join one of their children)."""

    audience = Audience.PERSON
    throttle_classes = [JoinPerPerson, JoinPerAddress]

    @extend_schema(
        request=JoinSerializer,
        responses={
            200: ClassroomSerializer,
            403: OpenApiResponse(
                description="The learner named is not a profile this phone may act as now."
            ),
            429: OpenApiResponse(description=THROTTLED),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = JoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        learner = api_principal_as(request, serializer.validated_data.get("learner")).profile
        try:
            classroom = classroom_join(code=serializer.validated_data["code"], learner=learner)
        except ClassError as error:
            raise ValidationError({"code": [str(error)]}) from error
        classroom.learner_count = classroom.memberships.count()
        return Response(ClassroomSerializer(classroom).data)
