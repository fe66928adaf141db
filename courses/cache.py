"""A Redis cache that never takes a page down.

Puente uses its cache for speed and for shared counters (rate limits, LTI login state), never
as the only copy of anything. When Redis does not answer (stopped, unreachable, or hung: every
call has a short socket timeout), reads miss, writes are dropped, and the failure is logged;
then Redis is left alone for a few seconds, so that requests do not each wait for a timeout.
Pages, lessons and sign-in keep working. What degrades: pages are built without their cache,
rate limits let requests through (RATELIMIT_FAIL_OPEN; the household PIN lock lives in the
database and still holds), LTI launches that were half way through start over.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)
# After a failure, how long every process leaves Redis alone before trying again.
PAUSE_SECONDS = 5.0

# Shared by every thread of a process (Django makes a cache object per thread).
_paused_until: dict[str, float] = {}
_lock = threading.Lock()


class FailSoftRedisCache(RedisCache):
    def _fail_soft(self, operation: str, fallback: Any, *args: Any, **kwargs: Any) -> Any:
        location = str(self._servers)
        if time.monotonic() < _paused_until.get(location, 0.0):
            return fallback
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except FAILURES as error:
            with _lock:
                first = time.monotonic() >= _paused_until.get(location, 0.0)
                _paused_until[location] = time.monotonic() + PAUSE_SECONDS
            if first:
                logger.warning(
                    "The cache (Redis) does not answer: %s. Pages go on without it; trying "
                    "again in %g s.",
                    type(error).__name__,
                    PAUSE_SECONDS,
                )
            return fallback

    def get(self, key, default=None, version=None):
        return self._fail_soft("get", default, key, default, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_soft("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_soft("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_soft("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._fail_soft("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._fail_soft("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._fail_soft("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._fail_soft("incr", None, key, delta, version)
        if result is None:
            raise ValueError("Key not available in the cache")  # what callers handle
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._fail_soft("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._fail_soft("delete_many", None, keys, version)

    def clear(self):
        return self._fail_soft("clear", None)
