from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from lms.models import Learner


def learner_for_user(*, user: AbstractBaseUser) -> Learner:
    """The learner profile of a user account, made on first use."""
    learner = getattr(user, "learner", None)
    if learner is None:
        learner, _created = Learner.objects.get_or_create(user=user)
    return learner


@transaction.atomic
def learner_sign_up(
    *,
    username: str,
    password: str,
    email: str = "",
    phone: str = "",
    preferred_language: str = "",
) -> Learner:
    """An account with a username and password; an email and a phone are optional."""
    user = get_user_model().objects.create_user(username=username, password=password, email=email)
    return Learner.objects.create(user=user, preferred_language=preferred_language, phone=phone)
