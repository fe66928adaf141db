"""What the delivery admin shows: per endpoint backlog, deliveries, dead letters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q
from django.db.models.query import QuerySet

from lms.models import (
    DeliveryStatus,
    LrsEndpoint,
    ScoreDelivery,
    Statement,
    StatementDelivery,
)


@dataclass(frozen=True)
class EndpointStats:
    endpoint: LrsEndpoint
    pending: int
    oldest_pending_at: datetime | None
    delivered: int
    dead: int


def endpoint_stats() -> list[EndpointStats]:
    """Counts for every endpoint in one query."""
    rows = {
        row["endpoint"]: row
        for row in StatementDelivery.objects.values("endpoint").annotate(
            pending=Count("id", filter=Q(status=DeliveryStatus.PENDING)),
            delivered=Count("id", filter=Q(status=DeliveryStatus.DELIVERED)),
            dead=Count("id", filter=Q(status=DeliveryStatus.DEAD)),
            oldest=Min("statement__created_at", filter=Q(status=DeliveryStatus.PENDING)),
        )
    }
    return [
        EndpointStats(
            endpoint=endpoint,
            pending=rows.get(endpoint.id, {}).get("pending", 0),
            oldest_pending_at=rows.get(endpoint.id, {}).get("oldest"),
            delivered=rows.get(endpoint.id, {}).get("delivered", 0),
            dead=rows.get(endpoint.id, {}).get("dead", 0),
        )
        for endpoint in LrsEndpoint.objects.all()
    ]


def statements_waiting_for_an_lrs() -> int:
    """Statements no endpoint has taken yet (none configured, or a backfill not done)."""
    return Statement.objects.filter(deliveries__isnull=True).count()


def dead_letters(*, limit: int = 100) -> QuerySet[StatementDelivery]:
    return (
        StatementDelivery.objects.filter(status=DeliveryStatus.DEAD)
        .select_related("endpoint", "statement")
        .order_by("-last_attempt_at")[:limit]
    )


@dataclass(frozen=True)
class Backlog:
    pending: int  # statement deliveries not yet acknowledged by their LRS
    oldest_pending_seconds: float | None
    dead: int
    # Dead letters because the LRS holds a different statement under Puente's id.
    conflicts: int
    # Statements no endpoint has taken: no LRS is configured (they wait, nothing is lost).
    waiting_for_an_lrs: int
    scores_pending: int  # LTI grades not yet acknowledged by their platform
    # Endpoints that stopped sending: paused after the LRS refused the credentials.
    paused_endpoints: list[str]


def outbox_backlog(*, now: datetime) -> Backlog:
    """What waits to be delivered, for health checks: counts over the status indexes, cheap
    however many rows were delivered before."""
    pending = StatementDelivery.objects.filter(status=DeliveryStatus.PENDING).aggregate(
        count=Count("id"), oldest=Min("statement__created_at")
    )
    oldest = pending["oldest"]
    dead = StatementDelivery.objects.filter(status=DeliveryStatus.DEAD).aggregate(
        count=Count("id"), conflicts=Count("id", filter=Q(last_status_code=409))
    )
    return Backlog(
        pending=pending["count"],
        oldest_pending_seconds=round((now - oldest).total_seconds(), 1) if oldest else None,
        dead=dead["count"],
        conflicts=dead["conflicts"],
        waiting_for_an_lrs=statements_waiting_for_an_lrs(),
        scores_pending=ScoreDelivery.objects.filter(status=DeliveryStatus.PENDING).count(),
        paused_endpoints=list(
            LrsEndpoint.objects.filter(paused_at__isnull=False).values_list("key", flat=True)
        ),
    )
