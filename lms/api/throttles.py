"""API rate limits (DRF throttles: 429 with Retry-After), per person and per network address,
on the endpoints a script could hammer: event batches and joining a class with a code. The
rates are the plugin's settings (lms/conf.py), written as django-ratelimit writes them.

Each limit is one counter per key and window in the shared cache, counted the way
django-ratelimit counts the pages' limits (lms/ratelimits.py): windows are fixed, each key's
staggered by its hash so that they do not all free up at once. A request costs one cache call
whatever the rate. DRF's own SimpleRateThrottle keeps the time of every request in the window,
and reads and rewrites that whole list on each one: 1,200 entries (11 KB pickled) for a school's
address at the default events rate. django-ratelimit's get_usage itself adds the counter before
it increments it, two calls on every request; this increments first.
"""

from __future__ import annotations

import math
import re
import time
import zlib
from abc import ABC, abstractmethod

from django.conf import settings
from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from lms.api.authentication import request_token
from lms.conf import lms_setting

RATE = re.compile(r"^(?P<count>\d+)/(?P<multiple>\d*)(?P<unit>[smhd])$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# The clock windows are read from (the tests hold it still).
clock = time.time


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/15m' -> (10, 900): DRF's own parser would read '15m' as one minute."""
    match = RATE.match(rate)
    if match is None:
        raise ValueError(f"Not a rate: {rate!r} (write it like 120/m or 10/15m).")
    multiple = int(match["multiple"] or 1)
    return int(match["count"]), multiple * UNIT_SECONDS[match["unit"]]


def _window(key: str, period: int, now: float) -> tuple[int, float]:
    """The number of the window ``now`` falls in for ``key``, and when that window ends."""
    offset = zlib.crc32(key.encode()) % period
    number = math.floor((now - offset) / period)
    return number, (number + 1) * period + offset


def _counted(key: str, seconds: float) -> int | None:
    """Count a request under ``key`` (kept ``seconds``): how many so far, or None when the
    cache does not answer (then requests go through, as RATELIMIT_FAIL_OPEN lets the pages')."""
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    for _attempt in range(2):
        try:
            return cache.incr(key)
        except ValueError:  # not counted yet in this window (or the cache is down)
            if cache.add(key, 1, math.ceil(seconds) + 1):
                return 1
            # Another request started the window in between: count on it.
    return None


class SettingRateThrottle(BaseThrottle, ABC):
    """Allow ``count`` requests per window of ``period`` per key; the rate is a setting."""

    scope = ""
    rate_setting = ""

    @abstractmethod
    def get_cache_key(self, request: Request, view) -> str | None:
        """Whom the request is counted for (None: not limited), per person or per address."""

    def allow_request(self, request: Request, view) -> bool:
        self.window_ends = None
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        limit, period = parse_rate(lms_setting(self.rate_setting))
        now = clock()
        number, ends = _window(ident, period, now)
        count = _counted(f"{ident}:{period}:{number}", ends - now)
        if count is None or count <= limit:
            return True
        self.window_ends = ends
        return False

    def wait(self) -> float | None:
        """Seconds until the exceeded window ends (DRF's Retry-After)."""
        return None if self.window_ends is None else max(1.0, self.window_ends - clock())


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
        return f"throttle:{self.scope}:{ident}"


class AddressThrottle(SettingRateThrottle):
    def get_cache_key(self, request: Request, view) -> str:
        return f"throttle:{self.scope}:{self.get_ident(request)}"


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
