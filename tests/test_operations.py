"""Running Puente for real: an empty site from one command, the demo kept off production, data
kept only as long as it is needed, erased accounts leave nothing to send, and an installed
package runs from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from lti_tool.models import Key
from wagtail.models import Locale, Page, Site

from courses.models import CourseIndexPage
from lms.models import (
    DeliveryStatus,
    Learner,
    LearnerEvent,
    LrsEndpoint,
    Statement,
    StatementDelivery,
)
from lms.services.households import household_child_add, household_create
from lms.services.progress import learner_event_record
from lms.services.retention import outbox_purge, retention_cutoff
from tests.factories import PRODUCTION, lesson_event, manage

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def quiet(*args: str, **options) -> None:
    with open(os.devnull, "w") as sink:
        call_command(*args, stdout=sink, **options)


@pytest.mark.slow
def test_setup_site_makes_an_empty_site_in_every_language():
    quiet("setup_site")
    first = sorted(Page.objects.values_list("id", "url_path", "live"))
    quiet("setup_site")
    assert sorted(Page.objects.values_list("id", "url_path", "live")) == first  # idempotent
    codes = {code for code, _name in settings.LANGUAGES}
    assert set(Locale.objects.values_list("language_code", flat=True)) == codes
    catalogs = CourseIndexPage.objects.live()
    assert {c.locale.language_code for c in catalogs} == codes
    assert not catalogs.filter(alias_of__isnull=False).exists()  # each in its own language
    assert catalogs.get(locale__language_code="es").title == "Cursos"
    assert Site.objects.get(is_default_site=True).root_page.specific in catalogs
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()
    assert Key.objects.active().exists()
    client = Client()
    for code in codes:
        assert client.get(f"/{code}/").status_code == 200, code


@pytest.mark.slow
def test_load_demo_refuses_production_settings():
    result = manage("load_demo", **PRODUCTION)
    assert result.returncode != 0
    assert "These are production settings" in result.stderr
    assert "setup_site" in result.stderr


def test_the_demo_on_a_real_site_uses_no_known_password_and_records_nothing(course_tree):
    from django.contrib.auth import authenticate

    from courses.demo.people import DEMO_PASSWORD, demo_people_load

    made = demo_people_load([], production=True)
    assert {"maestra.lopez", "director.kim", "rosa", "family01"} <= set(made)
    assert authenticate(username="maestra.lopez", password=DEMO_PASSWORD) is None
    assert authenticate(username="maestra.lopez", password=made["maestra.lopez"]) is not None
    assert len(set(made.values())) == len(made)
    assert made["rosa (household PIN)"] != "2468"
    assert not LearnerEvent.objects.exists()
    assert not Statement.objects.exists()


def record_statements(learner, lesson) -> list[Statement]:
    learner_event_record(learner=learner, event=lesson_event(lesson, "viewed"))
    return list(Statement.objects.filter(learner=learner))


def test_erasing_a_caregiver_leaves_nothing_to_send(course_tree, make_learner):
    LrsEndpoint.objects.create(key="district", name="District", url="https://lrs.example.org/")
    caregiver = make_learner("carla")
    household = household_create(caregiver=caregiver.user, pin="1357")
    child = household_child_add(household=household, display_name="Tomás", preferred_language="es")
    mine = record_statements(caregiver, course_tree.lessons[0])
    theirs = record_statements(child, course_tree.lessons[0])
    assert StatementDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == len(
        mine + theirs
    )
    caregiver.user.delete()  # as the Wagtail admin does it
    assert not Learner.objects.filter(pk__in=[caregiver.pk, child.pk]).exists()
    assert not Statement.objects.exists()
    assert not StatementDelivery.objects.exists()


def test_purge_keeps_what_is_still_needed(course_tree, make_learner):
    endpoint = LrsEndpoint.objects.create(key="d", name="District", url="https://lrs.example.org/")
    learner = make_learner("pia")
    lessons = course_tree.lessons
    old_delivered = record_statements(learner, lessons[0])
    old_pending = [s for s in record_statements(learner, lessons[1]) if s not in old_delivered]
    old_dead = [
        s for s in record_statements(learner, lessons[2]) if s not in old_delivered + old_pending
    ]
    recent = [
        s
        for s in record_statements(learner, lessons[3])
        if s not in old_delivered + old_pending + old_dead
    ]
    long_ago = timezone.now() - timedelta(days=120)
    Statement.objects.exclude(id__in=[s.id for s in recent]).update(created_at=long_ago)
    StatementDelivery.objects.filter(
        statement__in=old_delivered + recent, endpoint=endpoint
    ).update(status=DeliveryStatus.DELIVERED)
    StatementDelivery.objects.filter(statement__in=old_dead).update(status=DeliveryStatus.DEAD)

    cutoff = retention_cutoff(days=90)
    assert outbox_purge(before=cutoff, dry_run=True).statements == len(old_delivered)
    assert Statement.objects.count() == len(old_delivered + old_pending + old_dead + recent)
    assert outbox_purge(before=cutoff).statements == len(old_delivered)
    left = set(Statement.objects.values_list("id", flat=True))
    assert left == {s.id for s in old_pending + old_dead + recent}
    assert LearnerEvent.objects.count() == 4  # progress is the learner's record: kept


def test_the_purge_command_deletes_expired_sessions_and_says_what_it_did(db):
    from io import StringIO

    from django.contrib.sessions.models import Session

    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1)
    )
    Session.objects.create(
        session_key="y" * 32, session_data="", expire_date=timezone.now() + timedelta(days=1)
    )
    out = StringIO()
    call_command("purge", "--days", "30", "--dry-run", stdout=out)
    assert out.getvalue().startswith("Would delete 0 acknowledged statements")
    assert Session.objects.count() == 2  # a dry run deletes nothing
    call_command("purge", "--days", "30", stdout=out)
    assert "Deleted expired sessions." in out.getvalue()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["y" * 32]


@pytest.mark.slow
def test_an_installed_package_serves_pages_from_any_directory(tmp_path):
    """Built and installed like a release, run from a directory that is not the checkout:
    templates, static files and translations come from inside the package."""
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("*.whl")
    assert any(name.endswith("templates/base.html") for name in zipfile.ZipFile(wheel).namelist())
    target = tmp_path / "installed"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), wheel],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = (
        "import django, courses; django.setup();"
        "from django.test import Client; c = Client();"
        "page = c.get('/es/accounts/sign-in/');"
        "css = c.get('/static/puente/css/puente.css');"
        "print(courses.__file__, page.status_code, css.status_code,"
        " 'Iniciar sesión' in page.content.decode())"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=elsewhere,
        env={
            **os.environ,
            "PYTHONPATH": str(target),
            "DJANGO_SETTINGS_MODULE": "courses.settings.test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    location, page, css, spanish = run.stdout.split()[-4:]
    assert location.startswith(str(target))
    assert (page, css, spanish) == ("200", "200", "True")
