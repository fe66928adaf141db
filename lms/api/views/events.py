from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
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
from lms.services.accepted_events import learner_events_accept
from lms.services.progress import (
    EventInput,
    EventRejected,
    LearnerLookups,
    event_check,
    learner_event_record,
    learner_events_batch,
)

# One serializer checks every event of every request, as DRF's ListSerializer does with its
# child within a request: a serializer copies its fields when first used, and that was most of
# an event's check. Checking keeps no state on it (run_validation returns the data).
_CHECKER = EventSerializer()


def _prefers_async(request: Request) -> bool:
    """The client asked for the events to be recorded after the answer (RFC 7240)."""
    preferences = request.headers.get("Prefer", "")
    return any(p.split(";")[0].strip().lower() == "respond-async" for p in preferences.split(","))


class _Refused(Exception):
    """An event whose fields are wrong; ``result`` says which, as ``is_valid()`` says it."""

    def __init__(self, result: dict) -> None:
        self.result = result


def _id_of(item: object) -> str | None:
    event_id = item.get("id") if isinstance(item, dict) else None
    return event_id if isinstance(event_id, str) else None  # echo back only what can be an id


def _rejected(event_id: str | None, error: EventRejected) -> dict:
    return {
        "id": event_id,
        "status": "rejected",
        "errors": {error.field or "non_field_errors": [error.message]},
    }


def _checked_input(item: object) -> EventInput:
    try:
        return _event_input(_CHECKER.run_validation(item))
    except ValidationError:
        # Said as is_valid() says it (a null event is "No data provided", not a list).
        refused = EventSerializer(data=item)
        refused.is_valid()
        result = {"id": _id_of(item), "status": "rejected", "errors": refused.errors}
        raise _Refused(result) from None


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
        parameters=[
            OpenApiParameter(
                "Prefer",
                str,
                OpenApiParameter.HEADER,
                description=(
                    "respond-async: check the events and keep them, to be recorded a moment "
                    "later (202). The answer says which were refused and whether answers were "
                    "right, but not lesson completion. The learner's progress, read next, "
                    "includes them."
                ),
            )
        ],
        responses={
            200: EventBatchResultSerializer,
            202: OpenApiResponse(
                EventBatchResultSerializer,
                "Every event was checked and kept (Prefer: respond-async), to be recorded in a "
                "moment.",
            ),
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
        later = _prefers_async(request)
        if later:
            results = self._accept(learner, events)
        else:
            # One transaction for the batch: a refused event costs only itself, and the batch
            # pays for one commit instead of one per event. If the commit fails nothing is
            # kept, and the phone sends the same events again.
            with learner_events_batch(learner=learner) as batch:
                results = [self._record(learner, item, batch) for item in events]
        counts = {
            key: sum(1 for r in results if r["status"] == key)
            for key in ("recorded", "accepted", "duplicate", "rejected")
        }
        body = {
            "recorded": counts["recorded"],
            "duplicates": counts["duplicate"],
            "rejected": counts["rejected"],
            "results": results,
        }
        if later:
            body["accepted"] = counts["accepted"]
        if not counts["rejected"]:
            code = status.HTTP_202_ACCEPTED if counts["accepted"] else status.HTTP_200_OK
        elif counts["rejected"] == len(results):
            code = status.HTTP_400_BAD_REQUEST
        else:
            code = status.HTTP_207_MULTI_STATUS
        response = Response(body, status=code)
        if later:
            response["Preference-Applied"] = "respond-async"
        return response

    def _learner(self, request: Request) -> Learner:
        token = request_token(request)
        if token is None:
            return self.principal.profile
        learner = integration_learner(token, request.data.get("learner"))
        if learner is None:
            message = _("Give the id of a learner in one of your school's classes.")
            raise ValidationError({"learner": [message]})
        return learner

    def _accept(self, learner: Learner, events: list) -> list[dict]:
        """Check every event now, keep the good ones to be recorded in a moment."""
        now = timezone.now()
        results, accepted = [], []
        for item in events:
            try:
                event = _checked_input(item)
                grade = event_check(learner=learner, event=event, now=now).grade
            except _Refused as refused:
                results.append(refused.result)
                continue
            except EventRejected as error:
                results.append(_rejected(_id_of(item), error))
                continue
            accepted.append(event)
            result = {"id": str(event.event_id), "status": "accepted"}
            if grade is not None:
                result["correct"] = grade.correct
            results.append(result)
        learner_events_accept(learner=learner, events=accepted, now=now)
        return results

    def _record(self, learner: Learner, item: object, lookups: LearnerLookups) -> dict:
        try:
            event = _checked_input(item)
            outcome = learner_event_record(learner=learner, event=event, lookups=lookups)
        except _Refused as refused:
            return refused.result
        except EventRejected as error:
            return _rejected(_id_of(item), error)
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
