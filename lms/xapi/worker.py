"""The delivery worker's loop: record the events the API accepted for later
(lms.services.accepted_events); for each enabled endpoint, claim due rows and send them; then
the scores waiting for LMS gradebooks.

Sending is pipelined: while one batch is on its way to the LRS (the HTTP request runs in a
helper thread that never touches the database), the next batch is claimed. An LRS that takes
30 ms per batch then sets the pace, not the worker's own queries.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future

from django.db import DatabaseError, connections

from lms.conf import lms_setting
from lms.models import LrsEndpoint
from lms.queues import extra_queues
from lms.services.accepted_events import accepted_events_record
from lms.services.xapi import (
    endpoint_backfill,
    endpoint_credentials,
    endpoints_resume_changed,
    endpoints_sync_from_settings,
    worker_heartbeat,
)
from lms.xapi.client import LrsClient
from lms.xapi.delivery import (
    DeliveryReport,
    batch_post,
    deliveries_claim,
    deliveries_record,
    release_claims,
)
from lms.xapi.wakeup import Wakeup

logger = logging.getLogger(__name__)

BACKFILL_EVERY_SECONDS = 5.0
# Batches sent to one endpoint in a round before the next endpoint gets its turn.
BATCHES_PER_TURN = 20


STOP_GRACE_SECONDS = 3.0  # after SIGTERM: how long an in-flight batch may still take
HEARTBEAT_EVERY_SECONDS = 5.0
DATABASE_RETRY_MAX_SECONDS = 30.0


class Sender:
    """One daemon thread that sends a batch while the worker claims the next (the HTTP half,
    which never touches the database). Daemon, so that a worker told to stop never waits for
    an LRS that hangs: the batch it abandons is released and sent again, identical."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="lrs-send", daemon=True).start()

    def submit(self, work: Callable, *args) -> Future:
        future: Future = Future()
        self._jobs.put((future, work, args))
        return future

    def _serve(self) -> None:
        while True:
            future, work, args = self._jobs.get()
            if future is None:
                return
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(work(*args))
                except BaseException as error:  # handed to the waiting worker
                    future.set_exception(error)

    def shutdown(self) -> None:
        self._jobs.put((None, None, None))


