import time
import uuid

import django_ratelimit.core
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import translation

from lms.api import throttles
from lms.models import Learner
from lms.services.learners import learner_sign_up
from tests.factories import fresh_content_version, token_client
from tests.xapi_validation import assert_valid_statement

pytest_plugins = [
    "tests.shared_tree",
    "tests.ralph.fixtures",
    "tests.browser",
    "tests.lti_world",
    "tests.lrs_stub",
]

PASSWORD = "a-long-test-password"

# Modules whose tests start processes (gunicorn, nginx, systemd, a worker, pip), walk the
# whole API or every page for every role, or load the whole demo curriculum: `make test-fast`
# leaves them out, `make test` runs them.
SLOW_MODULES = {
    "test_deploy",
    "test_backup_restore",
    "test_worker_resilience",
    "test_dependencies_down",
    "test_api_schemathesis",
    "test_integrate_guide",
    "test_production",
    "test_principal_matrix",
    "test_link_crawl",
    "test_demo",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs a real browser, the Ralph LRS, or time, from what each test uses."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & {"browser", "phone"}:
            item.add_marker(pytest.mark.browser)
        if fixtures & {"ralph", "ralph_clean"}:
            item.add_marker(pytest.mark.ralph)
        if item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def learner(db) -> Learner:
    return learner_sign_up(username="learner", password=PASSWORD, preferred_language="es")


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner.user)
    return client


@pytest.fixture
def api(learner):
    """The learner's app, calling the API with their account token."""
    return token_client(learner)


@pytest.fixture
def make_learner(db):
    def make(username: str) -> Learner:
        return learner_sign_up(username=username, password=PASSWORD)

    return make


@pytest.fixture(autouse=True)
def _clean_slate():
    """Each test starts with an empty cache (cached ids must not outlive their rows) and in
    English (a request leaves its language active in the thread)."""
    cache.clear()
    fresh_content_version()
    translation.activate("en")


@pytest.fixture(autouse=True)
def limits_clock(monkeypatch) -> list[float]:
    """Rate limits count each test in one window, on a clock the test may move (``clock[0]``).
    Windows are fixed, each key's ending at its own second: a test that ran across one's end
    started counting again (in CI, a sign-in answered 302 where 429 was due)."""
    clock = [time.time()]
    monkeypatch.setattr(
        django_ratelimit.core, "_get_window", lambda value, period: int(clock[0]) + period
    )
    monkeypatch.setattr(throttles, "clock", lambda: clock[0])
    return clock


@pytest.fixture(autouse=True)
def _every_statement_is_valid_xapi(request):
    """Every statement a test leaves in the outbox must be valid xAPI 1.0.3.

    A test that plants an invalid statement on purpose says so with
    ``@pytest.mark.invalid_statements``.
    """
    marker = request.node.get_closest_marker("django_db")
    fixtures = {"db", "transactional_db"} & set(request.fixturenames)
    if fixtures and marker is None:
        # Requested here so that this check runs before the database is rolled back (with
        # the marker, pytest-django's own autouse fixture has set the database up already).
        request.getfixturevalue(sorted(fixtures)[0])
    check = (marker is not None or fixtures) and not request.node.get_closest_marker(
        "invalid_statements"
    )
    yield
    if check:
        from lms.models import Statement

        for payload in Statement.objects.values_list("payload", flat=True):
            assert_valid_statement(payload)


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("boss", password=PASSWORD)


@pytest.fixture(params=["memory", "redis"])
def each_cache(request, settings):
    """The test once with a process's own memory as the cache, and once with Redis as
    production has it (courses/cache.py), under a key prefix of its own."""
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "courses.cache.FailSoftRedisCache",
                "LOCATION": "redis://127.0.0.1:6379/14",
                "KEY_PREFIX": f"puente-test-{uuid.uuid4().hex}",
            }
        }
        fresh_content_version()
        cache.set("probe", "answered")
        assert cache.get("probe") == "answered"  # Redis answers (it fails soft otherwise)
    yield request.param
    if request.param == "redis":
        client = cache._cache.get_client(None)
        for key in client.keys(f"{cache.key_prefix}:*"):
            client.delete(key)
