"""A platform that hangs: roster sync waits at most the timeout and holds no transaction."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
from django.db import connection
from lti_tool.models import Key, LtiContext, LtiDeployment, LtiRegistration

from lms.lti.connector import TimeoutSession
from lms.lti.services import lti_registration_configure, lti_roster_sync
from lms.models import Classroom, School

pytestmark = pytest.mark.django_db


@pytest.fixture
def hung_platform():
    """A server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection_ in held:
        connection_.close()
    server.close()


def test_roster_sync_fetches_with_a_timeout_and_without_a_transaction(
    hung_platform, settings, monkeypatch, admin_user
):
    settings.PUENTE_XAPI_CONNECT_TIMEOUT = 0.5
    settings.PUENTE_XAPI_READ_TIMEOUT = 0.5
    Key.objects.generate()
    school = School.objects.create(name="Hung School")
    registration = LtiRegistration.objects.create(
        name="Hung LMS",
        issuer=hung_platform,
        client_id="puente",
        auth_url=f"{hung_platform}/auth",
        token_url=f"{hung_platform}/token",
        keyset_url=f"{hung_platform}/jwks",
    )
    lti_registration_configure(registration=registration, school=school, deployment_ids=["d1"])
    context = LtiContext.objects.create(
        deployment=LtiDeployment.objects.get(registration=registration),
        id_on_platform="course-1",
        title="Course",
        memberships_url=f"{hung_platform}/members",
    )
    depth_outside = len(connection.atomic_blocks)  # the test's own wrapping transaction
    depths = []
    real_request = TimeoutSession.request

    def watched(session, *args, **kwargs):
        depths.append(len(connection.atomic_blocks))
        return real_request(session, *args, **kwargs)

    monkeypatch.setattr(TimeoutSession, "request", watched)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        lti_roster_sync(context=context, educator=admin_user)
    assert time.monotonic() - started < 3
    assert depths == [depth_outside]  # no transaction of the sync's own was open
    assert not Classroom.objects.exists()
