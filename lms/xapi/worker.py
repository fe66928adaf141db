"""The delivery worker's loop: for each enabled endpoint, claim due rows and send them."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable

from lms.conf import lms_setting
from lms.models import LrsEndpoint
from lms.services.xapi import endpoint_backfill, endpoint_credentials, endpoints_sync_from_settings
from lms.xapi.client import LrsClient
from lms.xapi.delivery import DeliveryReport, deliveries_claim, deliveries_send

logger = logging.getLogger(__name__)


class DeliveryWorker:
    def __init__(self, *, batch_size: int | None = None) -> None:
        self.batch_size = batch_size or lms_setting("XAPI_BATCH_SIZE")
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # One keep-alive session per endpoint, for as long as the worker runs.
        self.clients: dict[tuple[int, str], LrsClient] = {}

    def client_for(self, endpoint: LrsEndpoint) -> LrsClient:
        username, password = endpoint_credentials(endpoint)
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
        """One batch per endpoint that has something due."""
        report = DeliveryReport()
        endpoints_sync_from_settings()
        for endpoint in LrsEndpoint.objects.filter(enabled=True, paused_at__isnull=True):
            endpoint_backfill(endpoint=endpoint)
            rows = deliveries_claim(
                endpoint=endpoint, worker_id=self.worker_id, limit=self.batch_size
            )
            if rows:
                report.add(
                    deliveries_send(
                        client=self.client_for(endpoint),
                        endpoint=endpoint,
                        rows=rows,
                        worker_id=self.worker_id,
                    )
                )
        return report

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
        for client in self.clients.values():
            client.close()
        self.clients.clear()
