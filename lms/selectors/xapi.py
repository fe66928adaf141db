"""What the delivery admin shows: per endpoint backlog, deliveries, dead letters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q
from django.db.models.query import QuerySet

from lms.models import DeliveryStatus, LrsEndpoint, Statement, StatementDelivery


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
