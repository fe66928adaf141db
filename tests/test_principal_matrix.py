"""The principal matrix: every API operation in the OpenAPI schema and every page of the plugin's
URL conf, called as every kind of principal, answers as the view's declared audience says.

Nothing here lists endpoints by hand: operations come from the schema, pages from the URL
resolver, and each view's ``audience`` (lms.access.Audience) says who it is for. A new endpoint
is covered the day it is added, and one without a declared audience fails this test.

Denied means: 401 (API) or the sign-in page (pages) for anonymous callers; 403 (API) or the
"Who is learning now?" page (pages) for a child's profile where a grown-up is needed; 403 (API)
or 404 (pages) for someone outside the audience; 404 for an object the principal may not reach
(another school's class, another family's child). A denied call changes nothing and shows no
child's name. Allowed means: not denied (the call may still be a 400 for its empty body).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone, translation
from rest_framework.test import APIClient

from lms.access import Audience
from lms.models import (
    Assignment,
    ClassMembership,
    Classroom,
    HelpReply,
    HelpRequest,
    IntegrationToken,
    Learner,
    LearnerEvent,
    StaffRole,
    Statement,
)
from lms.services.activity import Actor
from lms.services.assignments import assignment_create
from lms.services.help import HelpAsk, help_request_create
from lms.services.households import household_child_add, household_create
from lms.services.integrations import integration_token_issue, integration_token_revoke
from lms.services.messages import class_message_send
from tests.people import PIN, account, build_world, staff

pytestmark = pytest.mark.django_db

SECRETS = ("Kiko", "Lola")  # carmen's children: only carmen and A1's staff may see Kiko
SCOPES = (
    "catalog:read",
    "progress:read",
    "events:write",
    "classes:write",
    "help:read",
    "help:write",
)


@dataclass
class Caller:
    """One kind of principal: who signs in, which profile is active, what the API call
    names in X-Puente-Learner, or which integration token it carries."""

    name: str
    user: Any = None
    active: Learner | None = None
    header_learner: Learner | None = None
    token: str | None = None
    scopes: tuple[str, ...] = ()
    revoked: bool = False
    # What the principal is (for the expectations below).
    person: bool = False
    child_active: bool = False
    staff: bool = False
    school_admin: bool = False
    # Objects it reaches: the class A1, carmen's child Kiko, school A's tokens, Kiko's
    # request for help.
    reaches: set[str] = field(default_factory=set)
    # Whether it may know carmen's children at all (her own session, A1's staff).
    knows_children: bool = False

    @property
    def narrowing_refused(self) -> bool:
        return self.header_learner is not None


@pytest.fixture
def matrix(db, course_tree):
    world = build_world()
    carmen = world.users["caregiver"]
    lola = household_child_add(
        household=world.household, display_name="Lola", preferred_language="es"
    )
    carmen_own = carmen.learner
    # An educator with a child of their own on their phone.
    teacher = world.users["educator"]
    teacher_home = household_create(caregiver=teacher, pin=PIN)
    teacher_child = household_child_add(
        household=teacher_home, display_name="Tito", preferred_language="en"
    )
    # An educator who still teaches A1 on paper, but whose role at school A was taken away
    # (they keep a role at school B).
    removed = account("exteacher")
    StaffRole.objects.create(user=removed, school=world.other_school, role="educator")
    world.class_a1.educators.add(removed)
    tokens = {}
    for scope in SCOPES:
        issued = integration_token_issue(
            school=world.school, name=scope, scopes=[scope], created_by=None
        )
        tokens[scope] = issued.secret
    revoked = integration_token_issue(
        school=world.school, name="old", scopes=list(SCOPES), created_by=None
    )
    integration_token_revoke(token=revoked.token, revoked_by=world.users["administrator"])

    helper = staff("helper", world.school, StaffRole.Role.HELPER)
    other_helper = staff("helper_b", world.other_school, StaffRole.Role.HELPER)
    a1_staff = {"class", "token", "help"}
    callers = [
        Caller("anonymous"),
        Caller("learner", world.users["learner"], person=True),
        Caller("other household's caregiver", world.users["other_caregiver"], person=True),
        Caller("caregiver", carmen, person=True, reaches={"child", "help"}, knows_children=True),
        Caller(
            "caregiver, child active",
            carmen,
            world.child,
            person=True,
            child_active=True,
            reaches={"help"},
            knows_children=True,
        ),
        Caller(
            "child naming a sibling",
            carmen,
            world.child,
            header_learner=lola,
            person=True,
            child_active=True,
            knows_children=True,
        ),
        Caller(
            "child naming the caregiver",
            carmen,
            world.child,
            header_learner=carmen_own,
            person=True,
            child_active=True,
            knows_children=True,
        ),
        Caller(
            "educator",
            teacher,
            person=True,
            staff=True,
            reaches={"class", "help"},
            knows_children=True,
        ),
        Caller("helper", helper, person=True, staff=True, reaches={"help"}, knows_children=True),
        Caller("another school's helper", other_helper, person=True, staff=True),
        Caller(
            "educator, own child active", teacher, teacher_child, person=True, child_active=True
        ),
        Caller("educator removed from the school", removed, person=True, staff=True),
        Caller(
            "school administrator",
            world.users["administrator"],
            person=True,
            staff=True,
            school_admin=True,
            reaches=a1_staff,
            knows_children=True,
        ),
        Caller(
            "another school's administrator",
            world.users["other_administrator"],
            person=True,
            staff=True,
            school_admin=True,
        ),
        *(
            Caller(f"token {scope}", token=secret, scopes=(scope,), reaches={"class", "help"})
            for scope, secret in tokens.items()
        ),
        Caller("revoked token", token=revoked.secret, scopes=SCOPES, revoked=True),
    ]
    assignment = assignment_create(
        classroom=world.class_a1,
        activity_key=course_tree.modules[0].translation_key,
        assigned_by=teacher,
    )
    message = class_message_send(
        classroom=world.class_a1,
        text="Tech night on Tuesday",
        language="en",
        actor=Actor(user=teacher),
    )
    help_request, _created = help_request_create(
        learner=world.child,
        ask=HelpAsk(client_id=uuid.uuid4(), message="Kiko cannot sign in", language="es"),
    )
    objects = {
        "classroom_id": ("class", world.class_a1.pk),
        # Things of class A1: whoever reaches the class reaches them.
        "assignment_id": ("class", assignment.pk),
        "learner_id": ("class", world.child.pk),
        "message_id": ("class", message.pk),
        "child_id": ("child", world.child.pk),
        "token_id": ("token", revoked.token.pk),
        "help_request_id": ("help", help_request.pk),
    }
    return callers, objects


def client_for(caller: Caller, api: bool) -> Client:
    client = APIClient() if api else Client()
    if caller.user is not None:
        client.force_login(caller.user)
        if caller.active is not None:
            session = client.session
            session["puente_active_learner"] = caller.active.pk
            session.save()
    if caller.token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {caller.token}")
    if caller.header_learner is not None:
        client.defaults["HTTP_X_PUENTE_LEARNER"] = str(caller.header_learner.pk)
    return client


def state() -> tuple:
    """What an unsafe call could change."""
    return tuple(
        model.objects.count()
        for model in (
            Learner,
            Classroom,
            ClassMembership,
            Assignment,
            LearnerEvent,
            Statement,
            IntegrationToken,
            HelpRequest,
            HelpReply,
        )
    ) + (
        tuple(IntegrationToken.objects.values_list("revoked_at", flat=True).order_by("pk")),
        tuple(HelpRequest.objects.values_list("status", "assigned_to", "called_back_at")),
    )


def isolated(call):
    """Make the request in a savepoint rolled back afterwards, so that each caller meets the
    same world (an allowed caller's delete does not leave the next one a 404); and whether
    the request changed anything."""
    before = state()
    with transaction.atomic():
        response = call()
        body = b"".join(response.streaming_content) if response.streaming else response.content
        changed = state() != before
        transaction.set_rollback(True)
    return response, body, changed


def fill(path: str, objects: dict) -> tuple[str, str | None]:
    """The path with its parameters filled in; which kind of object it names, if any.

    A parameter the matrix has no object for fails the test: a new kind of object needs one.
    """
    kind = None
    for name in re.findall(r"\{(\w+)\}|<\w+:(\w+)>", path):
        name = name[0] or name[1]
        assert name in objects, f"the matrix has no object for {{{name}}} in {path}"
    for name, (object_kind, value) in objects.items():
        for template in (f"{{{name}}}", f"<int:{name}>"):
            if template in path:
                path = path.replace(template, str(value))
                kind = object_kind
    return path, kind


# The API, from its OpenAPI schema.


def api_operations() -> list[tuple[str, str]]:
    client = APIClient()
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    return [
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    ]


def api_expected(view, method: str, caller: Caller, kind: str | None) -> int | None:
    """The denial a caller gets, or None when the call is allowed."""
    if caller.token:
        if caller.revoked:
            return 401
        scope = view.integration_scopes.get(method.upper())
        if scope is None or scope not in caller.scopes:
            return 403
        return None if kind is None or kind in caller.reaches else 404
    audience = view.audience
    if audience == Audience.ANYONE:
        return None
    if not caller.person:
        return 401
    if caller.narrowing_refused:
        return 403
    needs_grown_up = audience in (Audience.GROWN_UP, Audience.STAFF, Audience.SCHOOL_ADMIN)
    if needs_grown_up and caller.child_active:
        return 403
    if audience == Audience.STAFF and not caller.staff:
        return 403
    if audience == Audience.SCHOOL_ADMIN and not caller.school_admin:
        return 403
    return None if kind is None or kind in caller.reaches else 404


def test_every_api_operation_answers_each_principal_as_its_audience_says(matrix):
    callers, objects = matrix
    operations = api_operations()
    assert len(operations) >= 11
    failures = []
    for template, method in operations:
        path, kind = fill(template, objects)
        match = get_resolver().resolve(path)
        view = match.func.cls
        assert view.audience in Audience.ALL, f"{template} declares no audience"
        for caller in callers:
            client = client_for(caller, api=True)
            response, body, changed = isolated(
                partial(getattr(client, method), path, data={}, format="json")
            )
            denial = api_expected(view, method, caller, kind)
            status = response.status_code
            if denial is None:
                if status in (401, 403) or (kind and status == 404):
                    failures.append((method, template, caller.name, status, "allowed"))
                continue
            if status != denial:
                failures.append((method, template, caller.name, status, denial))
            if changed:
                failures.append((method, template, caller.name, "changed data"))
            leaked = [name for name in SECRETS if name.encode() in body]
            if leaked and not caller.knows_children:
                failures.append((method, template, caller.name, "shows", leaked))
    assert not failures, "\n".join(map(str, failures))


# Pages, from the URL resolver.


def lms_pages() -> list[tuple[str, Any]]:
    """(path, view) of every page of the plugin's URL conf (namespace "lms"), in English."""
    with translation.override("en"):
        plugin = next(
            p
            for p in get_resolver().url_patterns
            if isinstance(p, URLResolver) and p.namespace == "lms"
        )
        language = next(
            p for p in plugin.url_patterns if isinstance(p, URLResolver) and str(p.pattern) == "en/"
        )
        return list(_pages_under("/en/", language.url_patterns))


def _pages_under(prefix: str, patterns: list) -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):  # a group of pages under one path segment
            yield from _pages_under(f"{prefix}{pattern.pattern}", pattern.url_patterns)
        else:
            yield f"{prefix}{pattern.pattern}", pattern.callback


