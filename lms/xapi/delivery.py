"""Scheduling: claim due statements, send them through the transport, record what happened.

Rows are claimed with a short lease (SKIP LOCKED on PostgreSQL, so workers on several machines
never take the same row) and the lease is committed before any HTTP, so no database
transaction stays open while an LRS thinks. A worker that dies leaves its lease to expire; the
rows are then sent again, identical, and the LRS recognises them.

Outcomes: 200/204 delivered; 409 (the LRS already holds some of these ids) is resolved by
looking each id up: held and the same statement, delivered; held but different, dead-lettered
with both; not held, sent again in one batch (n look-ups and one POST, not a bisection);
400/413/422 on a batch splits it until the bad statements stand alone, which are dead-lettered
with the LRS's answer; 401/403 pause the endpoint until its credentials change; 5xx, 429 and
network errors retry with exponential backoff and jitter (and split a batch that keeps failing,
in case one statement is what the LRS chokes on).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from lms.conf import lms_setting
from lms.models import DeliveryStatus, LrsEndpoint, StatementDelivery
from lms.queues import lease_claim, lease_finish, lease_release, lease_retry
from lms.services.xapi import credentials_fingerprint, endpoint_pause
from lms.xapi.client import LrsClient, LrsResponse, LrsUnavailable
from lms.xapi.compare import statements_match

logger = logging.getLogger(__name__)

SPLIT_STATUSES = {400, 413, 422}
CONFLICT = 409
PAUSE_STATUSES = {401, 403}


@dataclass
class DeliveryReport:
    # Accepted events the worker recorded (lms.services.accepted_events).
    recorded: int = 0
    requests: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    paused: bool = False
    # Why the LRS did not take a batch (unreachable, or a 5xx/429): the worker logs an
    # outage once when it starts and once when it ends, not once per batch.
    failure: str = ""

    def add(self, other: DeliveryReport) -> None:
        self.recorded += other.recorded
        self.requests += other.requests
        self.delivered += other.delivered
        self.retried += other.retried
        self.dead += other.dead
        self.paused = self.paused or other.paused
        self.failure = other.failure or self.failure


@dataclass
class ClaimedRow:
    """A delivery a worker holds, with its statement exactly as stored (no decode/encode)."""

    id: int
    statement_id: uuid.UUID
    attempts: int
    statement_json: str


def deliveries_claim(
    *, endpoint: LrsEndpoint, worker_id: str, limit: int, now: datetime | None = None
) -> list[ClaimedRow]:
    """Take up to ``limit`` due rows for this worker, oldest first."""
    ids = lease_claim(
        StatementDelivery.objects.filter(endpoint=endpoint),
        worker_id=worker_id,
        limit=limit,
        now=now,
    )
    rows = (
        StatementDelivery.objects.filter(id__in=ids, claimed_by=worker_id)
        .order_by("next_attempt_at", "id")
        .values_list("id", "statement_id", "attempts", Cast("statement__payload", TextField()))
    )
    return [ClaimedRow(*row) for row in rows]


def deliveries_send(
    *,
    client: LrsClient,
    endpoint: LrsEndpoint,
    rows: Sequence[ClaimedRow],
    worker_id: str,
    split_failing: bool = True,
    resolving_conflict: bool = False,
) -> DeliveryReport:
    """Send claimed rows as one batch (splitting it when the LRS rejects part of it).

    ``split_failing``: whether a batch that keeps failing with 5xx may be split in this round.
    Halves do not split again until a later round, so an LRS that is simply down costs at
    most three requests per batch per round.
    """
    if not rows:
        return DeliveryReport()
    return deliveries_record(
        client=client,
        endpoint=endpoint,
        rows=rows,
        worker_id=worker_id,
        answer=batch_post(client, rows),
        split_failing=split_failing,
        resolving_conflict=resolving_conflict,
    )


def batch_post(client: LrsClient, rows: Sequence[ClaimedRow]) -> LrsResponse | LrsUnavailable:
    """The HTTP half of sending, with no database access (it may run in another thread)."""
    try:
        return client.post_statements_json([row.statement_json for row in rows])
    except LrsUnavailable as error:
        return error


def deliveries_record(
    *,
    client: LrsClient,
    endpoint: LrsEndpoint,
    rows: Sequence[ClaimedRow],
    worker_id: str,
    answer: LrsResponse | LrsUnavailable,
    split_failing: bool = True,
    resolving_conflict: bool = False,
) -> DeliveryReport:
    """Record what the LRS answered for a batch (sending halves again where it must).

    ``resolving_conflict``: this batch holds only ids the LRS said it does not have, after a
    409; a second 409 is not looked up again (it splits, then dead-letters).
    """
    report = DeliveryReport(requests=1)
    if isinstance(answer, LrsUnavailable):
        report.failure = _failure(endpoint, rows, str(answer))
        report.retried += _schedule_retry(rows, worker_id, None, str(answer))
        return report
    response = answer
    if response.ok:
        report.delivered += _finish(rows, worker_id, DeliveryStatus.DELIVERED, response)
    elif response.status == CONFLICT and not resolving_conflict:
        report.requests -= 1  # counted again by the resolution
        report.add(_resolve_conflict(client, endpoint, rows, worker_id))
    elif response.status in SPLIT_STATUSES | {CONFLICT} and len(rows) > 1:
        _split(
            client,
            endpoint,
            rows,
            worker_id,
            report,
            split_failing=True,
            resolving_conflict=resolving_conflict,
        )
    elif response.status in SPLIT_STATUSES | {CONFLICT}:
        report.dead += _finish(rows, worker_id, DeliveryStatus.DEAD, response)
        logger.warning(
            "LRS %s rejected statement %s with %s",
            endpoint.key,
            rows[0].statement_id,
            response.status,
        )
    elif response.status in PAUSE_STATUSES:
        reason = f"The LRS answered {response.status}: {response.body[:500]}"
        fingerprint = credentials_fingerprint(endpoint, client.credentials)
        endpoint_pause(endpoint=endpoint, reason=reason, fingerprint=fingerprint)
        release_claims(rows, worker_id)
        report.paused = True
        logger.error("Paused LRS endpoint %s: %s", endpoint.key, reason)
    elif split_failing and len(rows) > 1 and _keeps_failing(rows):
        # The LRS answers but keeps failing on this batch: find out whether one statement is
        # the cause, so that it cannot hold the others back.
        _count_attempt(rows, worker_id, response.status, response.body)
        for row in rows:
            row.attempts += 1
        _split(client, endpoint, rows, worker_id, report, split_failing=False)
    else:
        report.failure = _failure(endpoint, rows, f"{response.status} {response.body[:200]}")
        report.retried += _schedule_retry(rows, worker_id, response.status, response.body)
    return report


def _resolve_conflict(
    client: LrsClient, endpoint: LrsEndpoint, rows: Sequence[ClaimedRow], worker_id: str
) -> DeliveryReport:
    """After a 409: ask the LRS for each statement id of the batch and compare."""
    report = DeliveryReport(requests=1)  # the POST that answered 409
    same, missing = [], []
    for index, row in enumerate(rows):
        try:
            answer, held = client.get_statement(str(row.statement_id))
        except LrsUnavailable as error:
            report.retried += _schedule_retry(rows[index:], worker_id, None, str(error))
            break
        report.requests += 1
        if answer.status == 200 and held is not None:
            ours = json.loads(row.statement_json)
            if statements_match(ours, held):
                same.append(row)
            else:
                report.dead += _dead_conflict(row, worker_id, held)
                logger.warning(
                    "LRS %s holds a different statement under Puente's id %s",
                    endpoint.key,
                    row.statement_id,
                )
        elif answer.status in (200, 404):
            missing.append(row)
        else:
            report.retried += _schedule_retry([row], worker_id, answer.status, answer.body)
    if same:
        held_answer = LrsResponse(status=CONFLICT, body="")
        report.delivered += _finish(same, worker_id, DeliveryStatus.DELIVERED, held_answer)
    if missing:
        report.add(
            deliveries_record(
                client=client,
                endpoint=endpoint,
                rows=missing,
                worker_id=worker_id,
                answer=batch_post(client, missing),
                resolving_conflict=True,
            )
        )
    return report


def _dead_conflict(row: ClaimedRow, worker_id: str, held: dict) -> int:
    message = (
        "409 Conflict: the LRS holds a different statement under this id.\n"
        f"Puente's statement: {row.statement_json}\n"
        f"The LRS's statement: {json.dumps(held, ensure_ascii=False, sort_keys=True)}"
    )
    return _finish([row], worker_id, DeliveryStatus.DEAD, LrsResponse(CONFLICT, message))


def _failure(endpoint: LrsEndpoint, rows: Sequence[ClaimedRow], reason: str) -> str:
    """Why a batch waits for a retry, logged at debug level (the worker warns per outage)."""
    failure = f"LRS {endpoint.key} did not take {len(rows)} statements ({reason.strip()})"
    logger.debug("%s; they wait for a retry", failure)
    return failure


def _keeps_failing(rows: Sequence[ClaimedRow]) -> bool:
    return min(row.attempts for row in rows) + 1 >= lms_setting("XAPI_SPLIT_AFTER_ATTEMPTS")


def _split(
    client,
    endpoint,
    rows,
    worker_id,
    report: DeliveryReport,
    *,
    split_failing: bool,
    resolving_conflict: bool = False,
) -> None:
    middle = len(rows) // 2
    for index, half in enumerate((rows[:middle], rows[middle:])):
        report.add(
            deliveries_send(
                client=client,
                endpoint=endpoint,
                rows=half,
                worker_id=worker_id,
                split_failing=split_failing,
                resolving_conflict=resolving_conflict,
            )
        )
        if report.paused and index == 0:
            release_claims(rows[middle:], worker_id)
            return


def _finish(rows, worker_id: str, status: str, response: LrsResponse) -> int:
    return lease_finish(
        StatementDelivery.objects.all(),
        ids=[row.id for row in rows],
        worker_id=worker_id,
        status=status,
        code=response.status,
        response=response.body[:8000] if status == DeliveryStatus.DEAD else "",
        last_attempt_at=timezone.now(),
    )


def _count_attempt(rows, worker_id: str, status: int | None, message: str) -> None:
    StatementDelivery.objects.filter(id__in=[row.id for row in rows], claimed_by=worker_id).update(
        attempts=F("attempts") + 1,
        last_attempt_at=timezone.now(),
        last_status_code=status,
        last_response=message[:4000],
    )


def _schedule_retry(rows, worker_id: str, status: int | None, message: str) -> int:
    return lease_retry(
        StatementDelivery.objects.all(),
        attempts_by_id={row.id: row.attempts for row in rows},
        worker_id=worker_id,
        code=status,
        message=message,
        last_attempt_at=timezone.now(),
    )


def release_claims(rows, worker_id: str) -> None:
    """Give claimed rows back untouched (the next worker round may take them)."""
    lease_release(
        StatementDelivery.objects.all(), ids=[row.id for row in rows], worker_id=worker_id
    )
