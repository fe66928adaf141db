from django.core.management.base import BaseCommand, CommandError

from courses.demo.curriculum import CurriculumError
from courses.demo.loader import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME, demo_site_load


class Command(BaseCommand):
    help = "Create or update the demo courses, locales and admin user. Safe to run again."

    def handle(self, *args, **options) -> None:
        try:
            report = demo_site_load()
        except CurriculumError as error:
            raise CommandError(f"The demo curriculum is not valid: {error}") from error
        for line in report.created:
            self.stdout.write(f"  created {line}")
        for line in report.updated:
            self.stdout.write(f"  updated {line}")
        self.stdout.write(self.style.SUCCESS(f"Demo site loaded: {report}."))
        self.stdout.write(
            f"Wagtail admin: /admin/ (user {DEMO_ADMIN_USERNAME!r}, "
            f"password {DEMO_ADMIN_PASSWORD!r} unless PUENTE_DEMO_ADMIN_PASSWORD was set)"
        )
