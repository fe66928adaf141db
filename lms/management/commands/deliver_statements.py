import signal

from django.core.management.base import BaseCommand

from lms.xapi.worker import DeliveryWorker


class Command(BaseCommand):
    help = (
        "Send queued xAPI statements to every enabled LRS. Runs until stopped, or with --once "
        "until nothing is due. Safe to run several at once (on PostgreSQL)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="stop when nothing is due")
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--idle", type=float, default=None, help="seconds between polls")

    def handle(self, *args, once: bool, batch_size: int | None, idle: float | None, **options):
        stopping = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopping.append(True))
        worker = DeliveryWorker(batch_size=batch_size)
        try:
            report = worker.run(once=once, idle_seconds=idle, should_stop=lambda: bool(stopping))
        finally:
            worker.close()
        self.stdout.write(
            f"Delivered {report.delivered}, retrying {report.retried}, dead {report.dead} "
            f"({report.requests} requests)."
        )
