"""Health endpoints for load balancers and orchestrators.

``/health/live``: the process answers (no database, so a database outage does not get every web
process restarted). ``/health/ready``: the database answers, the cache answers, and how much
waits in the xAPI outbox and the LTI score queue.

Its status: "ok"; "degraded" (200: the site serves, but something needs a person: the cache is
down, an LRS endpoint is paused, statements wait with no LRS to go to, dead letters, statements
wait and no delivery worker is running); or
"unavailable" (503: the database or the outbox cannot be read, the site cannot serve).
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import ResolverMatch
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lms.selectors.xapi import outbox_backlog

logger = logging.getLogger(__name__)
CACHE_PROBE_KEY = "puente:health"
# A worker says it is alive every few seconds; this long without a word, it is gone.
WORKER_SILENT_SECONDS = 120


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    checks: dict[str, object] = {}
    healthy = True
    degraded: list[str] = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as error:
        logger.error("Readiness: the database does not answer: %s", error.__class__.__name__)
        checks["database"] = "unavailable"
        healthy = False
    try:
        cache.set(CACHE_PROBE_KEY, 1, timeout=10)
        checks["cache"] = "ok" if cache.get(CACHE_PROBE_KEY) == 1 else "unavailable"
    except Exception as error:  # any cache backend's failure means "not ready"
        logger.error("Readiness: the cache does not answer: %s", error.__class__.__name__)
        checks["cache"] = "unavailable"
    if checks["cache"] != "ok":
        degraded.append("cache")  # pages work without it (see courses.cache)
    if checks["database"] == "ok":
        try:
            with transaction.atomic():  # a failure here leaves the connection usable
                backlog = outbox_backlog(now=timezone.now())
        except DatabaseError as error:  # tables missing (not migrated) or a failing query
            logger.error("Readiness: the outbox cannot be read: %s", error.__class__.__name__)
            checks["outbox"] = "unavailable"
            healthy = False
        else:
            checks["outbox"] = asdict(backlog)
            if backlog.paused_endpoints:
                degraded.append("paused LRS endpoints")
            if backlog.waiting_for_an_lrs:
                degraded.append("statements waiting for an LRS")
            if backlog.dead:
                degraded.append("dead letters")
            worker_seen = backlog.worker_seen_seconds_ago
            waiting = backlog.pending or backlog.events_waiting
            if waiting and (worker_seen is None or worker_seen > WORKER_SILENT_SECONDS):
                degraded.append("no delivery worker")
    status = "unavailable" if not healthy else "degraded" if degraded else "ok"
    body = {"status": status, **({"degraded": degraded} if degraded else {}), **checks}
    return JsonResponse(body, status=200 if healthy else 503)


class HealthCheckMiddleware:
    """Answers /health/live and /health/ready before anything reads the Host header: a load
    balancer probes each server by its address, which is not in ALLOWED_HOSTS (Django would
    answer 400 and log a traceback for every probe). Nothing else is answered here."""

    ROUTES = {"/health/live": live, "/health/ready": ready}

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        view = self.ROUTES.get(request.path_info)
        if view is None:
            return self.get_response(request)
        # Named like a routed request, for the request log and the metrics.
        request.resolver_match = ResolverMatch(view, (), {}, route=request.path_info[1:])
        return view(request)
