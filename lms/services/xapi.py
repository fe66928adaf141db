"""The outbox side of xAPI: write statements for delivery, manage LRS endpoints, replay."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from lms.conf import default_lrs, lms_setting
from lms.models import (
    DeliveryStatus,
    Learner,
    LearnerEvent,
    LrsEndpoint,
    Statement,
    StatementDelivery,
    WorkerHeartbeat,
)
from lms.xapi import statements as xapi
from lms.xapi.wakeup import statements_stored

BACKFILL_CHUNK = 1000
# Statements recorded while an endpoint was being created may not have seen it; the backfill
# covers this much time after its creation as well (duplicates are prevented by a constraint).
BACKFILL_OVERLAP = timedelta(minutes=1)


def endpoints_sync_from_settings() -> LrsEndpoint | None:
    """Create or update the endpoint of XAPI_LRS_ENDPOINT from this process's settings.

    Only a process that has the setting changes the endpoint: the delivery worker often has the
    LRS settings and the web processes not, and a process without them must not undo what the
    environment defines. Turning the endpoint off is a person's decision, in the admin.
    """
    url, _username, _password = default_lrs()
    endpoint = LrsEndpoint.objects.filter(key=LrsEndpoint.SETTINGS_KEY).first()
    if not url:
        return endpoint
    if endpoint is None:
        endpoint, _created = LrsEndpoint.objects.get_or_create(
            key=LrsEndpoint.SETTINGS_KEY,
            defaults={"name": "Default LRS (settings)", "url": url, "from_settings": True},
        )
    elif endpoint.from_settings and endpoint.url != url:
        endpoint.url = url
        endpoint.save(update_fields=["url"])
    return endpoint


def endpoint_credentials(endpoint: LrsEndpoint) -> tuple[str, str] | None:
    """(username, password) to send with; None when this process cannot know them.

    The settings endpoint's credentials stay in the environment, never in the database.
    """
    if endpoint.from_settings:
        url, username, password = default_lrs()
        return (username, password) if url else None
    return endpoint.username, endpoint.password


def credentials_fingerprint(endpoint: LrsEndpoint, credentials: tuple[str, str]) -> str:
    """A keyed hash of where and how we sign in to an LRS: it tells whether the credentials
    an LRS refused have changed since, without keeping them."""
    material = "\n".join((endpoint.url, *credentials)).encode()
    return hmac.new(settings.SECRET_KEY.encode(), material, hashlib.sha256).hexdigest()


def statements_enqueue(
    *, statements: Iterable[dict[str, Any]], learner: Learner, event: LearnerEvent | None
) -> list[Statement]:
    """Store statements and queue them for every LRS, in the caller's transaction."""
    return statements_enqueue_for_events(items=[(event, statements)], learner=learner)


def statements_enqueue_for_events(
    *,
    items: Iterable[tuple[LearnerEvent | None, Iterable[dict[str, Any]]]],
    learner: Learner,
) -> list[Statement]:
    """Store the statements of one or more events, in order, and queue them for every LRS,
    in the caller's transaction (a batch of events pays for one insert of each kind).

    Every endpoint gets a delivery row, a turned-off or paused one too (it sends once it is on
    again): which endpoints exist is read from the database each time, never from a cache,
    so that no statement misses an endpoint.
    """
    rows = Statement.objects.bulk_create(
        [
            Statement(
                id=uuid.UUID(statement["id"]),
                learner=learner,
                event=event,
                verb=statement.get("verb", {}).get("id", "").rsplit("/", 1)[-1],
                payload=statement,
            )
            for event, statements in items
            for statement in statements
        ]
    )
    if not rows:
        return rows
    endpoints = list(LrsEndpoint.objects.values_list("id", flat=True))
    now = timezone.now()
    StatementDelivery.objects.bulk_create(
        [
            StatementDelivery(statement=row, endpoint_id=endpoint_id, next_attempt_at=now)
            for row in rows
            for endpoint_id in endpoints
        ]
    )
    if endpoints:
        statements_stored()  # wakes the delivery worker when this transaction commits
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


def endpoint_pause(*, endpoint: LrsEndpoint, reason: str, fingerprint: str = "") -> None:
    """Stop sending to an endpoint that refused our credentials, and say why. ``fingerprint``
    names the refused credentials: new ones resume sending (see endpoints_resume_changed)."""
    LrsEndpoint.objects.filter(pk=endpoint.pk).update(
        paused_at=timezone.now(), pause_reason=reason, paused_credentials=fingerprint
    )


def endpoint_resume(*, endpoint: LrsEndpoint) -> None:
    LrsEndpoint.objects.filter(pk=endpoint.pk).update(
        paused_at=None, pause_reason="", paused_credentials=""
    )
    StatementDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
        next_attempt_at=timezone.now()
    )


def endpoints_resume_changed() -> list[LrsEndpoint]:
    """Resume paused endpoints whose credentials changed since the LRS refused them (a new
    password in the environment or the admin): the next try may well succeed."""
    resumed = []
    for endpoint in LrsEndpoint.objects.filter(paused_at__isnull=False).exclude(
        paused_credentials=""
    ):
        credentials = endpoint_credentials(endpoint)
        if credentials is None:
            continue
        if credentials_fingerprint(endpoint, credentials) != endpoint.paused_credentials:
            endpoint_resume(endpoint=endpoint)
            resumed.append(endpoint)
    return resumed


HEARTBEATS_KEPT = timedelta(days=1)


def worker_heartbeat(*, worker_id: str) -> None:
    """Record that a delivery worker is alive now (and forget workers gone for a day)."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEATS_KEPT).delete()


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


def statement_context(
    *,
    learner: Learner,
    statement_id: str,
    occurred_at,
    language: str,
    registration: str | None = None,
    class_context=None,
    extensions: dict | None = None,
) -> xapi.StatementContext:
    """What every statement about this learner shares: their opaque account, this site's
    activity IRIs and platform, and their class (ids only)."""
    return xapi.StatementContext(
        statement_id=statement_id,
        activity_base=activity_base(),
        actor_home_page=lms_setting("BASE_URL"),
        actor_name=str(learner.actor_id),
        occurred_at=occurred_at,
        language=language,
        platform=lms_setting("PLATFORM"),
        registration=registration,
        team_id=class_context.group_id if class_context else None,
        instructor_id=class_context.instructor_id if class_context else None,
        extensions=extensions or {},
    )


def activity_base() -> str:
    """Where activity IRIs live: PUENTE_BASE_URL and the plugin's xAPI activity address
    (the URL conf's, not a path written here)."""
    sample = reverse(
        "lms:xapi-activity", kwargs={"activity_type": "lesson", "key": uuid.UUID(int=0)}
    )
    return lms_setting("BASE_URL").rstrip("/") + sample.rsplit("/", 2)[0]
