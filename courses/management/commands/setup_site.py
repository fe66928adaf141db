from django.core.management.base import BaseCommand

from courses.setup import site_setup


class Command(BaseCommand):
    help = (
        "Set up an empty Puente site: a locale and a course catalog for every language in "
        "LANGUAGES, the Wagtail site, and an LTI signing key. Then create the first "
        "administrator with createsuperuser. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        report = site_setup()
        for line in report.created:
            self.stdout.write(f"  created {line}")
        for line in report.updated:
            self.stdout.write(f"  updated {line}")
        self.stdout.write(self.style.SUCCESS(f"Site ready: {report}."))
        self.stdout.write(
            "Next: python manage.py createsuperuser, then add courses in the Wagtail admin "
            "(/admin/)."
        )
