"""What every educator page needs: the class the principal reaches, and who is acting."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from lms.access import classroom_for, principal_of
from lms.models import Classroom
from lms.services.activity import Actor


def reachable_classroom(request: HttpRequest, classroom_id: int) -> Classroom:
    """The class, if the signed-in educator or administrator reaches it now; else 404."""
    classroom = classroom_for(principal_of(request), classroom_id)
    if classroom is None:
        raise Http404
    return classroom


def acting(request: HttpRequest) -> Actor:
    return Actor(user=principal_of(request).user)
