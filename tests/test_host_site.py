"""A second Wagtail site, examples/host_site, built from docs/plugin.md alone: Wagtail and the
`lms` plugin, no `courses`, pages of its own. Its tests run in a virtualenv of their own with
the puente-lms wheel installed (packaging/build_lms_wheel.py), not this source tree, and
deliver to the Ralph LRS this suite starts."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.factories import REPO
from tests.venvs import cached_venv_path, ensure_venv, run

sys.path.insert(0, str(REPO / "packaging"))
from build_lms_wheel import PROJECT, build_wheel

HOST_SITE = REPO / "examples" / "host_site"
HOST_REQUIREMENTS = HOST_SITE / "requirements-test.txt"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def host_python(wheel: Path) -> Path:
    """A venv with the host's test tools and the wheel's dependencies, kept between runs; the
    wheel itself is installed afresh each time."""
    stamp = hashlib.sha256(
        (PROJECT / "pyproject.toml").read_bytes() + HOST_REQUIREMENTS.read_bytes()
    ).hexdigest()
    python = ensure_venv(
        cached_venv_path("host-site-venv", stamp),
        stamp,
        ["-r", str(HOST_REQUIREMENTS), str(wheel)],
    )
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run([*pip, "--no-deps", "--force-reinstall", str(wheel)], f"install {wheel.name}")
    return python


def wheel_version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def test_the_wheel_carries_templates_migrations_and_compiled_translations(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    assert "lms/templates/lms/sign_in.html" in names
    assert "lms/migrations/0001_squashed_0011_delivery_dead_index.py" in names
    assert "lms/lti/migrations/0001_initial.py" in names
    assert "lms/locale/es/LC_MESSAGES/django.mo" in names
    assert "lms/locale/ar/LC_MESSAGES/django.mo" in names
    # Only the plugin: not the course server, its demo content or the tests.
    assert {name.split("/")[0] for name in names} == {
        "lms",
        f"puente_lms-{wheel_version(wheel)}.dist-info",
    }


def test_the_host_site_passes_its_own_tests_against_the_installed_wheel(
    host_python: Path, wheel: Path, ralph_clean, tmp_path: Path
):
    site = tmp_path / "host_site"
    shutil.copytree(HOST_SITE, site, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "HOST_SITE_WHEEL": wheel_version(wheel),
        "HOST_SITE_DATABASE": str(tmp_path / "host.sqlite3"),
        "XAPI_LRS_ENDPOINT": ralph_clean.endpoint,
        "XAPI_LRS_USERNAME": ralph_clean.username,
        "XAPI_LRS_PASSWORD": ralph_clean.password,
    }
    result = subprocess.run(
        [str(host_python), "-m", "pytest", "-rA"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    summary = output.strip().splitlines()[-1]
    assert re.search(r"\b6 passed\b", summary), output
    assert "skipped" not in summary, output


def test_the_plugin_requires_what_the_course_server_installs_word_for_word():
    """The course server runs the plugin from source, LTI included: it must install the same
    packages."""
    plugin = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    server = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = plugin["dependencies"] + plugin["optional-dependencies"]["lti"]
    assert set(wanted) <= set(server["dependencies"])
    assert plugin["version"] == server["version"]
