from django.core.management.base import BaseCommand
from django.db import transaction

from lms.models import LrsEndpoint


class Command(BaseCommand):
    help = (
        "Encrypt every stored secret again with the first key of PUENTE_SECRET_KEYS. Put the "
        "new key first, keep the old ones after it, run this, then remove the old keys."
    )

    def handle(self, *args, **options) -> None:
        count = 0
        with transaction.atomic():
            # Loading decrypts with whichever key opens a secret; saving encrypts with the first.
            for endpoint in LrsEndpoint.objects.select_for_update().exclude(password=""):
                endpoint.save(update_fields=["password"])
                count += 1
        self.stdout.write(f"Re-encrypted {count} secret(s) with the first key.")
