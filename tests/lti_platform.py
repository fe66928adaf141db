"""A real LTI 1.3 platform (an LMS) for the tests, running next to Django's live server.

PyPI ``lti1p3platform`` does the LTI work of a platform: its keys and JWKS, OIDC login
initiation, signed launch and deep-linking messages, checking the tool's deep-linking response
and its client assertions, access tokens, and the Assignment and Grade (AGS) and Names and Role
Provisioning (NRPS) services. This module adds what an LMS has around them: users and a course,
the line items and scores of a gradebook, routing on a small WSGI server on 127.0.0.1, and the
checks lti1p3platform leaves to its host (registered redirect URI, one-time login hints, the
claims of a client assertion).

A test drives it with a :class:`PlatformBrowser`: a ``requests`` session that follows the
redirects and submits the auto-posting forms as a browser would.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
import requests
from jwcrypto.jwk import JWK
from lti1p3platform.exceptions import LineItemNotFoundException
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
)

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTRUCTOR = LIS + "Instructor"
LEARNER = LIS + "Learner"


@dataclass
class PlatformState:
    """The LMS's own data: what a test sets up and then inspects."""

    base: str
    tool_base: str
    client_id: str
    deployment_id: str
    init_path: str
    locale: str = "es-MX"
    clock_offset: int = 0  # seconds the platform's clock is ahead of the tool's
    users: dict[str, dict] = field(
        default_factory=lambda: {
            "teacher-1": {
                "name": "Tina Teacher",
                "email": "tina@example.edu",
                "roles": [INSTRUCTOR],
            },
            "student-1": {"name": "Sam Student", "email": "sam@example.edu", "roles": [LEARNER]},
            "student-2": {"name": "Sue Student", "email": "sue@example.edu", "roles": [LEARNER]},
        }
    )
    context: dict[str, str] = field(
        default_factory=lambda: {"id": "course-101", "label": "DL101", "title": "Digital Life 101"}
    )
    lineitems: dict[str, dict] = field(default_factory=dict)
    scores: dict[str, dict[str, dict]] = field(default_factory=dict)  # line item -> user -> score
    content_items: list[dict] = field(default_factory=list)  # what deep linking returned
    score_failures: list[int] = field(default_factory=list)  # next score POSTs answer these
    last_launch_form: dict[str, str] = field(default_factory=dict)
    login_hints: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        key = JWK.generate(kty="RSA", size=2048)
        self.private_pem = key.export_to_pem(private_key=True, password=None).decode()
        self.public_pem = key.export_to_pem().decode()

    @property
    def lineitems_url(self) -> str:
        return f"{self.base}/api/lineitems"

    @property
    def memberships_url(self) -> str:
        return f"{self.base}/api/memberships"


class SkewedRegistration(Registration):
    """Signs with ``iat``/``exp`` from the platform's own (possibly skewed) clock."""

    clock_offset = 0

    def platform_encode_and_sign(self, payload: dict, expiration: int | None = None) -> str:
        if expiration:
            now = int(time.time()) + self.clock_offset
            payload.update({"iat": now, "exp": now + expiration})
        kid = self.get_kid()
        return Registration.encode_and_sign(
            payload, self.get_platform_private_key(), {"kid": kid} if kid else None
        )


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: Any) -> None:
        state: PlatformState = kwargs["state"]
        self.state = state
        registration = (
            SkewedRegistration()
            .set_iss(state.base)
            .set_client_id(state.client_id)
            .set_deployment_id(state.deployment_id)
            .set_launch_url(f"{state.tool_base}/lti/launch/")
            .set_deeplink_launch_url(f"{state.tool_base}/lti/launch/")
            .set_oidc_login_url(f"{state.tool_base}{state.init_path}")
            .set_tool_key_set_url(f"{state.tool_base}/.well-known/jwks.json")
            .set_platform_public_key(state.public_pem)
            .set_platform_private_key(state.private_pem)
        )
        registration.clock_offset = state.clock_offset
        self._registration = registration

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._registration