def page_audience(view) -> str | None:
    return getattr(view, "audience", None) or getattr(
        getattr(view, "view_class", None), "audience", None
    )


def page_expected(audience: str, caller: Caller, kind: str | None) -> str | None:
    """The denial a person gets on a page ("sign-in", "who", "404"), or None if allowed."""
    if audience == Audience.ANYONE:
        return None
    if not caller.person:
        return "sign-in"
    needs_grown_up = audience in (Audience.GROWN_UP, Audience.STAFF, Audience.SCHOOL_ADMIN)
    if needs_grown_up and caller.child_active:
        return "who"
    if audience == Audience.STAFF and not caller.staff:
        return "404"
    if audience == Audience.SCHOOL_ADMIN and not caller.school_admin:
        return "404"
    if kind == "token" and not caller.school_admin:
        return "404"
    return None if kind is None or kind in caller.reaches else "404"


def page_denial(response) -> str | None:
    if response.status_code == 404:
        return "404"
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/en/accounts/sign-in/"):
            return "sign-in"
        if location == "/en/learn/who/":
            return "who"
    return None


def test_every_page_answers_each_principal_as_its_audience_says(matrix):
    callers, objects = matrix
    people = [c for c in callers if not c.token and not c.header_learner]
    pages = lms_pages()
    assert len(pages) >= 18
    failures = []
    for template, view in pages:
        audience = page_audience(view)
        assert audience in Audience.ALL, f"{template} declares no audience"
        path, kind = fill(template, objects)
        for caller in people:
            expected = page_expected(audience, caller, kind)
            for method in ("get", "post"):
                client = client_for(caller, api=False)
                response, body, changed = isolated(partial(getattr(client, method), path))
                denial = page_denial(response)
                if response.status_code == 405:
                    continue  # the view does not take this method, whoever asks
                if response.status_code >= 500:
                    failures.append((method, template, caller.name, response.status_code))
                if expected is None:
                    # Sign-out of a signed-in caller, sign-in of one: their own redirects.
                    if denial is not None and audience != Audience.ANYONE:
                        failures.append((method, template, caller.name, denial, "allowed"))
                    continue
                if denial != expected:
                    failures.append(
                        (method, template, caller.name, response.status_code, denial, expected)
                    )
                if changed:
                    failures.append((method, template, caller.name, "changed data"))
                leaked = [name for name in SECRETS if name.encode() in body]
                if leaked and not caller.knows_children:
                    failures.append((method, template, caller.name, "shows", leaked))
    assert not failures, "\n".join(map(str, failures))


