from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new key for PUENTE_SECRET_KEYS (it encrypts LRS passwords in the database)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(Fernet.generate_key().decode())
