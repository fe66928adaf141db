"""The base of every Puente API view: how integration tokens meet permissions."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.views import APIView

from lms.api.authentication import request_token


class PuenteAPIView(APIView):
    """Every Puente API view. ``integration_scopes`` maps HTTP methods to the scope a token
    needs; people signed in with a session or an account token go through
    ``permission_classes`` as usual."""

    integration_scopes: dict[str, str] = {}

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