class DeliveryWorker:
    def __init__(self, *, batch_size: int | None = None) -> None:
        self.batch_size = batch_size or lms_setting("XAPI_BATCH_SIZE")
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # One keep-alive session per endpoint, for as long as the worker runs.
        self.clients: dict[tuple[int, str], LrsClient] = {}
        # Backfilling a new endpoint is checked now and then, not before every batch.
        self.backfilled_at: dict[int, float] = {}
        self.sender = Sender()
        self.warned: set[int] = set()
        # Endpoints that are failing (endpoint pk -> when the outage began): an outage is
        # one warning when it starts and one line when it ends, not a warning per batch.
        self.outages: dict[int, float] = {}
        # Set by SIGTERM/SIGINT (or a test): the worker stops within a few seconds.
        self.stop_event = threading.Event()
        # Between rounds the worker waits for statements to be stored (PostgreSQL's
        # LISTEN/NOTIFY) or, at the latest, its idle interval (the polling fallback).
        self.wakeup = Wakeup()
        self.beaten_at = 0.0

    def client_for(self, endpoint: LrsEndpoint, credentials: tuple[str, str]) -> LrsClient:
        username, password = credentials
        cache_key = (endpoint.pk, f"{endpoint.url}|{username}|{password}")
        client = self.clients.get(cache_key)
        if client is None:
            client = LrsClient(
                endpoint.url,
                username,
                password,
                connect_timeout=lms_setting("XAPI_CONNECT_TIMEOUT"),
                read_timeout=lms_setting("XAPI_READ_TIMEOUT"),
            )
            self.clients[cache_key] = client
        return client

    def run_round(self) -> DeliveryReport:
        """Up to BATCHES_PER_TURN batches for each endpoint that has something due."""
        report = DeliveryReport()
        self.heartbeat()
        # Events accepted for later become progress and statements first: sent this round.
        report.recorded = accepted_events_record()
        endpoints_sync_from_settings()
        for endpoint in endpoints_resume_changed():
            logger.info("LRS endpoint %s: credentials changed, sending again", endpoint.key)
        for endpoint in LrsEndpoint.objects.filter(enabled=True, paused_at__isnull=True):
            if self.stop_event.is_set():
                return report
            credentials = endpoint_credentials(endpoint)
            if credentials is None:
                self.warn_once(endpoint, "its XAPI_LRS_* settings are not set for this worker")
                continue
            self.backfill(endpoint)
            delivered = self.deliver(endpoint, credentials)
            self.note_outage(endpoint, delivered)
            report.add(delivered)
        if self.stop_event.is_set():
            return report
        # Other queues share the worker and its loop: scores for LMS gradebooks, with lms.lti.
        for extra in extra_queues():
            turn = extra.deliver(worker_id=self.worker_id)
            report.add(
                DeliveryReport(
                    requests=turn.delivered + turn.retried + turn.dead,
                    delivered=turn.delivered,
                    retried=turn.retried,
                    dead=turn.dead,
                )
            )
        return report

    def note_outage(self, endpoint: LrsEndpoint, report: DeliveryReport) -> None:
        started = self.outages.get(endpoint.pk)
        if report.failure and started is None:
            self.outages[endpoint.pk] = time.monotonic()
            logger.warning("%s; statements wait and are sent when it answers again", report.failure)
        elif started is not None and report.delivered and not report.failure:
            del self.outages[endpoint.pk]
            logger.info(
                "LRS %s is answering again after %.0f s", endpoint.key, time.monotonic() - started
            )

    def warn_once(self, endpoint: LrsEndpoint, why: str) -> None:
        if endpoint.pk not in self.warned:
            self.warned.add(endpoint.pk)
            logger.warning("Not sending to LRS endpoint %s: %s", endpoint.key, why)

    def deliver(self, endpoint: LrsEndpoint, credentials: tuple[str, str]) -> DeliveryReport:
        report = DeliveryReport()
        client = self.client_for(endpoint, credentials)
        rows = self.claim(endpoint)
        for _turn in range(BATCHES_PER_TURN):
            if not rows:
                break
            sending = self.sender.submit(batch_post, client, rows)
            more = _turn + 1 < BATCHES_PER_TURN and not self.stop_event.is_set()
            next_rows = self.claim(endpoint) if more else []
            answer = self.answer_of(sending)
            if answer is None:  # told to stop, and the LRS is still thinking
                release_claims([*rows, *next_rows], self.worker_id)
                break
            report.add(
                deliveries_record(
                    client=client,
                    endpoint=endpoint,
                    rows=rows,
                    worker_id=self.worker_id,
                    answer=answer,
                )
            )
            rows = next_rows
            if report.paused or report.retried or self.stop_event.is_set():
                # The LRS refused or failed, or the worker stops: hand the next batch back.
                release_claims(rows, self.worker_id)
                break
        return report

    def answer_of(self, sending: Future):
        """The LRS's answer to a batch; None if the worker was told to stop and the answer
        did not come within STOP_GRACE_SECONDS after that."""
        while True:
            try:
                return sending.result(timeout=0.2)
            except TimeoutError:
                if self.stop_event.is_set():
                    try:
                        return sending.result(timeout=STOP_GRACE_SECONDS)
                    except TimeoutError:
                        return None

    def claim(self, endpoint: LrsEndpoint):
        return deliveries_claim(endpoint=endpoint, worker_id=self.worker_id, limit=self.batch_size)

    def backfill(self, endpoint: LrsEndpoint) -> None:
        if endpoint.backfill_done:
            return
        last = self.backfilled_at.get(endpoint.pk)
        if last is not None and time.monotonic() - last < BACKFILL_EVERY_SECONDS:
            return
        self.backfilled_at[endpoint.pk] = time.monotonic()
        while endpoint_backfill(endpoint=endpoint):
            pass  # catch up with everything recorded before the endpoint existed

    def heartbeat(self) -> None:
        """Say, now and then, that this worker is alive (health checks and metrics read it)."""
        if time.monotonic() - self.beaten_at >= HEARTBEAT_EVERY_SECONDS:
            worker_heartbeat(worker_id=self.worker_id)
            self.beaten_at = time.monotonic()

    def run(
        self,
        *,
        once: bool = False,
        idle_seconds: float | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> DeliveryReport:
        """Deliver until nothing is due (``once``) or until asked to stop.

        The database may go away (a restart, a failover, a killed connection): the worker
        closes its connections, waits (1, 2, 4... up to 30 s) and carries on; a worker
        started before its database comes up waits for it the same way. With ``once`` (a
        task) a database error is raised instead, for the task runner to retry.
        """
        idle = lms_setting("XAPI_IDLE_SECONDS") if idle_seconds is None else idle_seconds
        total = DeliveryReport()
        failures = 0
        while not self.stopping(should_stop):
            try:
                report = self.run_round()
            except DatabaseError as error:
                if once:
                    raise
                failures += 1
                wait = min(DATABASE_RETRY_MAX_SECONDS, 2.0 ** (failures - 1))
                logger.warning(
                    "Delivery worker: the database is unavailable (%s: %s); trying again in %g s",
                    type(error).__name__,
                    str(error).strip().splitlines()[0] if str(error).strip() else "",
                    wait,
                )
                connections.close_all()  # the next query opens a fresh connection
                self.beaten_at = 0.0
                self.stop_event.wait(wait)
                continue
            if failures:
                logger.info("Delivery worker: the database is back")
                failures = 0
            total.add(report)
            if report.recorded:
                logger.info("recorded %d accepted events", report.recorded)
            if report.requests:
                logger.info(
                    "delivered %d, retrying %d, dead %d in %d requests",
                    report.delivered,
                    report.retried,
                    report.dead,
                    report.requests,
                )
            if report.requests or report.recorded:
                continue
            if once:
                break
            self.wakeup.wait(idle, self.stop_event)
        return total

    def stopping(self, should_stop: Callable[[], bool] | None) -> bool:
        if should_stop is not None and should_stop():
            self.stop_event.set()
        return self.stop_event.is_set()

    def close(self) -> None:
        self.wakeup.close()
        self.sender.shutdown()
        for client in self.clients.values():
            client.close()
        self.clients.clear()
