import logging
import signal

from django.core.management.base import BaseCommand

from lms.xapi.worker import DeliveryWorker

logger = logging.getLogger("lms.xapi.worker")


class Command(BaseCommand):
    help = (
        "Record the events the API accepted for later, and send queued xAPI statements to "
        "every enabled LRS. Runs until stopped (SIGTERM or "
        "Ctrl-C: it stops within about 5 seconds, handing back what it had not sent), or with "
        "--once until nothing is due. Keeps going through database outages. Safe to run "
        "several at once (on PostgreSQL)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="stop when nothing is due")
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--idle", type=float, default=None, help="seconds between polls")

    def handle(self, *args, once: bool, batch_size: int | None, idle: float | None, **options):
        worker = DeliveryWorker(batch_size=batch_size)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: worker.stop_event.set())
        logger.info("Delivery worker %s started", worker.worker_id)
        try:
            report = worker.run(once=once, idle_seconds=idle)
        finally:
            worker.close()
        logger.info(
            "Delivery worker %s stopped: delivered %d, retrying %d, dead %d (%d requests)",
            worker.worker_id,
            report.delivered,
            report.retried,
            report.dead,
            report.requests,
        )
