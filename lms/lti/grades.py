"""Sending queued scores to platforms' gradebooks (LTI Assignment and Grade Services).

Scheduled like xAPI delivery: rows are claimed with a lease, sent, and their outcome recorded;
network errors, 5xx, 429 and a refused token retry with backoff; other 4xx answers are
dead-lettered with the platform's reply. Nothing is deleted.
"""

from __future__ import annotations

import logging
from datetime import datetime

import requests
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector

from lms.lti.connector import platform_connector
from lms.lti.models import ScoreDelivery
from lms.models import DeliveryStatus
from lms.queues import QueueTurn, lease_claim, lease_finish, lease_retry
from lms.services.retention import rows_delete_in_chunks

logger = logging.getLogger(__name__)
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
RETRY_STATUSES = {401, 408, 425, 429}


def scores_claim(*, worker_id: str, limit: int = 50) -> list[ScoreDelivery]:
    ids = lease_claim(ScoreDelivery.objects.all(), worker_id=worker_id, limit=limit)
    return list(
        ScoreDelivery.objects.filter(id__in=ids, claimed_by=worker_id)
        .select_related("link__lti_user", "link__resource_link__context__deployment__registration")
        .order_by("next_attempt_at", "id")
    )


def score_grade(row: ScoreDelivery) -> Grade:
    return (
        Grade()
        .set_score_given(row.score_given)
        .set_score_maximum(row.score_maximum)
        .set_user_id(row.link.lti_user.sub)
        .set_timestamp(row.timestamp.isoformat())
        .set_activity_progress(row.activity_progress)
        .set_grading_progress(row.grading_progress)
    )


def scores_deliver(*, worker_id: str) -> QueueTurn:
    """Send every due score, one connector (and access token) per registration per round."""
    report = QueueTurn()
    connectors: dict[int, ServiceConnector] = {}
    for row in scores_claim(worker_id=worker_id):
        registration = row.link.resource_link.context.deployment.registration
        connector = connectors.get(registration.pk)
        if connector is None:
            connector = platform_connector(registration)
            connectors[registration.pk] = connector
        service = AssignmentsGradesService(
            connector, {"scope": [SCORE_SCOPE], "lineitem": row.link.lineitem_url}
        )
        try:
            service.put_grade(score_grade(row))
        except LtiServiceException as error:
            status = error.response.status_code
            if status in RETRY_STATUSES or status >= 500:
                report.retried += _retry(row, worker_id, status, error.response.text)
            else:
                report.dead += _finish(
                    row, worker_id, DeliveryStatus.DEAD, status, error.response.text
                )
                logger.warning("Platform refused score %s with %s", row.pk, status)
        except (requests.RequestException, LtiException) as error:
            report.retried += _retry(row, worker_id, None, str(error))
        else:
            report.delivered += _finish(row, worker_id, DeliveryStatus.DELIVERED, 200, "")
    return report


def _finish(row: ScoreDelivery, worker_id: str, status: str, code: int, body: str) -> int:
    return lease_finish(
        ScoreDelivery.objects.all(),
        ids=[row.pk],
        worker_id=worker_id,
        status=status,
        code=code,
        response=body[:4000],
    )


def _retry(row: ScoreDelivery, worker_id: str, code: int | None, message: str) -> int:
    return lease_retry(
        ScoreDelivery.objects.all(),
        attempts_by_id={row.pk: row.attempts},
        worker_id=worker_id,
        code=code,
        message=message,
    )


def scores_purge(*, before: datetime, dry_run: bool = False) -> int:
    """Delete scores platforms took before ``before``; how many."""
    delivered = ScoreDelivery.objects.filter(
        status=DeliveryStatus.DELIVERED, created_at__lt=before
    ).values("id")
    return delivered.count() if dry_run else rows_delete_in_chunks(delivered)


class ScoreQueue:
    """The scores queue, in the delivery worker's loop, the backlog and the purge."""

    def deliver(self, *, worker_id: str) -> QueueTurn:
        return scores_deliver(worker_id=worker_id)

    def pending_count(self) -> int:
        return ScoreDelivery.objects.filter(status=DeliveryStatus.PENDING).count()

    def purge(self, *, before: datetime, dry_run: bool) -> int:
        return scores_purge(before=before, dry_run=dry_run)


SCORE_QUEUE = ScoreQueue()
