"""The delivery worker's loop: for each enabled endpoint, claim due rows and send them; then
the scores waiting for LMS gradebooks.

Sending is pipelined: while one batch is on its way to the LRS (the HTTP request runs in a
helper thread that never touches the database), the next batch is claimed. An LRS that takes
30 ms per batch then sets the pace, not the worker's own queries.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from lms.conf import lms_setting
from lms.lti.grades import scores_deliver
from lms.models import LrsEndpoint
from lms.services.xapi import (
    endpoint_backfill,
    endpoint_credentials,
    endpoints_resume_changed,
    endpoints_sync_from_settings,
)
from lms.xapi.client import LrsClient
from lms.xapi.delivery import (
    DeliveryReport,
    batch_post,
    deliveries_claim,
    deliveries_record,
    release_claims,
)

logger = logging.getLogger(__name__)

BACKFILL_EVERY_SECONDS = 5.0
# Batches sent to one endpoint in a round before the next endpoint gets its turn.
BATCHES_PER_TURN = 20


class DeliveryWorker:
    def __init__(self, *, batch_size: int | None = None) -> None:
        self.batch_size = batch_size or lms_setting("XAPI_BATCH_SIZE")
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # One keep-alive session per endpoint, for as long as the worker runs.
        self.clients: dict[tuple[int, str], LrsClient] = {}
        # Backfilling a new endpoint is checked now and then, not before every batch.
        self.backfilled_at: dict[int, float] = {}
        self.sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lrs-send")
        self.warned: set[int] = set()

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
        endpoints_sync_from_settings()
        for endpoint in endpoints_resume_changed():
            logger.info("LRS endpoint %s: credentials changed, sending again", endpoint.key)
        for endpoint in LrsEndpoint.objects.filter(enabled=True, paused_at__isnull=True):
            credentials = endpoint_credentials(endpoint)
            if credentials is None:
                self.warn_once(endpoint, "its XAPI_LRS_* settings are not set for this worker")
                continue
            self.backfill(endpoint)
            report.add(self.deliver(endpoint, credentials))
        # Scores for LMS gradebooks (LTI) share the worker and its loop.
        scores = scores_deliver(worker_id=self.worker_id)
        report.add(
            DeliveryReport(
                requests=scores.delivered + scores.retried + scores.dead,
                delivered=scores.delivered,
                retried=scores.retried,
                dead=scores.dead,
            )
        )
        return report

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
            next_rows = self.claim(endpoint) if _turn + 1 < BATCHES_PER_TURN else []
            report.add(
                deliveries_record(
                    client=client,
                    endpoint=endpoint,
                    rows=rows,
                    worker_id=self.worker_id,
                    answer=sending.result(),
                )
            )
            rows = next_rows
            if report.paused or report.retried:
                # The LRS refused or failed: hand the next batch back instead of sending it.
                release_claims(rows, self.worker_id)
                break
        return report

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

    def run(
        self,
        *,
        once: bool = False,
        idle_seconds: float | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> DeliveryReport:
        """Deliver until nothing is due (``once``) or until asked to stop."""
        idle = lms_setting("XAPI_IDLE_SECONDS") if idle_seconds is None else idle_seconds
        total = DeliveryReport()
        while not should_stop():
            report = self.run_round()
            total.add(report)
            if report.requests:
                logger.info(
                    "delivered %d, retrying %d, dead %d in %d requests",
                    report.delivered,
                    report.retried,
                    report.dead,
                    report.requests,
                )
                continue
            if once:
                break
            time.sleep(idle)
        return total

    def close(self) -> None:
        self.sender.shutdown()
        for client in self.clients.values():
            client.close()
        self.clients.clear()
