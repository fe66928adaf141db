"""The API's permission: a view's declared audience (``lms.access.Audience``), for people."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from lms.access import Audience, principal_in_audience
from lms.api.principals import api_principal

CHILD_ACTIVE = "child_profile_active"


class InAudience(BasePermission):
    """The person calling (their active profile, or the one their request narrows to) is in
    the view's audience. Anonymous callers get 401, others 403 with the reason."""

    def has_permission(self, request, view) -> bool:
        audience = view.audience
        if audience == Audience.ANYONE:
            return True
        principal = api_principal(request)
        if not principal.is_person:
            return False  # DRF answers 401 for a call without credentials
        if principal_in_audience(principal, audience):
            return True
        if principal.is_child and audience != Audience.PERSON:
            self.message = _(
                "A child's profile is active on this phone. A grown-up can enter the PIN on "
                "“Who is learning now?” first."
            )
            self.code = CHILD_ACTIVE
        elif audience == Audience.STAFF:
            self.message = _("Only educators and school administrators can do this.")
        elif audience == Audience.SCHOOL_ADMIN:
            self.message = _("Only school administrators can do this.")
        return False
