"""The delivery worker, in its own process as production runs it, survives its database: a
killed connection, a database that comes up after the worker, and stops within seconds of
SIGTERM even while an LRS hangs (handing back what it had claimed)."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time

import pytest
from django.db import connection

from lms.models import DeliveryStatus, StatementDelivery, WorkerHeartbeat
from tests.factories import enqueue
from tests.lrs_stub import STALL, stub_lrs
from tests.workers import delivered_count, wait_until, worker_process

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a database connection to kill or to start late needs PostgreSQL")


def stop(process, timeout: float = 15.0) -> float:
    """SIGTERM, and how long the worker took to exit."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=timeout)
    return time.monotonic() - started


def test_the_worker_reconnects_after_its_connection_is_killed(settings):
    postgres_only()
    with stub_lrs() as lrs:
        worker = worker_process(endpoint=lrs.url, username="u", password="p", batch_size=50)
        log = worker.log
        try:
            enqueue(20)
            wait_until(lambda: delivered_count() == 20, timeout=30)
            with connection.cursor() as cursor:  # what a failover or an operator does
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            enqueue(30)
            wait_until(lambda: delivered_count() == 50, timeout=60)
            assert worker.poll() is None, "the worker is still running"
        finally:
            stop(worker)
            log.reader.join(timeout=5)
    assert "the database is unavailable" in log.text
    assert "the database is back" in log.text


class LateDatabase:
    """A TCP door to PostgreSQL that opens only when told: until then nothing listens."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.threads: list[threading.Thread] = []

    def open(self) -> None:
        self.server = socket.create_server(("127.0.0.1", self.port))
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        if hasattr(self, "server"):
            self.server.close()


def test_a_worker_started_before_its_database_waits_for_it():
    postgres_only()
    settings_dict = connection.settings_dict
    door = LateDatabase(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    late_url = f"postgres://{settings_dict['USER']}@127.0.0.1:{door.port}/{settings_dict['NAME']}"
    enqueue(10)
    with stub_lrs() as lrs:
        worker = worker_process(
            endpoint=lrs.url, username="u", password="p", batch_size=50, DATABASE_URL=late_url
        )
        log = worker.log
        try:
            # The database is "down": the worker says so, waits, and does not exit.
            wait_until(lambda: log.text.count("the database is unavailable") >= 2, timeout=30)
            assert worker.poll() is None, log.text
            door.open()
            wait_until(lambda: delivered_count() == 10, timeout=60)
        finally:
            stop(worker)
            door.close()
            log.reader.join(timeout=5)
    assert "the database is back" in log.text
    assert WorkerHeartbeat.objects.exists()


def test_sigterm_stops_the_worker_within_five_seconds_while_the_lrs_hangs(settings):
    with stub_lrs(stall_seconds=30) as lrs:
        lrs.respond = lambda batch: STALL
        rows = enqueue(30)
        worker = worker_process(
            endpoint=lrs.url,
            username="u",
            password="p",
            batch_size=10,
            PUENTE_XAPI_LEASE_SECONDS="600",  # only a release can free the rows in time
            PUENTE_XAPI_READ_TIMEOUT="60",
        )
        try:
            wait_until(lambda: len(lrs.requests) >= 1, timeout=30)
            took = stop(worker)
        except BaseException:
            worker.kill()
            raise
    assert took < 5, f"the worker took {took:.1f} s to stop"
    assert worker.returncode == 0
    # Nothing was lost or left leased: every row waits, free for the next worker.
    deliveries = StatementDelivery.objects.filter(statement__in=rows)
    assert deliveries.filter(status=DeliveryStatus.PENDING).count() == 30
    assert not deliveries.exclude(claimed_by="").exists()
