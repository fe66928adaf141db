"""What the delivery admin shows: per endpoint backlog, deliveries, dead letters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q
from django.db.models.query import QuerySet

from lms.models import (
    AcceptedEvent,
    DeliveryStatus,
    LrsEndpoint,
    Statement,
    StatementDelivery,
    WorkerHeartbeat,
)
from lms.queues import extra_queues


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


# Readiness probes count these every few seconds: past this many, "at least" is enough.
WAITING_COUNTED_UP_TO = 10_000


def statements_waiting_for_an_lrs() -> int:
    """Statements no endpoint has taken yet: all of them while no LRS is configured, or those
    recorded before an endpoint whose backfill is still running. Counted up to
    WAITING_COUNTED_UP_TO.

    Once every endpoint has caught up there can be none (each statement gets a delivery row
    per endpoint in the transaction that records it), so the look over the whole statements
    table, 300 ms at a million rows, is skipped.
    """
    endpoints = LrsEndpoint.objects.all()
    if endpoints.exists() and not endpoints.filter(backfill_done=False).exists():
        return 0
    waiting = Statement.objects.filter(deliveries__isnull=True).values("pk")
    return waiting[:WAITING_COUNTED_UP_TO].count()


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
    # Events the API accepted for later that no worker (nor progress read) recorded yet.
    events_waiting: int
    # Endpoints that stopped sending: paused after the LRS refused the credentials.
    paused_endpoints: list[str]
    # Seconds since a delivery worker last said it was alive (None: never).
    worker_seen_seconds_ago: float | None


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
        scores_pending=sum(queue.pending_count() for queue in extra_queues()),
        events_waiting=AcceptedEvent.objects.count(),
        paused_endpoints=list(
            LrsEndpoint.objects.filter(paused_at__isnull=False).values_list("key", flat=True)
        ),
        worker_seen_seconds_ago=_seconds_since(
            WorkerHeartbeat.objects.aggregate(latest=Max("seen_at"))["latest"], now
        ),
    )


def _seconds_since(moment: datetime | None, now: datetime) -> float | None:
    return round((now - moment).total_seconds(), 1) if moment else None


@dataclass(frozen=True)
class EndpointFigures:
    key: str
    pending: int
    delivered: int
    dead: int
    oldest: float  # seconds the oldest pending statement has waited (0: none waits)
    paused: int  # 1 while the LRS refuses the credentials


@dataclass(frozen=True)
class DeliveryFigures:
    endpoints: list[EndpointFigures]
    waiting_for_an_lrs: int
    worker_last_seen_seconds: float  # -1: no worker ever said it was alive
    events_waiting: int  # accepted for later, not recorded yet


def delivery_metrics(*, now: datetime) -> DeliveryFigures:
    """The outbox's figures for monitoring, in four queries however many rows it holds (the
    accepted events are counted whole: a worker keeps them to a handful)."""
    endpoints = [
        EndpointFigures(
            key=stats.endpoint.key,
            pending=stats.pending,
            delivered=stats.delivered,
            dead=stats.dead,
            oldest=(now - stats.oldest_pending_at).total_seconds()
            if stats.oldest_pending_at
            else 0.0,
            paused=int(stats.endpoint.paused_at is not None),
        )
        for stats in endpoint_stats()
    ]
    seen = _seconds_since(WorkerHeartbeat.objects.aggregate(latest=Max("seen_at"))["latest"], now)
    return DeliveryFigures(
        endpoints=endpoints,
        waiting_for_an_lrs=statements_waiting_for_an_lrs(),
        worker_last_seen_seconds=-1.0 if seen is None else seen,
        events_waiting=AcceptedEvent.objects.count(),
    )
