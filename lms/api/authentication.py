"""Integration tokens on the API: ``Authorization: Bearer pnt_...``.

Kept apart from the views: DRF imports authentication classes while it loads its own views.

A token speaks for an integration, not for a person: ``request.user`` stays anonymous and
``request.auth`` is the token. Each view says which scope each HTTP method needs
(``integration_scopes``, see lms/api/views/base.py); a token without it gets 403, and views
no integration may call refuse every token. What a token reaches is limited to its school by
the views' selectors.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from rest_framework import authentication
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.request import Request

from lms.models import IntegrationToken
from lms.prepared import PreparedLookup
from lms.selectors.integrations import integration_token_find
from lms.services.integrations import integration_token_mark_used

KEYWORD = "Bearer"

# A phone's every sync reads its token, user and learner: the SQL is built once (lms.prepared).
_account_token = PreparedLookup(
    lambda key: Token.objects.select_related("user__learner").filter(key=key),
    marker="prepared-lookup-key",
)


class IntegrationTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[AnonymousUser, IntegrationToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() != KEYWORD.lower():
            return None  # not ours: another authentication may apply
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        token = integration_token_find(raw)
        if token is None:
            raise AuthenticationFailed(_("This token is not valid."), code="token_invalid")
        if not token.is_active:
            raise AuthenticationFailed(_("This token was revoked."), code="token_revoked")
        integration_token_mark_used(token=token)
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return f'{KEYWORD} realm="api"'


class AccountTokenAuthentication(authentication.TokenAuthentication):
    """DRF's account tokens (``Authorization: Token ...``), with the learner profile read in
    the same query as the token and its user: one query where a phone's every sync took two."""

    def authenticate_credentials(self, key: str):
        token = _account_token.get(key)
        if token is None or not token.user.is_active:
            # DRF's own refusal, in its words and their translations.
            return super().authenticate_credentials(key)
        return token.user, token


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, whose CSRF failure says so in its code (csrf_failed)."""

    def enforce_csrf(self, request) -> None:
        try:
            super().enforce_csrf(request)
        except PermissionDenied as error:
            raise PermissionDenied(error.detail, code="csrf_failed") from error


def request_token(request: Request) -> IntegrationToken | None:
    return request.auth if isinstance(request.auth, IntegrationToken) else None
