"""Issuing and revoking integration tokens.

A token reads ``pnt_<prefix>_<secret>``: the prefix finds the row, the secret is checked
against its SHA-256. The secret is 256 random bits, so a fast hash is enough (a slow password
hash protects guessable secrets, which these are not) and every API call stays cheap.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.models import IntegrationToken, School

logger = logging.getLogger(__name__)
TOKEN_KIND = "pnt"  # noqa: S105 (the tokens' visible kind, not a secret)
# Writing last_used_at on every call would turn each read into a write; a minute is precise
# enough to tell an administrator whether an integration still calls.
LAST_USED_PRECISION = timedelta(minutes=1)


class IntegrationTokenError(ValueError):
    pass


@dataclass(frozen=True)
class IssuedToken:
    token: IntegrationToken
    secret: str  # the whole token, shown once and never again


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def integration_token_issue(
    *, school: School, name: str, scopes: Iterable[str], created_by: AbstractBaseUser | None
) -> IssuedToken:
    scopes = sorted(set(scopes))
    unknown = set(scopes) - set(IntegrationToken.Scope.values)
    if unknown:
        raise IntegrationTokenError(_("Unknown scope: %s.") % ", ".join(sorted(unknown)))
    if not scopes:
        raise IntegrationTokenError(_("Choose at least one thing the integration may do."))
    name = name.strip()
    if not name:
        raise IntegrationTokenError(_("Name the integration."))
    prefix = secrets.token_hex(4)
    while IntegrationToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = IntegrationToken.objects.create(
        school=school,
        name=name,
        scopes=scopes,
        prefix=prefix,
        secret_hash=secret_hash(secret),
        created_by=created_by,
    )
    logger.info(
        "Integration token %s issued for school %s with %s by user %s",
        prefix,
        school.pk,
        ",".join(scopes),
        getattr(created_by, "pk", None),
    )
    return IssuedToken(token=token, secret=f"{TOKEN_KIND}_{prefix}_{secret}")


def integration_token_revoke(*, token: IntegrationToken, revoked_by: AbstractBaseUser) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    logger.info("Integration token %s revoked by user %s", token.prefix, revoked_by.pk)


def integration_token_mark_used(*, token: IntegrationToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
