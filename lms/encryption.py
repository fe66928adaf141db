"""Secrets kept in the database (LRS passwords), encrypted with keys from the environment.

``PUENTE_SECRET_KEYS`` holds one or more Fernet keys (``python manage.py
generate_secret_key`` makes one), comma-separated: the first encrypts, every one decrypts. To
rotate: put a new key first, keep the old one after it, run ``python manage.py
rotate_secrets`` (it re-encrypts every stored secret with the new key), then remove the old
key. Without the setting (a laptop, the tests) a key is derived from SECRET_KEY; production
settings require PUENTE_SECRET_KEYS, so that changing SECRET_KEY never makes secrets unreadable.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

logger = logging.getLogger(__name__)
PREFIX = "fernet:"


@functools.cache
def _keys(configured: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not configured:
        digest = hashlib.sha256(f"puente-secrets:{secret_key}".encode()).digest()
        configured = (base64.urlsafe_b64encode(digest).decode(),)
    try:
        return MultiFernet([Fernet(key.encode()) for key in configured])
    except ValueError as error:
        raise ImproperlyConfigured(
            "PUENTE_SECRET_KEYS must be Fernet keys (32 url-safe base64-encoded bytes each); "
            "make one with: python manage.py generate_secret_key"
        ) from error


def fernet() -> MultiFernet:
    configured = tuple(getattr(settings, "PUENTE_SECRET_KEYS", ()) or ())
    return _keys(configured, settings.SECRET_KEY)


def encrypt(value: str) -> str:
    if not value:
        return ""
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    """The secret; "" (and an error in the log) when no configured key opens it."""
    if not stored or not stored.startswith(PREFIX):
        return stored or ""  # empty, or written before encryption (migrated on next save)
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        logger.error("A stored secret cannot be decrypted: was PUENTE_SECRET_KEYS changed?")
        return ""


def readable(stored: str) -> bool:
    """Whether a configured key opens this stored value (empty and plain values are readable)."""
    if not stored or not stored.startswith(PREFIX):
        return True
    try:
        fernet().decrypt(stored[len(PREFIX) :].encode())
    except InvalidToken:
        return False
    return True


class EncryptedTextField(models.TextField):
    """Text stored encrypted; Python code sees the plain value."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value is not None else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value.startswith(PREFIX):
            return value
        return encrypt(value)
