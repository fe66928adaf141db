"""What the OpenAPI schema says beyond what drf-spectacular reads from the views: the
integration-token scheme and the scope each operation needs, and the errors every
operation can answer with (the body is always ``{"detail": "..."}`` or field errors)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

INTEGRATION_SCHEME = "IntegrationToken"
THROTTLED = (
    "Too many requests from this account or this network address; the Retry-After header "
    "says how many seconds to wait."
)


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    target_class = "lms.api.authentication.IntegrationTokenAuthentication"
    name = INTEGRATION_SCHEME

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "pnt_<prefix>_<secret>",
            "description": (
                "An integration token, issued by a school administrator at /teach/integrations/"
                " and limited to that school and to its scopes (catalog:read, progress:read, "
                "events:write). A revoked or unknown token gets 401; a token without the "
                "operation's scope gets 403."
            ),
        }


class PuenteSessionScheme(SessionScheme):
    """The site's session cookie (with its CSRF token), as drf-spectacular describes DRF's."""

    target_class = "lms.api.authentication.SessionAuthentication"


class PuenteAutoSchema(AutoSchema):
    def _integration_scope(self) -> str | None:
        scopes = getattr(self.view, "integration_scopes", {})
        return scopes.get(self.method.upper())

    def get_description(self) -> str:
        description = super().get_description() or ""
        scope = self._integration_scope()
        note = (
            f"Integration tokens need the `{scope}` scope."
            if scope
            else "Not for integration tokens."
        )
        return f"{description}\n\n{note}".strip()

    def get_auth(self) -> list[dict[str, list]]:
        auths = super().get_auth()
        if self._integration_scope() is None:
            auths = [auth for auth in auths if INTEGRATION_SCHEME not in auth]
        return auths


FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "What is wrong with each field (a list of messages, or nested by item).",
    "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "object"}]},
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What is wrong, for people."},
        "code": {
            "type": "string",
            "description": (
                "What is wrong, for programs: e.g. not_authenticated, permission_denied, "
                "csrf_failed, profile_not_allowed, child_profile_active, scope, not_found."
            ),
        },
    },
    "required": ["detail"],
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
# A body that cannot be read at all ({"detail": ...}) or fields that are wrong.
BAD_REQUEST_SCHEMA = {"anyOf": [ERROR_REF, FIELD_ERRORS_SCHEMA]}
ERRORS = {
    "401": "No credentials, or a token that is unknown or revoked.",
    "403": "Signed in, but this role may not do this, or the token lacks the scope.",
    "404": "No such object among those you may see.",
    "415": "The body is not JSON (or form data).",
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: document the errors each operation can answer with."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error_ref = {"application/json": {"schema": ERROR_REF}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            needs_credentials = {} not in operation.get("security", [{}])
            wanted = []
            if needs_credentials:
                wanted += ["401", "403"]
            elif INTEGRATION_SCHEME in str(operation.get("security")):
                wanted.append("401")  # open to all, but a bad token is still refused
                wanted.append("403")
            if "{" in path:
                wanted.append("404")
            takes_input = method in ("post", "put", "patch") or operation.get("parameters")
            if method in ("post", "put", "patch"):
                wanted.append("415")
            if takes_input and "400" not in responses:
                responses["400"] = {
                    "description": "Invalid input: each field says what is wrong.",
                    "content": {"application/json": {"schema": BAD_REQUEST_SCHEMA}},
                }
            for code in wanted:
                responses.setdefault(code, {"description": ERRORS[code], "content": error_ref})
    return result
