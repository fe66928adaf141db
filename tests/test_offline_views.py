"""The server side of offline use: service worker, manifest, icons, offline page, module packs,
data saver, and events queued on a shared phone."""

import io
import uuid

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient
from wagtail.models import PageViewRestriction

from lms.models import LearnerEvent
from tests.people import build_world

pytestmark = pytest.mark.django_db


def test_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert 'importScripts("/static/puente/js/puente.js")' in script
    for language in ("en", "es", "vi", "zh-hans", "ar"):
        assert f'"/{language}/offline/"' in script


def test_manifest_and_icons_for_the_home_screen(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["display"] == "standalone"
    assert data["start_url"] == "/"
    for icon in data["icons"]:
        response = client.get(icon["src"])
        assert response["Content-Type"] == "image/png"
        width, height = Image.open(io.BytesIO(response.content)).size
        assert f"{width}x{height}" == icon["sizes"]
    assert client.get("/icons/icon-64.png").status_code == 404
    assert 'rel="manifest"' in client.get("/en/offline/").content.decode()


def test_the_offline_page_speaks_the_learners_language(client):
    assert "You are offline" in client.get("/en/offline/").content.decode()
    assert "Está sin conexión" in client.get("/es/offline/").content.decode()


def test_a_module_pack_lists_its_lessons_and_phone_sized_pictures(course_tree, client):
    module = course_tree.modules[0]
    response = client.get(f"/offline-pack/{module.pk}/")
    urls = response.json()["urls"]
    assert urls[0] == module.get_url()
    lesson_urls = [lesson.get_url() for lesson in course_tree.lessons[:3]]
    assert all(url in urls for url in lesson_urls)
    pictures = [url for url in urls if url.startswith("/media/images/")]
    assert {"avif" in url for url in pictures} == {True, False}
    assert all("width-320" in url or "width-640" in url for url in pictures)
    for picture in pictures:
        assert client.get(picture).status_code == 200


def test_a_private_or_missing_module_has_no_pack(course_tree, client):
    module = course_tree.modules[0]
    PageViewRestriction.objects.create(page=module, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(f"/offline-pack/{module.pk}/").status_code == 404
    assert client.get(f"/offline-pack/{course_tree.lessons[0].pk}/").status_code == 404


def test_data_saver_puts_pictures_behind_a_tap(course_tree, client):
    url = course_tree.lessons[0].get_url()
    assert "tap-to-load" not in client.get(url).content.decode()
    response = client.post("/en/data-saver/", {"on": "1", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url
    html = client.get(url).content.decode()
    assert html.count('<details class="tap-to-load">') == 2  # the figure and the screenshot
    assert "Data saver is on" in html
    client.post("/en/data-saver/", {"on": "0", "next": "https://evil.example.org/"})
    assert "tap-to-load" not in client.get(url).content.decode()


def test_saving_a_lesson_for_offline_is_not_a_visit(course_tree, learner_client):
    learner_client.get(course_tree.lessons[0].get_url(), HTTP_X_PUENTE_SAVE="1")
    assert not LearnerEvent.objects.exists()


def queued_event(lesson):
    return {
        "id": str(uuid.uuid4()),
        "type": "viewed",
        "lesson": str(lesson.translation_key),
        "occurred_at": timezone.now().isoformat(),
    }


def test_events_queued_by_a_child_on_the_shared_phone_stay_the_childs(course_tree):
    world = build_world()
    phone = APIClient()
    phone.force_login(world.users["caregiver"])
    response = phone.post(
        "/api/v1/events/",
        {"events": [queued_event(course_tree.lessons[0])]},
        format="json",
        HTTP_X_PUENTE_LEARNER=str(world.child.pk),
    )
    assert response.status_code == 200
    assert LearnerEvent.objects.get().learner == world.child
    foreign = phone.post(
        "/api/v1/events/",
        {"events": [queued_event(course_tree.lessons[0])]},
        format="json",
        HTTP_X_PUENTE_LEARNER=str(world.other_child.pk),
    )
    assert foreign.status_code == 403
    assert LearnerEvent.objects.count() == 1
