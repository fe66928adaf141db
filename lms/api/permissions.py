from rest_framework.permissions import BasePermission

from lms.selectors.access import is_staff_member


class IsStaffMember(BasePermission):
    """Educators and school administrators; which classes each sees is decided per query."""

    message = "Only educators and school administrators can do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and is_staff_member(request.user))
