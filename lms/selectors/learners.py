"""Which learner is using the site right now (on a shared phone, maybe a child)."""

from __future__ import annotations

from django.http import HttpRequest

from lms.models import Learner
from lms.services.learners import learner_for_user

ACTIVE_LEARNER_SESSION_KEY = "puente_active_learner"


def active_learner(request: HttpRequest) -> Learner | None:
    """The signed-in user's own profile, or the household child they switched to."""
    if not request.user.is_authenticated:
        return None
    if not hasattr(request, "_puente_learner"):
        own = learner_for_user(user=request.user)
        learner = own
        chosen = request.session.get(ACTIVE_LEARNER_SESSION_KEY)
        if chosen and chosen != own.pk:
            child = Learner.objects.filter(
                pk=chosen, household__caregiver=request.user, user__isnull=True
            ).first()
            learner = child or own
        request._puente_learner = learner
    return request._puente_learner


def acting_as_child(request: HttpRequest) -> bool:
    learner = active_learner(request)
    return learner is not None and learner.is_child_profile
