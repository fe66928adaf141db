from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand

from lms.services.retention import outbox_purge, retention_cutoff


class Command(BaseCommand):
    help = (
        "Delete what Puente no longer needs: statements every LRS acknowledged and scores every "
        "platform took, older than PUENTE_RETENTION_DAYS (or --days), and expired sessions. "
        "Run it daily (deploy/systemd/puente-maintenance.timer)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=None, help="keep this many days")
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, days: int | None, dry_run: bool, **options) -> None:
        before = retention_cutoff(days=days)
        report = outbox_purge(before=before, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {report.statements} acknowledged statements and {report.scores} delivered "
            f"scores from before {before:%Y-%m-%d %H:%M} UTC."
        )
        if not dry_run:
            # Django's clearsessions: sessions past their expiry date.
            import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
            self.stdout.write("Deleted expired sessions.")
