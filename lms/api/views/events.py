from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from lms.api.authentication import request_token
from lms.api.errors import PayloadTooLarge
from lms.api.schema import BAD_REQUEST_SCHEMA, THROTTLED
from lms.api.serializers.events import (
    EventBatchResultSerializer,
    EventBatchSerializer,
    EventSerializer,
)
from lms.api.throttles import EventsPerAddress, EventsPerPerson
from lms.api.views.base import PuenteAPIView
from lms.conf import lms_setting
from lms.models import IntegrationToken, Learner
from lms.selectors.integrations import integration_learner
from lms.services.progress import (
    EventInput,
    EventRejected,
    LearnerLookups,
    learner_event_record,
    learner_events_batch,
)


def _event_input(data: dict) -> EventInput:
    return EventInput(
        event_id=data["id"],
        kind=data["type"],
        lesson_key=data["lesson"],
        occurred_at=data["occurred_at"],
        language=data.get("language", ""),
        question_id=data.get("question", ""),
        choice_ids=tuple(data.get("choices", ())),
        progress=data.get("progress"),
        duration_seconds=data.get("duration_seconds"),
    )


class EventBatchView(PuenteAPIView):
    """Record a batch of learner events (phones send what they queued while offline).

    Signed in, the events are the learner's own; with an integration token (scope
    ``events:write``) ``learner`` names a learner in one of the token's school's classes."""

    integration_scopes = {"POST": IntegrationToken.Scope.EVENTS_WRITE}
    throttle_classes = [EventsPerPerson, EventsPerAddress]

    @extend_schema(
        request=EventBatchSerializer,
        responses={
            200: EventBatchResultSerializer,
            207: OpenApiResponse(EventBatchResultSerializer, "Some events were rejected."),
            400: OpenApiResponse(
                {"anyOf": [{"$ref": "#/components/schemas/EventBatchResult"}, BAD_REQUEST_SCHEMA]},
                "Every event was rejected (each result says why), or the body is not a batch "
                "of events (field errors).",
            ),
            413: OpenApiResponse(description="More events than one request may carry."),
            429: OpenApiResponse(description=THROTTLED),
        },
        examples=[
            OpenApiExample(
                "An answer",
                request_only=True,
                value={
                    "events": [
                        {
                            "id": "0b0f3a52-6a4e-4a54-9d6c-3bbd3f5d0c4e",
                            "type": "answered",
                            "lesson": "6c3e2f0b-4c1f-5e8c-9b1d-2a7f6d5e4c3b",
                            "occurred_at": "2026-11-28T15:30:40.123Z",
                            "language": "es",
                            "question": "d3c1...",
                            "choices": ["a1b2..."],
                        }
                    ]
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        events = request.data.get("events") if isinstance(request.data, dict) else None
        if not isinstance(events, list) or not events:
            raise ValidationError({"events": [_("Send a non-empty list of events.")]})
        limit = lms_setting("EVENTS_MAX_BATCH")
        if len(events) > limit:
            raise PayloadTooLarge(
                _("At most %(limit)d events per request; this one has %(count)d.")
                % {"limit": limit, "count": len(events)}
            )
        learner = self._learner(request)
        # One serializer checks every event, as DRF's ListSerializer does with its child:
        # building a serializer copies its fields, and that was most of an event's check.
        checker = EventSerializer()
        # One transaction for the batch: a refused event costs only itself, and the batch pays
        # for one commit instead of one per event. If the commit fails nothing is kept, and
        # the phone sends the same events again.
        with learner_events_batch(learner=learner) as batch:
            results = [self._record(learner, item, checker, batch) for item in events]
        counts = {
            key: sum(1 for r in results if r["status"] == key)
            for key in ("recorded", "duplicate", "rejected")
        }
        body = {
            "recorded": counts["recorded"],
            "duplicates": counts["duplicate"],
            "rejected": counts["rejected"],
            "results": results,
        }
        if not counts["rejected"]:
            code = status.HTTP_200_OK
        elif counts["rejected"] == len(results):
            code = status.HTTP_400_BAD_REQUEST
        else:
            code = status.HTTP_207_MULTI_STATUS
        return Response(body, status=code)

    def _learner(self, request: Request) -> Learner:
        token = request_token(request)
        if token is None:
            return self.principal.profile
        learner = integration_learner(token, request.data.get("learner"))
        if learner is None:
            message = _("Give the id of a learner in one of your school's classes.")
            raise ValidationError({"learner": [message]})
        return learner

    def _record(
        self, learner: Learner, item: object, checker: EventSerializer, lookups: LearnerLookups
    ) -> dict:
        event_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(event_id, str):  # echo back only what can be an id
            event_id = None
        try:
            data = checker.run_validation(item)
        except ValidationError:
            # Said as is_valid() says it (a null event is "No data provided", not a list).
            refused = EventSerializer(data=item)
            refused.is_valid()
            return {"id": event_id, "status": "rejected", "errors": refused.errors}
        try:
            outcome = learner_event_record(
                learner=learner, event=_event_input(data), lookups=lookups
            )
        except EventRejected as error:
            return {
                "id": event_id,
                "status": "rejected",
                "errors": {error.field or "non_field_errors": [error.message]},
            }
        result = {
            "id": str(outcome.event_id),
            "status": "duplicate" if outcome.duplicate else "recorded",
        }
        if outcome.grade is not None:
            result["correct"] = outcome.grade.correct
        if not outcome.duplicate:
            result["lesson_completed"] = outcome.lesson_completed
            if outcome.unanswered_question_ids:
                result["unanswered_questions"] = list(outcome.unanswered_question_ids)
        return result
