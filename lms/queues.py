"""Durable work queues in database tables (the xAPI outbox, scores for platforms).

A worker takes due rows with a short lease, committed before any network call, so no
transaction stays open while a remote server thinks; SKIP LOCKED (PostgreSQL) keeps workers on
several machines from taking the same row; an expired lease (a worker that died) frees the
rows for the next worker, which sends the identical payload again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
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
