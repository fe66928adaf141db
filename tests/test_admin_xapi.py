"""The Wagtail admin for xAPI delivery: what waits, what was rejected, resume and replay."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from lms.models import DeliveryStatus, LrsEndpoint, StatementDelivery
from lms.services.xapi import statements_enqueue
from tests.conftest import PASSWORD
from tests.factories import statement

pytestmark = pytest.mark.django_db

URL = "/admin/xapi/delivery/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_without_an_lrs_the_admin_says_statements_are_waiting(admin_client, settings):
    settings.XAPI_LRS_ENDPOINT = ""
    statements_enqueue(statements=[statement() for _ in range(3)], learner=None, event=None)
    html = admin_client.get(URL).content.decode()
    assert "No Learning Record Store is configured: 3 statements are waiting" in html


def test_endpoint_counts_and_dead_letters_are_shown(admin_client, settings):
    settings.XAPI_LRS_ENDPOINT = "https://lrs.example.org/xAPI/"
    admin_client.get(URL)  # creates the settings endpoint
    rows = statements_enqueue(statements=[statement() for _ in range(3)], learner=None, event=None)
    StatementDelivery.objects.filter(statement=rows[0]).update(
        status=DeliveryStatus.DEAD,
        last_status_code=400,
        last_response='{"detail": "no verb"}',
        last_attempt_at=timezone.now(),
    )
    StatementDelivery.objects.filter(statement=rows[1]).update(status=DeliveryStatus.DELIVERED)
    html = admin_client.get(URL).content.decode()
    assert "Default LRS (settings)" in html
    assert "no verb" in html
    assert "<td>1</td>" in html  # one waiting, one delivered, one rejected


def test_replay_sends_rejected_statements_again(admin_client, settings):
    settings.XAPI_LRS_ENDPOINT = "https://lrs.example.org/xAPI/"
    admin_client.get(URL)
    rows = statements_enqueue(statements=[statement()], learner=None, event=None)
    StatementDelivery.objects.update(status=DeliveryStatus.DEAD, attempts=1)
    delivery = StatementDelivery.objects.get(statement=rows[0])
    response = admin_client.post(URL, {"action": "replay", "delivery": [delivery.pk]})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 0


def test_resume_a_paused_endpoint(admin_client):
    endpoint = LrsEndpoint.objects.create(
        key="district",
        name="District",
        url="https://lrs.example.org/",
        paused_at=timezone.now(),
        pause_reason="401",
    )
    assert "Paused" in admin_client.get(URL).content.decode()
    admin_client.post(URL, {"action": "resume", "endpoint": endpoint.pk})
    endpoint.refresh_from_db()
    assert endpoint.paused_at is None


@pytest.mark.parametrize(
    "form",
    [
        {"action": "resume", "endpoint": "abc"},
        {"action": "replay", "delivery": ["1", "x"]},
        {"action": "replay", "delivery": ["\x00"]},
    ],
)
def test_a_tampered_delivery_form_is_a_400(admin_client, form):
    assert admin_client.post(URL, form).status_code == 400


def test_resuming_an_unknown_endpoint_is_a_404(admin_client):
    assert admin_client.post(URL, {"action": "resume", "endpoint": "999"}).status_code == 404
    assert admin_client.post(URL, {"action": "resume"}).status_code == 404


def test_editors_cannot_see_or_change_delivery(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", password=PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get(URL).status_code == 302
    assert client.post(URL, {"action": "replay-all"}).status_code == 302
    assert client.get("/admin/lrs_endpoints/").status_code == 302


def test_endpoints_are_added_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/lrs_endpoints/new/",
        {
            "name": "State LRS",
            "key": "state",
            "url": "lrs.example.org/xAPI/",
            "username": "u",
            "password": "p",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    endpoint = LrsEndpoint.objects.get(key="state")
    assert endpoint.url == "https://lrs.example.org/xAPI/"
    assert not endpoint.from_settings


def test_an_lrs_password_is_encrypted_at_rest_and_never_shown_again(admin_client, settings):
    from django.db import connection

    admin_client.post(
        "/admin/lrs_endpoints/new/",
        {
            "name": "State",
            "key": "state",
            "url": "https://lrs.example.org/xAPI/",
            "username": "u",
            "password": "s3cret-Pa55",
            "enabled": "on",
        },
    )
    endpoint = LrsEndpoint.objects.get(key="state")
    assert endpoint.password == "s3cret-Pa55"  # what the worker sends with
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM lms_lrsendpoint WHERE key = 'state'")
        stored = cursor.fetchone()[0]
    assert stored.startswith("fernet:")
    assert "s3cret" not in stored
    edit = admin_client.get(f"/admin/lrs_endpoints/edit/{endpoint.pk}/").content.decode()
    assert "s3cret-Pa55" not in edit
    assert stored not in edit
    assert "Leave this empty to keep it" in edit
    # Saving the form with the password left empty keeps it.
    admin_client.post(
        f"/admin/lrs_endpoints/edit/{endpoint.pk}/",
        {
            "name": "State LRS",
            "key": "state",
            "url": "https://lrs.example.org/xAPI/",
            "username": "u",
            "password": "",
            "enabled": "on",
        },
    )
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.password) == ("State LRS", "s3cret-Pa55")


def test_secrets_keys_rotate(db, settings):
    from cryptography.fernet import Fernet
    from django.core.management import CommandError, call_command
    from django.db import connection

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PUENTE_SECRET_KEYS = [old]
    LrsEndpoint.objects.create(key="k", name="K", url="https://lrs.example.org/", password="pw")

    def stored() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT password FROM lms_lrsendpoint WHERE key = 'k'")
            return cursor.fetchone()[0]

    before = stored()
    settings.PUENTE_SECRET_KEYS = [new, old]  # the new key first, the old one still opens
    call_command("rotate_secrets", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = stored()
    assert after != before
    settings.PUENTE_SECRET_KEYS = [new]  # the old key removed: still readable
    assert LrsEndpoint.objects.get(key="k").password == "pw"
    settings.PUENTE_SECRET_KEYS = [old]  # only the old key: the rotated secret is unreadable
    assert LrsEndpoint.objects.get(key="k").password == ""
    # Rotating again without the key that opens it refuses, and keeps the secret as it was.
    settings.PUENTE_SECRET_KEYS = [Fernet.generate_key().decode(), old]
    with pytest.raises(CommandError, match="opens the stored password of LRS endpoint"):
        call_command("rotate_secrets", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert stored() == after
    settings.PUENTE_SECRET_KEYS = [new]
    assert LrsEndpoint.objects.get(key="k").password == "pw"
