"""Durable work queues in database tables (the xAPI outbox, scores for platforms).

A worker takes due rows with a short lease, committed before any network call, so no
transaction stays open while a remote server thinks; SKIP LOCKED (PostgreSQL) keeps workers on
several machines from taking the same row; an expired lease (a worker that died) frees the
rows for the next worker, which sends the identical payload again.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from lms.conf import lms_setting
from lms.models import DeliveryStatus


def lease_claim(
    queryset: QuerySet, *, worker_id: str, limit: int, now: datetime | None = None
) -> list[int]:
    """Lease up to ``limit`` due pending rows of ``queryset`` to this worker; their ids."""
    now = now or timezone.now()
    lease = timedelta(seconds=lms_setting("XAPI_LEASE_SECONDS"))
    with transaction.atomic():
        ids = list(
            queryset.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            queryset.model.objects.filter(id__in=ids).update(
                claimed_by=worker_id, claimed_until=now + lease
            )
    return ids


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter between half and all of the step."""
    base = lms_setting("XAPI_BACKOFF_BASE_SECONDS")
    cap = lms_setting("XAPI_BACKOFF_MAX_SECONDS")
    step = min(cap, base * 2 ** max(0, attempts - 1))
    return timedelta(seconds=step * random.uniform(0.5, 1.0))  # noqa: S311 - not for secrets


def lease_finish(
    queryset: QuerySet,
    *,
    ids: Iterable[int],
    worker_id: str,
    status: str,
    code: int | None,
    response: str,
    **fields: Any,
) -> int:
    """Rows this worker holds are done (delivered, or dead for good): count the attempt, keep
    the answer, free the lease. Rows another worker took over meanwhile are left alone."""
    return queryset.filter(id__in=list(ids), claimed_by=worker_id).update(
        status=status,
        attempts=F("attempts") + 1,
        last_status_code=code,
        last_response=response,
        delivered_at=timezone.now() if status == DeliveryStatus.DELIVERED else None,
        claimed_by="",
        claimed_until=None,
        **fields,
    )


def lease_retry(
    queryset: QuerySet,
    *,
    attempts_by_id: dict[int, int],
    worker_id: str,
    code: int | None,
    message: str,
    **fields: Any,
) -> int:
    """Rows this worker holds failed for now: each is due again after a backoff that grows
    with its attempts (``attempts_by_id``: the row's attempts before this one)."""
    now = timezone.now()
    retried = 0
    # The rows of one batch usually share their attempt count: one update per distinct count.
    by_attempts: dict[int, list[int]] = {}
    for row_id, attempts in attempts_by_id.items():
        by_attempts.setdefault(attempts + 1, []).append(row_id)
    for attempts, ids in by_attempts.items():
        retried += queryset.filter(id__in=ids, claimed_by=worker_id).update(
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            last_status_code=code,
            last_response=message[:4000],
            claimed_by="",
            claimed_until=None,
            **fields,
        )
    return retried


def lease_release(queryset: QuerySet, *, ids: Iterable[int], worker_id: str) -> None:
    """Give rows back untouched: the next round (this worker's or another's) may take them."""
    queryset.filter(id__in=list(ids), claimed_by=worker_id).update(
        claimed_by="", claimed_until=None
    )


@dataclass
class QueueTurn:
    """What one turn of a queue's delivery did."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0


class ExtraQueue(Protocol):
    """A queue an optional app adds to the delivery worker's loop, the operators' backlog and
    the retention purge (``lms.lti`` adds the scores for platforms' gradebooks)."""

    def deliver(self, *, worker_id: str) -> QueueTurn:
        """Send what is due."""
        ...

    def pending_count(self) -> int:
        """How many rows wait to be sent."""
        ...

    def purge(self, *, before: datetime, dry_run: bool) -> int:
        """Delete delivered rows made before ``before`` (count them only, with ``dry_run``)."""
        ...


_extra_queues: list[ExtraQueue] = []


def extra_queue_register(queue: ExtraQueue) -> None:
    """Called from an optional app's ``ready()``."""
    if queue not in _extra_queues:
        _extra_queues.append(queue)


def extra_queues() -> tuple[ExtraQueue, ...]:
    return tuple(_extra_queues)
