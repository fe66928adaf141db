"""Help requests through the API: a family asks (the phone's offline queue sends here too) and
reads the answers; helpers, and a district's ticketing system with ``help:read`` /
``help:write``, read the queue, take requests, answer them and mark call-backs."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from lms.access import Audience
from lms.api.authentication import request_token
from lms.api.schema import THROTTLED
from lms.api.serializers.help import (
    HelpAskSerializer,
    HelpHandlingSerializer,
    HelpReplySerializer,
    HelpRequestSerializer,
)
from lms.api.throttles import HelpPerAddress, HelpPerPerson
from lms.api.views.base import PuenteAPIView
from lms.models import HelpRequest, HelpStatus, IntegrationToken
from lms.selectors.help import (
    help_queue,
    help_request_in_queue,
    help_request_reachable,
    help_requests_of_family,
)
from lms.services.help import (
    HelpAsk,
    HelpError,
    help_reply_send,
    help_request_assign,
    help_request_called_back,
    help_request_create,
    help_request_status_set,
)

HELP_READ = IntegrationToken.Scope.HELP_READ
HELP_WRITE = IntegrationToken.Scope.HELP_WRITE


def help_error(error: HelpError) -> ValidationError:
    return ValidationError({error.field or "non_field_errors": [str(error)]})


class HelpPagination(LimitOffsetPagination):
    """DRF's, except that a limit or offset that is not a number is a 400 saying so (DRF
    quietly uses its default, and the caller never learns their request was wrong)."""

    default_limit = 50
    max_limit = 200

    def _number(self, request: Request, name: str, default: int) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not raw.isdigit() or (name == self.limit_query_param and int(raw) == 0):
            raise ValidationError({name: [_("Send a whole number, like 50.")]})
        return int(raw)

    def get_limit(self, request: Request) -> int:
        return min(
            self._number(request, self.limit_query_param, self.default_limit), self.max_limit
        )

    def get_offset(self, request: Request) -> int:
        return self._number(request, self.offset_query_param, 0)


class HelpRequestsView(PuenteAPIView):
    """GET: help requests, newest first — a family's own (a caregiver's include the
    children's), a helper's or educator's queue, or an integration's school's. POST: ask for
    help as the active profile; the same ``id`` sent again returns the first request (200)."""

    audience = Audience.PERSON
    integration_scopes = {"GET": HELP_READ}
    pagination_class = HelpPagination

    def get_throttles(self):
        if self.request.method == "POST":
            return [HelpPerPerson(), HelpPerAddress()]
        return []

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=HelpStatus.values, description=_("Only these."))
        ],
        responses=HelpRequestSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        principal = self.principal
        requests = help_queue(principal=principal)
        if principal.is_person:
            requests = requests | help_requests_of_family(principal=principal)
        wanted = request.query_params.get("status")
        if wanted is not None:  # "?status=" is not one of them either
            if wanted not in HelpStatus.values:
                raise ValidationError(
                    {"status": [_("Choose one of: %s.") % ", ".join(HelpStatus.values)]}
                )
            requests = requests.filter(status=wanted)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(requests.distinct(), request, view=self)
        return paginator.get_paginated_response(HelpRequestSerializer(page, many=True).data)

    @extend_schema(
        request=HelpAskSerializer,
        responses={
            201: HelpRequestSerializer,
            200: OpenApiResponse(HelpRequestSerializer, _("Sent before: the first request.")),
            429: OpenApiResponse(description=THROTTLED),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = HelpAskSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ask = HelpAsk(
            client_id=data["id"],
            message=data["message"],
            language=data.get("language") or request.LANGUAGE_CODE,
            lesson_key=data.get("lesson"),
            question_id=data.get("question", ""),
            contact=data["contact"],
            phone=data.get("phone", ""),
            consent=data["consent"],
            best_time=data["best_time"],
        )
        try:
            created_request, created = help_request_create(learner=self.principal.profile, ask=ask)
        except HelpError as error:
            raise help_error(error) from error
        found = help_request_reachable(principal=self.principal, request_id=created_request.pk)
        return Response(
            HelpRequestSerializer(found).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class HelpRequestView(PuenteAPIView):
    """One help request with its answers: the family's own, or one in the caller's queue."""

    audience = Audience.PERSON
    integration_scopes = {"GET": HELP_READ}

    @extend_schema(responses=HelpRequestSerializer)
    def get(self, request: Request, help_request_id: int) -> Response:
        found = help_request_reachable(principal=self.principal, request_id=help_request_id)
        if found is None:
            raise NotFound
        return Response(HelpRequestSerializer(found).data)


class QueuedHelpView(PuenteAPIView):
    audience = Audience.STAFF

    def queued(self, help_request_id: int) -> HelpRequest:
        found = help_request_in_queue(principal=self.principal, request_id=help_request_id)
        if found is None:
            raise NotFound
        return found


class HelpHandlingView(QueuedHelpView):
    """Take a request (or give it back), mark that someone called the family back, or set
    its status (new, in-progress, answered, closed)."""

    integration_scopes = {"PATCH": HELP_WRITE}

    @extend_schema(request=HelpHandlingSerializer, responses=HelpRequestSerializer)
    def patch(self, request: Request, help_request_id: int) -> Response:
        found = self.queued(help_request_id)
        serializer = HelpHandlingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = self.principal.user
        if "take" in data:
            if data["take"] and user is None:
                raise ValidationError({"take": [_("An integration cannot take a request.")]})
            help_request_assign(request=found, user=user if data["take"] else None)
        if data.get("called_back"):
            help_request_called_back(request=found, user=user)
        if "status" in data:
            try:
                help_request_status_set(request=found, status=data["status"])
            except HelpError as error:
                raise help_error(error) from error
        return Response(HelpRequestSerializer(self.queued(help_request_id)).data)


class HelpRepliesView(QueuedHelpView):
    """Answer the family in Puente (in the language they wrote in, ideally): they see it on
    their home page, marked new."""

    integration_scopes = {"POST": HELP_WRITE}

    @extend_schema(request=HelpReplySerializer, responses={201: HelpReplySerializer})
    def post(self, request: Request, help_request_id: int) -> Response:
        found = self.queued(help_request_id)
        serializer = HelpReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = request_token(request)
        try:
            reply = help_reply_send(
                request=found,
                author=None if token else self.principal.user,
                **serializer.validated_data,
            )
        except HelpError as error:
            raise help_error(error) from error
        return Response(HelpReplySerializer(reply).data, status=status.HTTP_201_CREATED)
