"""Delivery through Django's task framework, for sites that run a task worker instead of (or
beside) `manage.py deliver_statements`."""

from django_tasks import task

from lms.xapi.worker import DeliveryWorker


@task()
def deliver_statements() -> dict[str, int]:
    """Deliver until nothing is due; returns the counts."""
    worker = DeliveryWorker()
    try:
        report = worker.run(once=True)
    finally:
        worker.close()
    return {"delivered": report.delivered, "retried": report.retried, "dead": report.dead}
