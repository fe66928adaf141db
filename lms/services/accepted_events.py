"""Events accepted now and recorded a moment later (the events API's ``Prefer: respond-async``).

Recording an event (its progress, answer, completions and xAPI statements, in one
transaction) costs about a dozen SQL statements; checking it costs none. A phone that does not
read the answer (the lesson page grades on the phone) can ask for the event to be checked and
kept, one row per event, and recorded afterwards:

- by the delivery worker, woken when the rows commit (PostgreSQL NOTIFY, else its polling);
- or first by any page or API call that reads the learner's progress (``accepted_events_settle``),
  so a family never sees progress without the answer they just gave.

An accepted row is deleted in the transaction that records it, so each is recorded once;
recording it twice would change nothing anyway (the event id is recorded once per learner). It
is recorded as of when it arrived, so the result is the one the request would have had.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db import DatabaseError, connection
from django.db.models import Min

from lms.models import AcceptedEvent, Learner
from lms.prepared import PreparedLookup
from lms.services.progress import (
    EventInput,
    EventRejected,
    learner_event_record,
    learner_events_batch,
)
from lms.xapi.wakeup import notifying

logger = logging.getLogger(__name__)

# Most events recorded for one learner in one transaction, and learners in a worker's turn.
RECORD_AT_ONCE = 200
LEARNERS_AT_ONCE = 50

# Read before every page that shows progress: the SQL is built once (lms.prepared).
_any_accepted = PreparedLookup(
    lambda learner_id: AcceptedEvent.objects.filter(learner_id=learner_id).only("id")[:1],
    marker=987_654_322,
)


def learner_events_accept(*, learner: Learner, events: Iterable[EventInput], now: datetime) -> None:
    """Keep checked events (``event_check``) to be recorded as of ``now``, when they arrived."""
    kept = [event.to_json() for event in events]
    if not kept:
        return
    # One statement, so no transaction around it: on PostgreSQL it also wakes the worker.
    sql, params = notifying(_insert_sql(len(kept)), _db_values(learner.pk, kept, now))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# Accepting is the whole of a phone's request, so its one INSERT is written here by hand, with
# the values adapted by the model's own fields: through bulk_create, Django's compiler building
# the statement was a third of accepting an event (bench/events_ingest.py).
_COLUMNS = ("learner", "event", "received_at")


def _fields() -> list:
    return [AcceptedEvent._meta.get_field(name) for name in _COLUMNS]


def _insert_sql(count: int) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _fields())
    values = ", ".join([f"({', '.join(['%s'] * len(_COLUMNS))})"] * count)
    table = quote(AcceptedEvent._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608 - names from the model


def _db_values(learner_id: int, events: list[dict], received_at: datetime) -> list:
    """Every row's values, in order, as the fields save them (the learner and the time, the
    same in every row, adapted once)."""
    learner_field, event_field, received_field = _fields()
    learner = learner_field.get_db_prep_save(learner_id, connection)
    received = received_field.get_db_prep_save(received_at, connection)
    return [
        value
        for event in events
        for value in (learner, event_field.get_db_prep_save(event, connection), received)
    ]


def accepted_events_settle(*, learner: Learner | None) -> None:
    """Record the learner's accepted events now, before their progress is read. One small
    query when there are none (nearly always)."""
    if learner is None or _any_accepted.get(learner.pk) is None:
        return
    _settle(learner)


def accepted_events_settle_many(*, learner_ids: Iterable[int]) -> None:
    """The same for the learners of a class, before an educator reads their progress."""
    ids = list(learner_ids)
    if not ids:
        return
    waiting = set(
        AcceptedEvent.objects.filter(learner_id__in=ids).values_list("learner_id", flat=True)
    )
    for learner in Learner.objects.filter(pk__in=waiting):
        _settle(learner)


def _settle(learner: Learner) -> None:
    try:
        while _record_for(learner, wait=True) == RECORD_AT_ONCE:
            pass  # a phone back from a long time offline: all of it, before the page reads
    except DatabaseError:
        raise  # the page could not read the progress either
    except Exception:
        # A fault in recording must not take the page down: it shows the progress as it is,
        # and the worker (which logs it too) tries again.
        logger.exception("Could not record learner %s's accepted events", learner.pk)


def accepted_events_record(*, learners_at_once: int = LEARNERS_AT_ONCE) -> int:
    """The delivery worker's turn: record the accepted events of the learners who have waited
    longest, each learner's in a transaction of their own. How many were recorded (or refused
    after all)."""
    # One row per learner, by their oldest event: a learner whose events cannot be recorded
    # takes one place in a turn, never the whole turn.
    learner_ids = list(
        AcceptedEvent.objects.values("learner_id")
        .annotate(oldest=Min("id"))
        .order_by("oldest")
        .values_list("learner_id", flat=True)[:learners_at_once]
    )
    learners = Learner.objects.in_bulk(learner_ids)
    done = 0
    for learner in (learners[pk] for pk in learner_ids if pk in learners):
        try:
            done += _record_for(learner, wait=False)
        except DatabaseError:
            raise  # the worker waits for its database and comes back
        except Exception:
            # One learner's fault must not stop everyone else's events (nor the worker).
            logger.exception("Could not record learner %s's accepted events", learner.pk)
    return done


def _record_for(learner: Learner, *, wait: bool) -> int:
    """Record one learner's accepted events in their order, in one transaction that deletes
    them. ``wait``: for rows another process is recording, wait for it (a page that reads the
    result next); else skip them (a worker, which has other learners to see to)."""
    with learner_events_batch(learner=learner) as batch:
        rows = list(
            AcceptedEvent.objects.select_for_update(skip_locked=not wait)
            .filter(learner=learner)
            .order_by("id")[:RECORD_AT_ONCE]
        )
        for row in rows:
            try:
                learner_event_record(
                    learner=learner,
                    event=EventInput.from_json(row.event),
                    now=row.received_at,
                    lookups=batch,
                )
            except EventRejected as error:
                # Its lesson went away (unpublished) between the check and now.
                logger.warning(
                    "Accepted event %s not recorded: %s", row.event.get("id"), error.message
                )
        AcceptedEvent.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)
