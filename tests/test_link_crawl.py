"""Every link a person can reach answers: for each role (a visitor, a learner, a caregiver, a
child on the family's phone, an educator, a school administrator), start at their home and
follow every link on every page Puente serves them, in English, Spanish and Arabic, and find no
4xx/5xx. Generated from the pages themselves, so a new page or link is crawled without anyone
listing it."""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from lms.access import ACTIVE_PROFILE_SESSION_KEY
from lms.services.activity import Actor
from lms.services.assignments import assignment_create
from lms.services.messages import class_message_send
from tests.factories import build_course_tree
from tests.people import build_world

pytestmark = pytest.mark.django_db

# Where each role starts, and who they are.
ROLES = {
    "anonymous": (None, "/{language}/"),
    "learner": ("learner", "/{language}/learn/"),
    "caregiver": ("caregiver", "/{language}/learn/"),
    "child": ("caregiver", "/{language}/learn/"),  # Kiko's profile active on carmen's phone
    "educator": ("educator", "/{language}/teach/"),
    "administrator": ("administrator", "/{language}/teach/"),
}
# Not pages: the admin is Wagtail's own (tested there); the API and the xAPI addresses are for
# machines (their own matrices check them); static files and media are files.
OUTSIDE = ("/admin/", "/api/", "/xapi/", "/static/", "/media/", "/django-admin/")
MOST_PAGES = 800


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def crawl(client: Client, start: str) -> tuple[dict[str, int], int]:
    """Every same-site page reachable from ``start``: {url: status} of the failures, and how
    many pages were visited."""
    seen, failures, queue = {page_of(start)}, {}, deque([start])
    visited = 0
    while queue and visited < MOST_PAGES:
        url = queue.popleft()
        response = client.get(url)
        visited += 1
        if response.status_code in (301, 302, 303):
            target = urljoin(url, response["Location"])
            if urlsplit(target).netloc in ("", "testserver") and page_of(target) not in seen:
                seen.add(page_of(target))
                queue.append(urlsplit(target).path + _query(target))
            continue
        if response.status_code >= 400:
            failures[url] = response.status_code
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in links_of(response.content.decode()):
            parts = urlsplit(urljoin("http://testserver" + url, href))
            if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
                continue
            if parts.path.startswith(OUTSIDE):
                continue
            if "/accounts/language/" in parts.path:  # switches the language, then goes here:
                target = parse_qs(parts.query).get("next", ["/"])[0]
                parts = urlsplit(target)
            found = parts.path + (f"?{parts.query}" if parts.query else "")
            if page_of(found) not in seen:
                seen.add(page_of(found))
                queue.append(found)
    return failures, visited


def page_of(url: str) -> str:
    """A page, whatever it is asked to lead to next (every page links to sign-in with its own
    ?next=, and that is one sign-in page) or whichever lesson and question it is about (every
    lesson and question links to "Get help" with its own: that is one help page)."""
    parts = urlsplit(url)
    query = "&".join(
        f"{key}={value}"
        for key, values in sorted(parse_qs(parts.query).items())
        if key not in ("next", "lesson", "question")
        for value in values
    )
    return parts.path + (f"?{query}" if query else "")


def _query(url: str) -> str:
    query = urlsplit(url).query
    return f"?{query}" if query else ""


@pytest.fixture
def world(db):
    tree = build_course_tree(modules=2, lessons_per_module=2, translate_to=("es", "ar"))
    world = build_world()
    teacher = world.users["educator"]
    assignment_create(
        classroom=world.class_a1,
        activity_key=tree.modules[0].translation_key,
        assigned_by=teacher,
        due_on=timezone.localdate() + timedelta(days=5),
        note="Bring your charger",
    )
    class_message_send(
        classroom=world.class_a1, text="Tech night on Tuesday", language="en", actor=Actor(teacher)
    )
    return world


@pytest.mark.parametrize("language", ["en", "es", "ar"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_link_a_person_can_reach_answers(world, role, language):
    user_key, start = ROLES[role]
    client = Client()
    if user_key:
        client.force_login(world.users[user_key])
    if role == "child":
        session = client.session
        session[ACTIVE_PROFILE_SESSION_KEY] = world.child.pk
        session.save()
    failures, visited = crawl(client, start.format(language=language))
    assert failures == {}
    assert visited > 5  # the crawl went somewhere
    assert visited < MOST_PAGES  # and saw everything
