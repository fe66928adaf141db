"""What operators see: a request id on every log line a request causes, one log line per request,
failed sign-ins, and Prometheus metrics.

Logs carry no personal data: people appear as an opaque id (a keyed hash, not reversible and
not the id used anywhere else), usernames tried at sign-in likewise, paths without their query
strings.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import empty
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from courses.request_ids import request_id_var
from lms.backends import username_key
from lms.ratelimits import client_address
from lms.selectors.xapi import delivery_metrics

logger = logging.getLogger("puente.requests")
auth_logger = logging.getLogger("puente.auth")

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
# A request id a proxy sends (nginx's $request_id is 32 hex digits) is kept if it looks like one.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

REQUESTS = Counter("puente_http_requests", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "puente_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def opaque_id(kind: str, value: object) -> str:
    """A stable, keyed, one-way name for a person or a username, for logs only."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


class RequestLogMiddleware:
    """Gives each request an id (the proxy's X-Request-ID, or a new one), answers with it in
    X-Request-ID, logs one line when the response is ready, and counts it for the metrics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get(REQUEST_ID_HEADER, "")
        request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self.log(request, response, time.perf_counter() - started)
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def log(request: HttpRequest, response: HttpResponse, seconds: float) -> None:
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else "(unmatched)"
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(route).observe(seconds)
        # Only a user the request already looked up: looking one up here could touch a
        # database that is down (a lazy user not yet loaded is still ``empty``).
        loaded = getattr(getattr(request, "user", None), "_wrapped", None)
        person = None
        if loaded is not None and loaded is not empty and loaded.is_authenticated:
            person = opaque_id("user", loaded.pk)
        logger.info(
            "%s %s %s %.1f ms",
            request.method,
            request.path,
            response.status_code,
            seconds * 1000,
            extra={
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "user": person,
                "client": client_address(request),
            },
        )


def sign_in_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    """Django's user_login_failed signal: the username tried (as an opaque id, so that tries on
    one account can be told apart from tries on many) and the client's address; never the
    password (Django removes it from ``credentials`` before sending the signal)."""
    tried = credentials.get("username", "")
    auth_logger.warning(
        "Sign-in failed",
        extra={
            "username": opaque_id("username", username_key(tried)) if tried else None,
            "client": client_address(request) if request is not None else None,
            "path": request.path if request is not None else None,
        },
    )


class DeliveryCollector:
    """Outbox figures read from the database when Prometheus scrapes (one query each)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            figures = delivery_metrics(now=timezone.now())
        except DatabaseError:
            return
        families = {
            "pending": GaugeMetricFamily(
                "puente_xapi_pending", "Statements waiting for an LRS", labels=["endpoint"]
            ),
            "delivered": GaugeMetricFamily(
                "puente_xapi_delivered", "Statements an LRS acknowledged", labels=["endpoint"]
            ),
            "dead": GaugeMetricFamily(
                "puente_xapi_dead_letters", "Statements an LRS refused", labels=["endpoint"]
            ),
            "oldest": GaugeMetricFamily(
                "puente_xapi_oldest_pending_seconds",
                "Age of the oldest statement waiting",
                labels=["endpoint"],
            ),
            "paused": GaugeMetricFamily(
                "puente_xapi_endpoint_paused",
                "1 if the LRS refused Puente's credentials",
                labels=["endpoint"],
            ),
        }
        for row in figures.endpoints:
            for name, family in families.items():
                family.add_metric([row.key], getattr(row, name))
        yield from families.values()
        yield GaugeMetricFamily(
            "puente_xapi_waiting_for_an_lrs",
            "Statements with no LRS to go to",
            value=figures.waiting_for_an_lrs,
        )
        yield GaugeMetricFamily(
            "puente_events_waiting",
            "Events the API accepted for later, not recorded yet (the worker records them)",
            value=figures.events_waiting,
        )
        yield GaugeMetricFamily(
            "puente_worker_last_seen_seconds",
            "Seconds since a delivery worker last said it was alive (-1: never)",
            value=figures.worker_last_seen_seconds,
        )


def metrics_registry() -> CollectorRegistry:
    """Every process's request metrics (gunicorn runs several: PROMETHEUS_MULTIPROC_DIR), and
    the outbox's figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in list(REGISTRY._collector_to_names):
            registry.register(collector)
    registry.register(DeliveryCollector())
    return registry


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for a scraper that sends ``Authorization: Bearer
    $PUENTE_METRICS_TOKEN``. Without the setting the endpoint does not exist (404)."""
    expected = getattr(settings, "PUENTE_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Http404
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)
