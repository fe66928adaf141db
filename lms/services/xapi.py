"""The outbox side of xAPI: write statements for delivery, manage LRS endpoints, replay."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from lms.conf import default_lrs
from lms.models import (
    DeliveryStatus,
    Learner,
    LearnerEvent,
    LrsEndpoint,
    Statement,
    StatementDelivery,
)

BACKFILL_CHUNK = 1000
# Statements recorded while an endpoint was being created may not have seen it; the backfill
# covers this much time after its creation as well (duplicates are prevented by a constraint).
BACKFILL_OVERLAP = timedelta(minutes=1)


def endpoints_sync_from_settings() -> LrsEndpoint | None:
    """Keep the endpoint row of XAPI_LRS_ENDPOINT in step with the settings."""
    url, _username, _password = default_lrs()
    endpoint = LrsEndpoint.objects.filter(key=LrsEndpoint.SETTINGS_KEY).first()
    if not url:
        if endpoint is not None and endpoint.from_settings and endpoint.enabled:
            endpoint.enabled = False
            endpoint.save(update_fields=["enabled"])
        return None
    if endpoint is None:
        return LrsEndpoint.objects.create(
            key=LrsEndpoint.SETTINGS_KEY,
            name="Default LRS (settings)",
            url=url,
            from_settings=True,
        )
    if endpoint.from_settings and (endpoint.url != url or not endpoint.enabled):
        endpoint.url = url
        endpoint.enabled = True
        endpoint.save(update_fields=["url", "enabled"])
    return endpoint


def endpoint_credentials(endpoint: LrsEndpoint) -> tuple[str, str]:
    """The settings endpoint's credentials stay in the environment, never in the database."""
    if endpoint.from_settings:
        _url, username, password = default_lrs()
        return username, password
    return endpoint.username, endpoint.password


ENDPOINTS_CACHE_KEY = "puente:lms:receiving-endpoints"
# Shorter than BACKFILL_OVERLAP: a process that has not heard of a new endpoint yet still
# records statements the backfill will queue for it.
ENDPOINTS_CACHE_SECONDS = 30


def receiving_endpoint_ids() -> list[int]:
    """Ids of the enabled endpoints (cached; every statement recorded asks for them)."""
    ids = cache.get(ENDPOINTS_CACHE_KEY)
    if ids is None:
        ids = list(LrsEndpoint.objects.filter(enabled=True).values_list("id", flat=True))
        cache.set(ENDPOINTS_CACHE_KEY, ids, ENDPOINTS_CACHE_SECONDS)
    return ids


@receiver([post_save, post_delete], sender=LrsEndpoint)
def _endpoints_changed(**kwargs) -> None:
    cache.delete(ENDPOINTS_CACHE_KEY)


def statements_enqueue(
    *, statements: Iterable[dict[str, Any]], learner: Learner, event: LearnerEvent | None
) -> list[Statement]:
    """Store statements and queue them for every enabled LRS, in the caller's transaction."""
    rows = Statement.objects.bulk_create(
        [
            Statement(
                id=uuid.UUID(statement["id"]),
                learner=learner,
                event=event,
                verb=statement.get("verb", {}).get("id", "").rsplit("/", 1)[-1],
                payload=statement,
            )
            for statement in statements
        ]
    )
    endpoints = receiving_endpoint_ids()
    now = timezone.now()
    StatementDelivery.objects.bulk_create(
        [
            StatementDelivery(statement=row, endpoint_id=endpoint_id, next_attempt_at=now)
            for row in rows
            for endpoint_id in endpoints
        ]
    )
    return rows


def endpoint_backfill(*, endpoint: LrsEndpoint, chunk: int = BACKFILL_CHUNK) -> int:
    """Queue, one chunk at a time, statements recorded before the endpoint existed.

    Returns how many deliveries it added; the endpoint is marked done when it has caught up.
    """
    if endpoint.backfill_done:
        return 0
    until = endpoint.created_at + BACKFILL_OVERLAP
    statements = (
        Statement.objects.filter(created_at__lte=until)
        .exclude(deliveries__endpoint=endpoint)
        .order_by("created_at", "id")
    )
    if endpoint.backfill_cursor is not None:
        statements = statements.filter(
            Q(created_at__gt=endpoint.backfill_cursor)
            | Q(created_at=endpoint.backfill_cursor, id__gt=endpoint.backfill_cursor_id)
        )
    batch = list(statements.values_list("id", "created_at")[:chunk])
    now = timezone.now()
    with transaction.atomic():
        StatementDelivery.objects.bulk_create(
            [
                StatementDelivery(statement_id=sid, endpoint=endpoint, next_attempt_at=now)
                for sid, _created_at in batch
            ],
            ignore_conflicts=True,
        )
        if len(batch) < chunk and now > until:
            endpoint.backfill_done = True
        if batch:
            endpoint.backfill_cursor_id, endpoint.backfill_cursor = batch[-1]
        endpoint.save(update_fields=["backfill_cursor", "backfill_cursor_id", "backfill_done"])
    return len(batch)


def endpoint_pause(*, endpoint: LrsEndpoint, reason: str) -> None:
    """Stop sending to an endpoint that refused our credentials, and say why."""
    LrsEndpoint.objects.filter(pk=endpoint.pk).update(paused_at=timezone.now(), pause_reason=reason)


def endpoint_resume(*, endpoint: LrsEndpoint) -> None:
    LrsEndpoint.objects.filter(pk=endpoint.pk).update(paused_at=None, pause_reason="")
    StatementDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
        next_attempt_at=timezone.now()
    )


def deliveries_replay(
    *, deliveries: Iterable[StatementDelivery] | None = None, endpoint: LrsEndpoint | None = None
) -> int:
    """Send dead-lettered statements again (after the LRS or the statement was fixed)."""
    rows = StatementDelivery.objects.filter(status=DeliveryStatus.DEAD)
    if endpoint is not None:
        rows = rows.filter(endpoint=endpoint)
    if deliveries is not None:
        rows = rows.filter(pk__in=[d.pk for d in deliveries])
    return rows.update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_by="",
        claimed_until=None,
    )
