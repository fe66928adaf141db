from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from lms.encryption import readable
from lms.models import LrsEndpoint


class Command(BaseCommand):
    help = (
        "Encrypt every stored secret again with the first key of PUENTE_SECRET_KEYS. Put the "
        "new key first, keep the old ones after it, run this, then remove the old keys."
    )

    def handle(self, *args, **options) -> None:
        count = 0
        with transaction.atomic():
            endpoints = LrsEndpoint.objects.select_for_update().exclude(password="")
            # The stored text as it is (the cast skips the field's decryption): a secret that
            # no key opens would otherwise load as "" and be saved over, lost for good.
            stored = endpoints.annotate(stored=Cast("password", TextField()))
            unreadable = [e.key for e in stored.only("key") if not readable(e.stored)]
            if unreadable:
                raise CommandError(
                    "No key in PUENTE_SECRET_KEYS opens the stored password of LRS endpoint(s) "
                    f"{', '.join(unreadable)}. Put the old key back (after the new one) and run "
                    "this again; nothing was changed."
                )
            # Loading decrypts with whichever key opens a secret; saving encrypts with the first.
            for endpoint in endpoints:
                endpoint.save(update_fields=["password"])
                count += 1
        self.stdout.write(f"Re-encrypted {count} secret(s) with the first key.")
