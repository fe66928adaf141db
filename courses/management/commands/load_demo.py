from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courses.demo.curriculum import CurriculumError
from courses.demo.loader import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME, demo_site_load


class Command(BaseCommand):
    help = (
        "Create or update the demo courses, locales, people and admin user. Safe to run again. "
        "Refuses production settings unless --production is given; then the demo's people get "
        "passwords of their own (shown once) and no made-up progress is recorded."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--production",
            action="store_true",
            help="this is a real site: load the demo anyway, without known passwords",
        )

    def handle(self, *args, production: bool, **options) -> None:
        on_real_site = getattr(settings, "PUENTE_ENVIRONMENT", "") == "production"
        if on_real_site and not production:
            raise CommandError(
                "These are production settings: the demo would add accounts with published "
                "passwords and made-up learning records that would reach your LRS. To start an "
                "empty site run `manage.py setup_site`. To load the demo courses on this site "
                "anyway (its people with passwords of their own, no made-up progress), run "
                "`manage.py load_demo --production`."
            )
        try:
            report = demo_site_load(production=production or on_real_site)
        except CurriculumError as error:
            raise CommandError(f"The demo curriculum is not valid: {error}") from error
        for line in report.created:
            self.stdout.write(f"  created {line}")
        for line in report.updated:
            self.stdout.write(f"  updated {line}")
        self.stdout.write(self.style.SUCCESS(f"Demo site loaded: {report}."))
        if report.passwords:
            self.stdout.write("Passwords made for the demo's new accounts (shown only now):")
            for username, password in sorted(report.passwords.items()):
                self.stdout.write(f"  {username}: {password}")
        if not (production or on_real_site):
            self.stdout.write(
                f"Wagtail admin: /admin/ (user {DEMO_ADMIN_USERNAME!r}, "
                f"password {DEMO_ADMIN_PASSWORD!r} unless PUENTE_DEMO_ADMIN_PASSWORD was set)"
            )
