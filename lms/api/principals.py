"""Who an API call acts for, as ``lms.access`` decides it.

With the site's session: the phone's active profile, or a profile the session may act as now
named by the ``X-Puente-Learner`` header (events a phone queued offline carry the profile that
made them). A header can narrow, never widen: a child's profile cannot name its caregiver or a
sibling. With an account token: the account's own profile (no child is active without a
session). With an integration token: the token.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from lms.access import (
    ANONYMOUS,
    Principal,
    ProfileNotAllowed,
    narrowed,
    principal_for_account,
    principal_for_token,
    principal_of,
)
from lms.api.authentication import request_token

LEARNER_HEADER = "HTTP_X_PUENTE_LEARNER"
_CACHE_ATTRIBUTE = "_puente_api_principal"


class ProfileRefused(PermissionDenied):
    default_code = "profile_not_allowed"


def profile_refused() -> ProfileRefused:
    return ProfileRefused(
        _(
            "This profile cannot be used on this phone right now. A grown-up can enter the "
            "PIN on “Who is learning now?” to switch."
        )
    )


def api_principal(request: Request) -> Principal:
    """The principal of an API call (raises 403 for a header naming a profile it may not
    act as)."""
    cached = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    token = request_token(request)
    if token is not None:
        principal = principal_for_token(token)
    elif not request.user or not request.user.is_authenticated:
        principal = ANONYMOUS
    else:
        if isinstance(request.successful_authenticator, SessionAuthentication):
            base = principal_of(request)
        else:
            base = principal_for_account(request.user)
        try:
            principal = narrowed(base, request.META.get(LEARNER_HEADER))
        except ProfileNotAllowed:
            raise profile_refused() from None
    setattr(request, _CACHE_ATTRIBUTE, principal)
    return principal


def api_principal_as(request: Request, learner_id: object) -> Principal:
    """The call's principal narrowed to ``learner_id`` from its body (403 if it may not)."""
    try:
        return narrowed(api_principal(request), learner_id)
    except ProfileNotAllowed:
        raise profile_refused() from None