class WsgiRequest(Request):
    def build_metadata(self, environ: dict) -> dict:
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        content_type = environ.get("CONTENT_TYPE", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        form = {}
        if "application/x-www-form-urlencoded" in content_type:
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
        return {
            "method": environ["REQUEST_METHOD"],
            "form_data": form,
            "get_data": query,
            "headers": {"Authorization": environ.get("HTTP_AUTHORIZATION", "")},
            "content_type": content_type,
            "path": environ.get("PATH_INFO", ""),
            "json": json.loads(body) if body and "json" in content_type else None,
        }


class OIDCLogin(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = json.dumps(kwargs)

    def get_redirect(self, url: str):
        return ("302 Found", [("Location", url)], b"")


class MessageLaunch(LTIAdvantageMessageLaunchAbstract):
    def prepare_launch(self, preflight_response: dict) -> None:
        state: PlatformState = self._platform_config.state
        if preflight_response.get("redirect_uri") != f"{state.tool_base}/lti/launch/":
            raise PermissionError("redirect_uri is not registered")
        if preflight_response.get("response_type") != "id_token":
            raise PermissionError("bad OIDC authentication request")
        user_id = state.login_hints.pop(preflight_response.get("login_hint"), None)
        if user_id is None:
            raise PermissionError("unknown or used login_hint")
        hint = json.loads(preflight_response["lti_message_hint"])
        user = state.users[user_id]
        self.set_user_data(
            user_id, user["roles"], full_name=user["name"], email_address=user["email"]
        )
        self.set_launch_context_claim(
            state.context["id"],
            ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            state.context["title"],
            state.context["label"],
        )
        self.set_extra_claims(
            {
                "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {
                    "document_target": "iframe",
                    "return_url": f"{state.base}/return",
                    "locale": state.locale,
                },
            }
        )
        self.set_nrps(state.memberships_url)
        if hint["kind"] == "deeplink":
            self.set_dl(
                f"{state.base}/deep_link_return",
                title="Pick Puente content",
                accept_types={"ltiResourceLink"},
                extra_data={"opaque": "abc"},
            )
            self.set_ags(state.lineitems_url)
        else:
            resource_link = hint["resource_link_id"]
            self.set_resource_link_claim(resource_link, title=f"Resource {resource_link}")
            self.set_custom_parameters_claim(hint.get("custom", {}))
            lineitem = next(
                (i for i in state.lineitems.values() if i.get("resourceLinkId") == resource_link),
                None,
            )
            self.set_ags(state.lineitems_url, lineitem["id"] if lineitem else None)

    def render_launch_form(self, launch_data: dict, **kwargs: Any):
        body = (
            f"<form id='f' method='post' action='{html.escape(launch_data['launch_url'])}'>"
            f"<input type='hidden' name='id_token' value='{launch_data['id_token']}'>"
            f"<input type='hidden' name='state' value='{html.escape(launch_data['state'])}'>"
            "</form><script>document.getElementById('f').submit()</script>"
        )
        return ("200 OK", [("Content-Type", "text/html")], body.encode())


class Gradebook(AssignmentsGradesService):
    @property
    def state(self) -> PlatformState:
        return self.platform_config.state

    def find_lineitems(self, page=1, limit=None, resource_link_id=None, tag=None, **_):
        items = list(self.state.lineitems.values())
        if resource_link_id:
            items = [i for i in items if i.get("resourceLinkId") == resource_link_id]
        if tag:
            items = [i for i in items if i.get("tag") == tag]
        return {"content": items, "has_next": False, "next": None}

    def find_lineitem(self, line_item_id):
        try:
            return self.state.lineitems[f"{self.state.lineitems_url}/{line_item_id}"]
        except KeyError:
            raise LineItemNotFoundException() from None

    def create_lineitem(self, creation_data):
        lineitem_id = f"{self.state.lineitems_url}/{uuid.uuid4().hex[:8]}"
        self.state.lineitems[lineitem_id] = dict(creation_data, id=lineitem_id)
        return self.state.lineitems[lineitem_id]

    def update_lineitem(self, update_data):
        item = self.find_lineitem(update_data["id"])
        item.update({k: v for k, v in update_data.items() if k != "id"})
        return item

    def delete_lineitem(self, line_item_id):
        self.state.lineitems.pop(f"{self.state.lineitems_url}/{line_item_id}")

    def update_score(self, line_item_id, score):
        lineitem_id = f"{self.state.lineitems_url}/{line_item_id}"
        if lineitem_id not in self.state.lineitems:
            raise LineItemNotFoundException()
        scores = self.state.scores.setdefault(lineitem_id, {})
        previous = scores.get(score["userId"])
        # As the spec asks: a score older than the one kept is ignored.
        if previous is None or previous["timestamp"] <= score["timestamp"]:
            scores[score["userId"]] = score
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id, page=1, limit=None, user_id=None, **_):
        return {"content": [], "has_next": False, "next": None}


