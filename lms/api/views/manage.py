"""Managing a class through the API, with the same services as the teach pages: rename and
archive, change or take back assignments, a learner's record, a new password for an account
the school made, moving or removing learners, messages to families, and the school's record
of changes. Integration tokens need ``classes:write`` to change anything."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from lms.access import Audience, administered_schools, classroom_for
from lms.api.authentication import request_token
from lms.api.serializers.classes import AssignmentSerializer, NewAccountSerializer
from lms.api.serializers.manage import (
    ActivitySerializer,
    AssignmentChangeSerializer,
    ClassroomChangeSerializer,
    ClassroomDetailSerializer,
    LearnerRecordSerializer,
    MessageSerializer,
    MoveSerializer,
)
from lms.api.views.base import PuenteAPIView
from lms.api.views.classes import ClassView, class_error
from lms.api.views.learning import LANGUAGE_PARAMETER, requested_language
from lms.models import Assignment, ClassMessage, IntegrationToken, School
from lms.selectors.assignments import messages_for_classroom
from lms.selectors.class_activity import class_activity_for_schools
from lms.selectors.dashboard import class_members
from lms.selectors.learner_record import learner_record
from lms.services.assignments import assignment_delete, assignment_update
from lms.services.classes import (
    ClassError,
    classroom_archive,
    classroom_member_move,
    classroom_member_remove,
    classroom_rename,
    learner_password_reset,
)
from lms.services.messages import class_message_delete, class_message_send

PROGRESS_READ = IntegrationToken.Scope.PROGRESS_READ
CLASSES_WRITE = IntegrationToken.Scope.CLASSES_WRITE
ACTIVITY_SHOWN = 200


class ClassDetailView(ClassView):
    """A class: its name, school, join code and whether it is archived. PATCH renames it,
    archives it or reopens it."""

    integration_scopes = {"GET": PROGRESS_READ, "PATCH": CLASSES_WRITE}

    @extend_schema(responses=ClassroomDetailSerializer)
    def get(self, request: Request, classroom_id: int) -> Response:
        return Response(ClassroomDetailSerializer(self.classroom(classroom_id)).data)

    @extend_schema(request=ClassroomChangeSerializer, responses=ClassroomDetailSerializer)
    def patch(self, request: Request, classroom_id: int) -> Response:
        classroom = self.classroom(classroom_id)
        serializer = ClassroomChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            if "name" in data:
                classroom_rename(classroom=classroom, name=data["name"], actor=self.actor())
            if "archived" in data:
                classroom_archive(
                    classroom=classroom, archived=data["archived"], actor=self.actor()
                )
        except ClassError as error:
            raise class_error(error, "name") from error
        return Response(ClassroomDetailSerializer(classroom).data)


class AssignmentDetailView(ClassView):
    """One assignment. PATCH changes its due date, note or learners; DELETE takes it back
    (learners keep their progress)."""

    integration_scopes = {"GET": PROGRESS_READ, "PATCH": CLASSES_WRITE, "DELETE": CLASSES_WRITE}

    def assignment(self, classroom_id: int, assignment_id: int) -> Assignment:
        classroom = self.classroom(classroom_id)
        assignment = classroom.assignments.filter(pk=assignment_id).first()
        if assignment is None:
            raise NotFound
        return assignment

    @extend_schema(responses=AssignmentSerializer)
    def get(self, request: Request, classroom_id: int, assignment_id: int) -> Response:
        return Response(AssignmentSerializer(self.assignment(classroom_id, assignment_id)).data)

    @extend_schema(request=AssignmentChangeSerializer, responses=AssignmentSerializer)
    def patch(self, request: Request, classroom_id: int, assignment_id: int) -> Response:
        assignment = self.assignment(classroom_id, assignment_id)
        serializer = AssignmentChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        learners = (
            members_named(assignment.classroom, data["learner_ids"])
            if "learner_ids" in data
            else list(assignment.learners.all())
        )
        try:
            assignment_update(
                assignment=assignment,
                due_on=data.get("due_on", assignment.due_on),
                note=data.get("note", assignment.note),
                note_language=data.get("note_language", assignment.note_language),
                learners=learners,
                actor=self.actor(),
            )
        except ClassError as error:
            raise class_error(error) from error
        return Response(AssignmentSerializer(assignment).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, classroom_id: int, assignment_id: int) -> Response:
        assignment_delete(
            assignment=self.assignment(classroom_id, assignment_id), actor=self.actor()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def members_named(classroom, learner_ids: list[int]) -> list:
    wanted = set(learner_ids)
    learners = list(class_members(classroom).filter(pk__in=wanted))
    if len(learners) != len(wanted):
        raise ValidationError({"learner_ids": [_("Choose learners from this class.")]})
    return learners


class MemberView(ClassView):
    def member(self, classroom, learner_id: int):
        learner = class_members(classroom).filter(pk=learner_id).first()
        if learner is None:
            raise NotFound
        return learner


class MemberDetailView(MemberView):
    """A learner of the class: their assignments lesson by lesson, their latest answers and
    when they last learned. DELETE takes them out of the class (their progress stays)."""

    integration_scopes = {"GET": PROGRESS_READ, "DELETE": CLASSES_WRITE}

    @extend_schema(parameters=[LANGUAGE_PARAMETER], responses=LearnerRecordSerializer)
    def get(self, request: Request, classroom_id: int, learner_id: int) -> Response:
        classroom = self.classroom(classroom_id)
        record = learner_record(
            classroom=classroom,
            learner=self.member(classroom, learner_id),
            language=requested_language(request),
            request=request,
        )
        return Response(LearnerRecordSerializer(record).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, classroom_id: int, learner_id: int) -> Response:
        classroom = self.classroom(classroom_id)
        classroom_member_remove(
            classroom=classroom, learner=self.member(classroom, learner_id), actor=self.actor()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberMoveView(MemberView):
    """Move a learner to another class of the same school."""

    integration_scopes = {"POST": CLASSES_WRITE}

    @extend_schema(request=MoveSerializer, responses={200: ClassroomDetailSerializer})
    def post(self, request: Request, classroom_id: int, learner_id: int) -> Response:
        classroom = self.classroom(classroom_id)
        learner = self.member(classroom, learner_id)
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target = classroom_for(self.principal, serializer.validated_data["to"])
        if target is None:
            raise ValidationError({"to": [_("Choose a class you teach at this school.")]})
        try:
            classroom_member_move(
                classroom=classroom, learner=learner, to=target, actor=self.actor()
            )
        except ClassError as error:
            raise class_error(error, "to") from error
        return Response(ClassroomDetailSerializer(target).data)


class MemberPasswordView(MemberView):
    """A new password for a learner whose account the school made (the old one stops
    working); it is in this answer only. Accounts people made themselves are refused (400)."""

    integration_scopes = {"POST": CLASSES_WRITE}

    @extend_schema(request=None, responses={201: NewAccountSerializer})
    def post(self, request: Request, classroom_id: int, learner_id: int) -> Response:
        classroom = self.classroom(classroom_id)
        try:
            account = learner_password_reset(
                classroom=classroom,
                learner=self.member(classroom, learner_id),
                actor=self.actor(),
            )
        except ClassError as error:
            raise class_error(error) from error
        return Response(NewAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class ClassMessagesView(ClassView):
    """The class's messages to its families, newest first; POST sends one (it shows on each
    learner's home, and a caregiver's)."""

    integration_scopes = {"GET": PROGRESS_READ, "POST": CLASSES_WRITE}

    @extend_schema(responses=MessageSerializer(many=True))
    def get(self, request: Request, classroom_id: int) -> Response:
        messages = messages_for_classroom(classroom=self.classroom(classroom_id))
        return Response(MessageSerializer(messages, many=True).data)

    @extend_schema(request=MessageSerializer, responses={201: MessageSerializer})
    def post(self, request: Request, classroom_id: int) -> Response:
        classroom = self.classroom(classroom_id)
        serializer = MessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            message = class_message_send(
                classroom=classroom, actor=self.actor(), **serializer.validated_data
            )
        except ClassError as error:
            raise class_error(error, "text") from error
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class ClassMessageView(ClassView):
    integration_scopes = {"DELETE": CLASSES_WRITE}

    @extend_schema(responses={204: None})
    def delete(self, request: Request, classroom_id: int, message_id: int) -> Response:
        message = ClassMessage.objects.filter(
            pk=message_id, classroom=self.classroom(classroom_id)
        ).first()
        if message is None:
            raise NotFound
        class_message_delete(message=message, actor=self.actor())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActivityView(PuenteAPIView):
    """What educators and integrations changed in the school's classes, newest first (the
    last 200): for school administrators, and tokens with progress:read."""

    audience = Audience.SCHOOL_ADMIN
    integration_scopes = {"GET": PROGRESS_READ}

    @extend_schema(
        responses={
            200: ActivitySerializer(many=True),
            403: OpenApiResponse(description="Only school administrators can see this."),
        }
    )
    def get(self, request: Request) -> Response:
        token = request_token(request)
        if token is not None:
            schools = School.objects.filter(pk=token.school_id)
        else:
            schools = administered_schools(self.principal)
        entries = class_activity_for_schools(schools)[:ACTIVITY_SHOWN]
        return Response(ActivitySerializer(entries, many=True).data)
