"""How long Puente keeps what it no longer needs: statements every LRS has acknowledged, and
scores every platform has taken, go after ``PUENTE_RETENTION_DAYS`` (90 by default). Nothing
waiting or refused is touched: those still need a worker or a person. Learners' progress and
events are not touched either (they are the learners' record, erased with the learner).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from lms.conf import lms_setting
from lms.models import DeliveryStatus, Statement
from lms.queues import extra_queues

CHUNK = 5000  # rows deleted per transaction, so that no lock is held for long


@dataclass
class PurgeReport:
    statements: int = 0
    scores: int = 0


def retention_cutoff(*, days: int | None = None, now: datetime | None = None) -> datetime:
    days = lms_setting("RETENTION_DAYS") if days is None else days
    return (now or timezone.now()) - timedelta(days=days)


def outbox_purge(*, before: datetime, dry_run: bool = False) -> PurgeReport:
    """Delete statements older than ``before`` that every LRS acknowledged (their delivery
    rows go with them), and delivered LTI scores older than ``before``."""
    report = PurgeReport()
    done = (
        Statement.objects.filter(created_at__lt=before, deliveries__isnull=False)
        .exclude(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.DEAD])
        .values("id")
    )
    # Scores for platforms' gradebooks, when lms.lti is installed (lms/lti/grades.py).
    report.scores = sum(queue.purge(before=before, dry_run=dry_run) for queue in extra_queues())
    if dry_run:
        report.statements = done.distinct().count()
        return report
    report.statements = rows_delete_in_chunks(done.distinct())
    return report


def rows_delete_in_chunks(rows: QuerySet) -> int:
    """Delete ``rows`` (a ``values("id")`` queryset) ``CHUNK`` at a time; how many."""
    deleted = 0
    while ids := list(rows.values_list("id", flat=True)[:CHUNK]):
        rows.model.objects.filter(id__in=ids).delete()
        deleted += len(ids)
    return deleted
