"""API rate limits (DRF throttles: 429 with Retry-After), per person and per network address,
on the endpoints a script could hammer: event batches and joining a class with a code. The
rates are the plugin's settings (lms/conf.py), written as django-ratelimit writes them."""

from __future__ import annotations

import re

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from lms.api.authentication import request_token
from lms.conf import lms_setting

RATE = re.compile(r"^(?P<count>\d+)/(?P<multiple>\d*)(?P<unit>[smhd])$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/15m' -> (10, 900): DRF's own parser would read '15m' as one minute."""
    match = RATE.match(rate)
    if match is None:
        raise ValueError(f"Not a rate: {rate!r} (write it like 120/m or 10/15m).")
    multiple = int(match["multiple"] or 1)
    return int(match["count"]), multiple * UNIT_SECONDS[match["unit"]]


class SettingRateThrottle(SimpleRateThrottle):
    rate_setting = ""

    def get_rate(self) -> str:
        return lms_setting(self.rate_setting)

    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        return (None, None) if rate is None else parse_rate(rate)


class PersonThrottle(SettingRateThrottle):
    """Per account (or integration token); anonymous requests are refused before this."""

    def get_cache_key(self, request: Request, view) -> str | None:
        token = request_token(request)
        if token is not None:
            ident = f"token-{token.pk}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressThrottle(SettingRateThrottle):
    def get_cache_key(self, request: Request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class EventsPerPerson(PersonThrottle):
    scope, rate_setting = "events-person", "RATE_EVENTS_PER_USER"


class EventsPerAddress(AddressThrottle):
    scope, rate_setting = "events-address", "RATE_EVENTS_PER_ADDRESS"


class JoinPerPerson(PersonThrottle):
    scope, rate_setting = "join-person", "RATE_JOIN_PER_USER"


class JoinPerAddress(AddressThrottle):
    scope, rate_setting = "join-address", "RATE_JOIN_PER_ADDRESS"


class HelpPerPerson(PersonThrottle):
    scope, rate_setting = "help-person", "RATE_HELP_PER_USER"


class HelpPerAddress(AddressThrottle):
    scope, rate_setting = "help-address", "RATE_HELP_PER_ADDRESS"
