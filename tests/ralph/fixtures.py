"""Pytest fixtures running a real Ralph LRS; load with ``pytest_plugins``.

In the root ``conftest.py``: ``pytest_plugins = ["tests.ralph.fixtures"]``.

- ``ralph_python`` (session): Ralph's venv python, built on first use from
  ``tests/ralph/requirements.txt`` into ``$PUENTE_RALPH_VENV`` or
  ``~/.cache/puente/ralph-venv-<hash of requirements.txt>`` (about 20 s once per machine,
  then a hash check). If it cannot be
  built, every test using Ralph FAILS with the reason; nothing is skipped.
- ``ralph`` (session): one ``RalphServer`` for the whole session, in a pytest
  tmp dir, on a free loopback port (about 1.2 s to start). Its state is whatever
  earlier tests left.
- ``ralph_clean`` (function): the same server, empty and running. Isolation
  is by emptying the store, not by restarting: Ralph's fs backend keeps no
  statements in memory, so deleting its data file empties the LRS in well
  under a millisecond (a restart costs about 1.2 s). If a test left the server
  stopped (e.g. to simulate an outage), it is started again on the same port.

Example::

    def test_delivery(ralph_clean):
        deliver(endpoint=ralph_clean.endpoint, auth=ralph_clean.auth)
        assert ralph_clean.count() == 3
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ralph.server import RalphError, RalphServer, ensure_ralph_venv


@pytest.fixture(scope="session")
def ralph_python() -> Path:
    """Ralph's venv python; a failure to build it fails the tests that need it."""
    try:
        return ensure_ralph_venv()
    except (RalphError, OSError, subprocess.SubprocessError) as error:
        reason = f"Cannot build Ralph's venv for the LRS tests: {error}"
    pytest.fail(reason, pytrace=False)  # outside `except`: no chained traceback


@pytest.fixture(scope="session")
def ralph(ralph_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RalphServer]:
    """One real Ralph LRS for the test session."""
    server = RalphServer(tmp_path_factory.mktemp("ralph"), python=ralph_python)
    try:
        yield _started(server)
    finally:
        server.stop()


def _started(server: RalphServer) -> RalphServer:
    try:
        return server.start()
    except (RalphError, OSError) as error:
        reason = f"Cannot start the Ralph LRS: {error}"
    pytest.fail(reason, pytrace=False)


@pytest.fixture
def ralph_clean(ralph: RalphServer) -> RalphServer:
    """The session's Ralph LRS, running and holding no statement."""
    if not ralph.is_running:
        ralph.start()
    ralph.clear()
    return ralph