def test_a_child_cannot_join_a_sibling_or_the_caregiver_to_a_class(matrix):
    """The body's ``learner`` narrows like the header: a child's profile names only itself."""
    callers, _objects = matrix
    child = next(c for c in callers if c.name == "caregiver, child active")
    world_class = Classroom.objects.get(name="A1")
    for other in (
        Learner.objects.get(display_name="Lola"),
        Learner.objects.get(user__username="carmen"),
    ):
        before = state()
        response = client_for(child, api=True).post(
            "/api/v1/classes/join/",
            {"code": world_class.join_code, "learner": other.pk},
            format="json",
        )
        assert response.status_code == 403
        assert response.json()["code"] == "profile_not_allowed"
        assert state() == before
    grown_up = next(c for c in callers if c.name == "caregiver")
    lola = Learner.objects.get(display_name="Lola")
    response = client_for(grown_up, api=True).post(
        "/api/v1/classes/join/", {"code": world_class.join_code, "learner": lola.pk}, format="json"
    )
    assert response.status_code == 200
    assert lola.memberships.filter(classroom=world_class).exists()


def test_a_child_cannot_record_events_for_a_sibling_or_the_caregiver(matrix, course_tree):
    callers, _objects = matrix
    lesson = course_tree.lessons[0]
    event = {
        "id": "0b0f3a52-6a4e-4a54-9d6c-3bbd3f5d0c4e",
        "type": "viewed",
        "lesson": str(lesson.translation_key),
        "occurred_at": timezone.now().isoformat(),
    }
    for name in ("child naming a sibling", "child naming the caregiver"):
        caller = next(c for c in callers if c.name == name)
        response = client_for(caller, api=True).post(
            "/api/v1/events/", json.dumps({"events": [event]}), content_type="application/json"
        )
        assert response.status_code == 403, name
        assert response.json()["code"] == "profile_not_allowed"
    assert not LearnerEvent.objects.exists()