class Roster(NamesRoleProvisioningService):
    def get_member_data_page(self, page=1, limit=None, role=None, since=None, **_):
        state: PlatformState = self.platform_config.state
        members = [
            {
                "user_id": user_id,
                "name": user["name"],
                "email": user["email"],
                "roles": user["roles"],
                "status": user.get("status", "Active"),
            }
            for user_id, user in state.users.items()
        ]
        return {"content": members, "has_next": False, "next": None}

    def get_context_by_id(self):
        return Context(**self.platform_config.state.context)


def _json(code: int, data: Any, content_type: str = "application/json"):
    return (f"{code} X", [("Content-Type", content_type)], json.dumps(data).encode())


def _service_response(response):
    if 200 <= response.code < 300:
        result = response.result
        if isinstance(result, dict) and "content" in result:
            result = result["content"]
        return _json(response.code, result, response.media_type)
    return _json(response.code, {"error": response.message})


class Platform:
    """The LMS: a WSGI app on 127.0.0.1, one request at a time."""

    def __init__(self, *, tool_base: str, registration_uuid: uuid.UUID) -> None:
        self.server = make_server(
            "127.0.0.1", 0, self.app, server_class=_ThreadingWSGIServer, handler_class=_Quiet
        )
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.state = PlatformState(
            base=self.base,
            tool_base=tool_base,
            client_id="puente-in-suite",
            deployment_id="deployment-1",
            init_path=f"/lti/login/{registration_uuid}/",
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def app(self, environ, start_response):
        with self.state.lock:
            status, headers, body = self.route(environ)
        start_response(status, headers)
        return [body]

    def route(self, environ):
        state = self.state
        path = environ["PATH_INFO"]
        request = WsgiRequest(environ)
        conf = PlatformConf(state=state)

        if path == "/jwks":
            return _json(200, conf.get_jwks())
        if path == "/course":  # an LMS course page showing the tool in an iframe
            source = "/start?" + urlencode(request.get_data)
            page = (
                "<!doctype html><title>LMS course</title><h1>LMS course</h1>"
                f"<iframe id='tool' src='{html.escape(source)}' width=800 height=500></iframe>"
            )
            return ("200 OK", [("Content-Type", "text/html")], page.encode())
        if path == "/start":  # the user follows the tool's link in the LMS
            query = request.get_data
            login_hint = uuid.uuid4().hex
            state.login_hints[login_hint] = query["user"]
            login = OIDCLogin(request, conf)
            login.set_lti_message_hint(
                kind=query.get("kind", "resource"),
                resource_link_id=query.get("rl", ""),
                custom=json.loads(query.get("custom", "{}")),
            )
            if query.get("kind") == "deeplink":
                login.set_deeplinking_launch_url()
            return login.initiate_login(login_hint)
        if path == "/auth":  # OIDC authorization: the tool sends the browser here
            try:
                return MessageLaunch(request, conf).lti_launch()
            except PermissionError as error:
                return _json(403, {"error": str(error)})
        if path == "/deep_link_return":
            return self._deep_link_return(request, conf)
        if path == "/token":
            return self._token(request, conf)
        if path.startswith("/api/lineitems"):
            return self._lineitems(request, conf, path)
        if path == "/api/memberships":
            roster = Roster(request, conf, state.memberships_url)
            return _service_response(roster.handle_resp(roster.handle_get_members))
        return _json(404, {"error": "not found"})

    def _deep_link_return(self, request, conf):
        state = self.state
        items = conf.validate_deeplinking_resp(request.form_data)  # checks the tool's signature
        body = conf._jwt["body"]
        deployment = body["https://purl.imsglobal.org/spec/lti/claim/deployment_id"]
        if deployment != state.deployment_id or body["iss"] != state.client_id:
            return _json(400, {"error": "wrong deployment or issuer"})
        for item in items:
            resource_link = f"rl-{len(state.content_items) + 1}"
            item["resourceLinkId"] = resource_link
            if "lineItem" in item:  # the LMS makes the gradebook column for the new link
                lineitem_id = f"{state.lineitems_url}/{uuid.uuid4().hex[:8]}"
                state.lineitems[lineitem_id] = dict(
                    item["lineItem"], id=lineitem_id, resourceLinkId=resource_link
                )
            state.content_items.append(item)
        return _json(200, {"received": items})

    def _token(self, request, conf):
        state = self.state
        form = request.form_data
        # lti1p3platform checks the assertion's signature; its claims are the host's job.
        claims = jwt.decode(form.get("client_assertion", ""), options={"verify_signature": False})
        audience = claims.get("aud")
        if (
            claims.get("iss") != state.client_id
            or claims.get("sub") != state.client_id
            or f"{state.base}/token" not in (audience if isinstance(audience, list) else [audience])
        ):
            return _json(401, {"error": "invalid_client"})
        try:
            return _json(200, conf.get_access_token(form))
        except Exception as error:
            return _json(400, {"error": "invalid_request", "detail": repr(error)})

    def _lineitems(self, request, conf, path):
        state = self.state
        gradebook = Gradebook(request, conf, state.lineitems_url)
        rest = [part for part in path[len("/api/lineitems") :].split("/") if part]
        if not rest:
            handler = (
                gradebook.handle_get_lineitems
                if request.method == "GET"
                else gradebook.handle_create_lineitem
            )
            return _service_response(gradebook.handle_resp(handler))
        lineitem_id = rest[0]
        if rest[1:] == ["scores"]:
            if state.score_failures:
                return _json(state.score_failures.pop(0), {"error": "try again later"})
            return _service_response(
                gradebook.handle_resp(gradebook.handle_update_score, line_item_id=lineitem_id)
            )
        handler = {
            "GET": gradebook.handle_get_lineitem,
            "PUT": gradebook.handle_update_lineitem,
            "DELETE": gradebook.handle_delete_lineitem,
        }[request.method]
        return _service_response(gradebook.handle_resp(handler, line_item_id=lineitem_id))


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


FORM = re.compile(r"<form[^>]*action=['\"]([^'\"]+)['\"][^>]*>(.*?)</form>", re.I | re.S)
FORM_INPUT = re.compile(r"<input[^>]*name=['\"]?(\w+)['\"]?[^>]*value=['\"]([^'\"]*)['\"]", re.I)


class PlatformBrowser:
    """A person's browser: signed in to the LMS as ``user``, following its links to Puente."""

    def __init__(self, platform: Platform, tool_base: str) -> None:
        self.platform = platform
        self.tool_base = tool_base
        self.session = requests.Session()

    def launch(self, *, user: str, kind: str = "resource", rl: str = "", custom=None):
        """Click a Puente link in the LMS; the response of the tool's launch URL."""
        query = {"user": user, "kind": kind, "rl": rl, "custom": json.dumps(custom or {})}
        response = self.session.get(f"{self.platform.base}/start?" + urlencode(query), timeout=15)
        assert response.status_code == 200, response.text
        # django-lti first checks that cookies work, in JavaScript: with them, the page
        # reloads itself with lti1p3_new_window=1 (without, it offers a new window).
        assert "lti1p3_new_window" in response.text, response.text[:500]
        response = self.session.get(response.url + "&lti1p3_new_window=1", timeout=15)
        assert response.status_code == 200, (response.status_code, response.text[:500])
        self.platform.state.last_launch_form = self.form_data(response.text)
        return self.submit(response.text)

    def form_data(self, page: str, action: str = "") -> dict[str, str]:
        return self._form(page, action)[1]

    def submit(self, page, data: dict | None = None, *, action: str = "", **kwargs):
        """Submit the first form of ``page`` (a response or its text) whose action contains
        ``action``, as its script or a click would; ``data`` adds or replaces fields."""
        url, fields = self._form(getattr(page, "text", page), action)
        if url.startswith("/"):
            url = self.tool_base + url
        fields.update(data or {})
        return self.session.post(url, data=fields, timeout=15, **kwargs)

    @staticmethod
    def _form(page: str, action: str) -> tuple[str, dict[str, str]]:
        for url, inner in FORM.findall(page):
            if action in url:
                fields = {k: html.unescape(v) for k, v in FORM_INPUT.findall(inner)}
                return html.unescape(url), fields
        raise AssertionError(f"no form posting to {action!r} in: {page[:500]}")
