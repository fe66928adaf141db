"""The base of every Puente API view: who it is for, how callers sign in (and how integration
tokens meet it), what bodies it reads and how errors are said. All of it is set here, not in
the host site's REST_FRAMEWORK setting. The one API setting a host needs is drf-spectacular's
DEFAULT_SCHEMA_CLASS ("lms.api.schema.PuenteAutoSchema"): its decorators read it when the views
are imported (a system check says so when it is missing, lms/checks.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from lms.access import Audience, Principal
from lms.api.authentication import (
    AccountTokenAuthentication,
    IntegrationTokenAuthentication,
    SessionAuthentication,
    request_token,
)
from lms.api.errors import api_exception_handler
from lms.api.parsers import UnicodeJSONParser
from lms.api.permissions import InAudience
from lms.api.principals import api_principal


class PuenteAPIView(APIView):
    """Every Puente API view declares ``audience`` (who may call it, see lms.access) and
    ``integration_scopes``, the scope an integration token needs for each HTTP method (none:
    tokens are refused)."""

    audience: str = Audience.PERSON
    integration_scopes: dict[str, str] = {}

    authentication_classes = [
        # Token first, so that an unauthenticated call gets 401 with WWW-Authenticate.
        AccountTokenAuthentication,
        # Integrations: "Authorization: Bearer pnt_...", limited to a school and scopes.
        IntegrationTokenAuthentication,
        SessionAuthentication,
    ]
    parser_classes = [UnicodeJSONParser, FormParser, MultiPartParser]
    versioning_class = None

    def get_exception_handler(self):
        return api_exception_handler

    def get_permissions(self) -> list[BasePermission]:
        # AllowAny also tells the OpenAPI schema that the operation needs no credentials.
        return [AllowAny()] if self.audience == Audience.ANYONE else [InAudience()]

    @property
    def principal(self) -> Principal:
        return api_principal(self.request)

    def check_permissions(self, request: Request) -> None:
        token = request_token(request)
        if token is None:
            return super().check_permissions(request)
        method = "GET" if request.method == "HEAD" else request.method
        scope = self.integration_scopes.get(method)
        if scope is None:
            self.permission_denied(
                request, _("Integration tokens cannot use this endpoint."), "not_for_integrations"
            )
        if scope not in token.scopes:
            self.permission_denied(
                request,
                _("This token does not have the %(scope)s scope.") % {"scope": scope},
                "scope",
            )
