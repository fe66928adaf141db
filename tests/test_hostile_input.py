"""Hostile input: script payloads in everything people type are shown as text, every form
needs its CSRF token, and no redirect leaves the site."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.test import Client
from django.utils.html import escape

from lms.models import Learner
from lms.services.classes import classroom_create
from lms.services.integrations import integration_token_issue
from tests.conftest import PASSWORD
from tests.people import build_world

pytestmark = pytest.mark.django_db
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><svg onload=alert(1)>",
    "javascript:alert(1)",
]


@pytest.fixture
def world(db, course_tree):
    world = build_world()
    world.tree = course_tree
    return world


def signed_in(world, role: str, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(world.users[role])
    return client


class Forms(HTMLParser):
    """The POST forms of a page: their action and whether they carry a CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = {"action": attrs.get("action"), "token": False}
            self.forms.append(self._current)
        elif tag == "input" and self._current and attrs.get("name") == "csrfmiddlewaretoken":
            self._current["token"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


@pytest.mark.parametrize("payload", PAYLOADS)
def test_what_people_type_is_shown_as_text(world, payload):
    child = world.child
    child.display_name = payload
    child.save()
    world.class_a1.name = payload
    world.class_a1.save()
    integration_token_issue(
        school=world.school, name=payload, scopes=["catalog:read"], created_by=None
    )
    pages = [
        ("caregiver", "/en/learn/household/"),
        ("caregiver", "/en/learn/who/"),
        ("educator", "/en/teach/"),
        ("educator", f"/en/teach/classes/{world.class_a1.pk}/"),
        ("educator", f"/en/teach/classes/{world.class_a1.pk}/learners/"),
        ("educator", f"/en/teach/classes/{world.class_a1.pk}/sheet/"),
        ("administrator", "/en/teach/integrations/"),
        ("learner", "/en/learn/"),
    ]
    shown_as_text = set()
    for role, url in pages:
        html = signed_in(world, role).get(url).content.decode()
        if escape(payload) in html:
            shown_as_text.add(url)
        assert "<script>alert" not in html, url
        assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", ""), url
        assert "<svg onload" not in html, url
    assert {
        "/en/learn/household/",
        f"/en/teach/classes/{world.class_a1.pk}/",
        "/en/teach/integrations/",
    } <= shown_as_text
    # What is typed into a URL, too.
    for url in [
        f"/en/learn/join/?code={payload}",
        f"/en/accounts/sign-in/?next={payload}",
        f"/en/accounts/sign-up/?next={payload}",
    ]:
        html = signed_in(world, "learner").get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<svg onload" not in html, url
        assert not re.search(r"<img[^>]*onerror", html), url


def test_script_strings_stay_inside_their_json(world, settings):
    """The strings the lesson script reads are a JSON island: a translation (or a payload)
    with </script> cannot close it."""
    html = Client().get(world.tree.lessons[0].get_url()).content.decode()
    island = re.search(r'<script type="application/json" id="puente-strings">(.*?)</script>', html)
    assert island is not None
    assert "<" not in island.group(1)


def test_every_form_carries_a_csrf_token_and_is_refused_without_it(world):
    pages = {
        None: [
            "/en/accounts/sign-in/",
            "/en/accounts/sign-up/",
            world.tree.lessons[0].get_url(),
        ],
        "learner": ["/en/learn/", "/en/learn/join/", world.tree.lessons[0].get_url()],
        "caregiver": ["/en/learn/household/", "/en/learn/who/"],
        "educator": [
            "/en/teach/",
            f"/en/teach/classes/{world.class_a1.pk}/",
            f"/en/teach/classes/{world.class_a1.pk}/assign/",
            f"/en/teach/classes/{world.class_a1.pk}/learners/",
        ],
        "administrator": ["/en/teach/integrations/"],
    }
    checked = set()
    for role, urls in pages.items():
        for url in urls:
            client = Client(enforce_csrf_checks=True)
            if role:
                client.force_login(world.users[role])
            response = client.get(url)
            assert response.status_code == 200, url
            parser = Forms()
            parser.feed(response.content.decode())
            assert parser.forms, f"no form on {url}"
            for form in parser.forms:
                assert form["token"], f"a form on {url} has no CSRF token"
                action = urljoin(url, form["action"] or url).split("#")[0]
                refused = client.post(action, {"anything": "1"})
                assert refused.status_code == 403, (url, action, refused.status_code)
                checked.add(action.split("?")[0])
    assert len(checked) >= 10, checked


def test_a_stale_form_and_an_unknown_host_get_a_kind_page_in_the_readers_language(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["learner"])
    refused = client.post("/es/learn/join/", {"code": "ABCD2345"})  # no token: a stale page
    assert refused.status_code == 403
    page = refused.content.decode()
    assert '<html lang="es"' in page
    assert "Esta página estuvo abierta un buen rato" in page
    assert "CSRF" not in page
    unknown = Client(HTTP_HOST="192.168.1.20:8000").get("/ar/")  # a phone on the school Wi-Fi
    assert unknown.status_code == 400
    assert '<html lang="ar" dir="rtl"' in unknown.content.decode()
    assert "Bad Request" not in unknown.content.decode()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        "\x00//evil.example",
    ],
)
def test_sign_in_and_sign_up_never_send_anyone_off_the_site(world, target):
    response = Client().post(
        "/en/accounts/sign-in/",
        {"username": "ana", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/learn/"
    response = Client().post(
        "/en/accounts/sign-up/",
        {
            "username": "newfamily",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
            "preferred_language": "en",
            "next": target,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/welcome/"  # their recovery code, then home
    Learner.objects.filter(user__username="newfamily").delete()
    response = Client().post("/data-saver/", {"on": "1", "next": target})
    assert response["Location"] in ("/", "/en/data-saver/")


@pytest.mark.parametrize("path", ["//evil.example/", "/%2F%2Fevil.example/", "/\\evil.example"])
def test_language_negotiation_never_redirects_off_the_site(db, path):
    response = Client().get(path, HTTP_ACCEPT_LANGUAGE="es")
    location = response.get("Location", "")
    assert not location.startswith(("//", "http", "/\\")), location


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-endpoint/",
        "/api/v1/classes/%0AL%12/dashboard/",  # an encoded newline, as schemathesis sent one
        "/api/v1/classes/1/%0A",
    ],
)
def test_unknown_api_paths_answer_a_json_404(db, path):
    response = Client().get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_text_that_is_not_unicode_never_breaks_a_request(world):
    """A lone surrogate escaped in JSON, and bytes that are not UTF-8 in a query string,
    become U+FFFD instead of a 500 when they are saved or shown."""
    educator = signed_in(world, "educator")
    body = json.dumps(
        {"name": "Clase \ud83d", "school": world.school.pk}
    )  # ASCII JSON: the surrogate as an escape
    made = educator.post("/api/v1/classes/", body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["name"] == "Clase \ufffd"
    page = educator.get(f"/en/teach/classes/{made.json()['id']}/")
    assert "Clase \ufffd" in page.content.decode()
    for path in ["/api/v1/catalog/", "/api/v1/me/progress/", "/api/v1/household/"]:
        response = educator.get(path + "?language=%ED%A0%80%00")
        assert response.status_code < 500


def test_a_class_made_through_the_api_with_markup_is_escaped_on_its_page(world):
    classroom = classroom_create(
        school=world.school, name="<b>bold</b> & co", educator=world.users["educator"]
    )
    html = signed_in(world, "educator").get(f"/en/teach/classes/{classroom.pk}/").content
    assert b"&lt;b&gt;bold&lt;/b&gt; &amp; co" in html


def test_oversized_bodies_are_refused_before_they_are_parsed(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = Client()
    client.force_login(world.users["learner"])
    big = '{"events": [' + ",".join(['{"id": "x"}'] * 2000) + "]}"
    api = client.post("/api/v1/events/", big, content_type="application/json")
    assert api.status_code == 413
    assert api.json() == {
        "detail": "The request is too large: at most 10000 bytes.",
        "code": "too_large",
    }
    page = client.post("/en/learn/join/", {"code": "x" * 20_000})
    assert page.status_code == 413
    assert "too large" in page.content.decode()
    # Right at the limit is fine (a 400 for what it says, not for its size).
    assert client.post("/en/learn/join/", {"code": "x" * 100}).status_code == 400


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_lesson_texts_are_escaped_in_the_page_and_in_its_script_data(world, payload):
    """Editors' plain-text fields (question, answers, feedback, glossary, callouts) are text;
    the question data the script reads cannot close its <script> element."""
    lesson = world.tree.lessons[0].specific
    raw = json.dumps(list(lesson.body.raw_data))
    for text in ["A single question?", "Feedback for Answer 0.", "Answer 0", "Router", "Sit near"]:
        assert text in raw, text
        raw = raw.replace(text, payload.replace('"', '\\"'))
    lesson.body = json.loads(raw)
    lesson.save()

    html = Client().get(lesson.get_url()).content.decode()

    assert escape(payload) in html
    assert "<script>alert" not in html
    assert "<svg onload" not in html
    assert not re.search(r"<img[^>]*onerror", html)
