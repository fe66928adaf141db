"""Classes, members, assignments and the class dashboard, for educators and integrations."""

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from lms.api.authentication import request_token
from lms.api.learners import api_learner
from lms.api.permissions import IsStaffMember
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
from lms.models import IntegrationToken, School
from lms.selectors.access import classroom_for, classrooms_for, household_of
from lms.selectors.dashboard import class_dashboard, class_members
from lms.selectors.integrations import integration_classrooms
from lms.services.classes import (
    ClassError,
    assignment_create,
    classroom_create,
    classroom_join,
    classroom_member_add,
)

PROGRESS_READ = IntegrationToken.Scope.PROGRESS_READ


def _classroom(request: Request, classroom_id: int):
    token = request_token(request)
    if token is not None:
        classroom = integration_classrooms(token).filter(pk=classroom_id).first()
        if classroom is None:
            raise NotFound
        return classroom
    try:
        return classroom_for(request.user, classroom_id)
    except Http404 as error:
        raise NotFound from error


class ClassListView(PuenteAPIView):
    """The classes you teach (all of your school's, for an administrator); create one."""

    permission_classes = [IsStaffMember]
    integration_scopes = {"GET": PROGRESS_READ}

    @extend_schema(responses=ClassroomSerializer(many=True))
    def get(self, request: Request) -> Response:
        token = request_token(request)
        classrooms = (
            (integration_classrooms(token) if token else classrooms_for(request.user))
            .select_related("school")
            .annotate(learner_count=Count("memberships", distinct=True))
        )
        return Response(ClassroomSerializer(classrooms, many=True).data)

    @extend_schema(request=ClassroomSerializer, responses={201: ClassroomSerializer})
    def post(self, request: Request) -> Response:
        serializer = ClassroomSerializer(data=request.data)
        serializer.fields["school"].queryset = School.objects.filter(staff__user=request.user)
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


class ClassMembersView(PuenteAPIView):
    """The learners of a class; add a learner account to it."""

    permission_classes = [IsStaffMember]
    integration_scopes = {"GET": PROGRESS_READ}

    @extend_schema(responses=MemberSerializer(many=True))
    def get(self, request: Request, classroom_id: int) -> Response:
        classroom = _classroom(request, classroom_id)
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
        classroom = _classroom(request, classroom_id)
        serializer = NewMemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            account = classroom_member_add(
                classroom=classroom,
                display_name=data["name"],
                preferred_language=data.get("language", ""),
                username=data.get("username", ""),
            )
        except ClassError as error:
            raise ValidationError({"non_field_errors": [str(error)]}) from error
        return Response(NewAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class ClassAssignmentsView(PuenteAPIView):
    """What the class was assigned; assign a module or course to some of its learners."""

    permission_classes = [IsStaffMember]
    integration_scopes = {"GET": PROGRESS_READ}

    @extend_schema(responses=AssignmentSerializer(many=True))
    def get(self, request: Request, classroom_id: int) -> Response:
        classroom = _classroom(request, classroom_id)
        assignments = classroom.assignments.prefetch_related("learners")
        return Response(AssignmentSerializer(assignments, many=True).data)

    @extend_schema(request=AssignmentSerializer, responses={201: AssignmentSerializer})
    def post(self, request: Request, classroom_id: int) -> Response:
        classroom = _classroom(request, classroom_id)
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
                assigned_by=request.user,
                due_on=data.get("due_on"),
                note=data.get("note", ""),
                learners=learners,
            )
        except ClassError as error:
            raise ValidationError({"activity_key": [str(error)]}) from error
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class ClassDashboardView(PuenteAPIView):
    """Each learner's progress through each assigned module, the questions missed most,
    and lessons completed per day."""

    permission_classes = [IsStaffMember]
    integration_scopes = {"GET": PROGRESS_READ}

    @extend_schema(parameters=[LANGUAGE_PARAMETER], responses=DashboardSerializer)
    def get(self, request: Request, classroom_id: int) -> Response:
        classroom = _classroom(request, classroom_id)
        dashboard = class_dashboard(
            classroom=classroom, language=requested_language(request), request=request
        )
        return Response(DashboardSerializer(dashboard).data)


class JoinClassView(PuenteAPIView):
    """Join a class with its code (a caregiver may join one of their children)."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [JoinPerPerson, JoinPerAddress]

    @extend_schema(
        request=JoinSerializer,
        responses={
            200: ClassroomSerializer,
            404: OpenApiResponse(description="No such child in your household."),
            429: OpenApiResponse(description=THROTTLED),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = JoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        learner = api_learner(request)
        child_id = serializer.validated_data.get("learner")
        if child_id is not None and child_id != learner.pk:
            household = household_of(request.user)
            if household is None:
                raise NotFound
            learner = get_object_or_404(household.members, pk=child_id)
        try:
            classroom = classroom_join(code=serializer.validated_data["code"], learner=learner)
        except ClassError as error:
            raise ValidationError({"code": [str(error)]}) from error
        classroom.learner_count = classroom.memberships.count()
        return Response(ClassroomSerializer(classroom).data)
