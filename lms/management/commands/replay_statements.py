from django.core.management.base import BaseCommand, CommandError

from lms.models import LrsEndpoint
from lms.services.xapi import deliveries_replay


class Command(BaseCommand):
    help = "Queue dead-lettered statements for delivery again (all, or one endpoint's)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--endpoint", help="the endpoint's key; default: every endpoint")

    def handle(self, *args, endpoint: str | None, **options) -> None:
        target = None
        if endpoint:
            target = LrsEndpoint.objects.filter(key=endpoint).first()
            if target is None:
                raise CommandError(f"No LRS endpoint with key {endpoint!r}.")
        count = deliveries_replay(endpoint=target)
        self.stdout.write(f"{count} statements queued again.")
