"""The plugin's settings, read with a PUENTE_ prefix and a default, so a host site sets only
what it changes. The default LRS comes from XAPI_LRS_ENDPOINT / _USERNAME / _PASSWORD."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # The public address of the site; the homePage of learners' xAPI accounts.
    "BASE_URL": "http://127.0.0.1:8000",
    # context.platform of every statement.
    "PLATFORM": "Puente",
    # Events API: how many events one request may carry, and how late they may arrive.
    "EVENTS_MAX_BATCH": 100,
    "EVENTS_MAX_AGE_DAYS": 30,
    # A lesson is passed when this share of its questions is answered right.
    "MASTERY_SCORE": 0.8,
    # Delivery worker.
    "XAPI_BATCH_SIZE": 100,
    "XAPI_CONNECT_TIMEOUT": 5.0,
    "XAPI_READ_TIMEOUT": 30.0,
    "XAPI_LEASE_SECONDS": 120,
    "XAPI_BACKOFF_BASE_SECONDS": 5,
    "XAPI_BACKOFF_MAX_SECONDS": 3600,
    # After this many failed tries with 5xx or timeouts, a batch is split to isolate a
    # statement the LRS may be choking on.
    "XAPI_SPLIT_AFTER_ATTEMPTS": 3,
    "XAPI_IDLE_SECONDS": 1.0,
    # Rate limits ("count/period", period in s, m, h or d), per person and per network
    # address. A school or library puts many families behind one address: those are generous.
    "RATE_SIGN_IN_PER_USERNAME": "10/15m",
    "RATE_SIGN_IN_PER_ADDRESS": "100/15m",
    "RATE_SIGN_UP_PER_ADDRESS": "30/h",
    "RATE_JOIN_PER_USER": "10/10m",
    "RATE_JOIN_PER_ADDRESS": "60/10m",
    "RATE_EVENTS_PER_USER": "120/m",
    "RATE_EVENTS_PER_ADDRESS": "1200/m",
    "RATE_HELP_PER_USER": "10/h",
    "RATE_HELP_PER_ADDRESS": "200/h",
    # Statements every LRS acknowledged are deleted after this many days (manage.py purge).
    "RETENTION_DAYS": 90,
    # Whether "forgot your password" offers an email link (production turns it off without
    # a mail server, and the sign-up form then asks for an email for another reason).
    "EMAIL_RESET": True,
}


def lms_setting(name: str) -> Any:
    return getattr(settings, f"PUENTE_{name}", DEFAULTS[name])


def default_lrs() -> tuple[str, str, str]:
    """(endpoint, username, password) of the LRS configured in settings; endpoint may be ''."""
    return (
        getattr(settings, "XAPI_LRS_ENDPOINT", "") or "",
        getattr(settings, "XAPI_LRS_USERNAME", "") or "",
        getattr(settings, "XAPI_LRS_PASSWORD", "") or "",
    )
