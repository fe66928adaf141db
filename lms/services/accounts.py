"""Getting back in without email, and a person's own account: recovery codes, language,
their data to download, and erasing it all.

Most families have no email, or do not read it: a learner keeps a one-time recovery code on
paper (shown at sign-up), an educator can give a class learner a new password, a caregiver
manages the children's profiles and re-opens the household with their own password. A learner
who gave an email gets Django's ordinary reset link.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.backends import username_key
from lms.models import Household, Learner, RecoveryCode
from lms.services.classes import JOIN_CODE_ALPHABET
from lms.services.households import learner_data_export

RECOVERY_GROUPS = 3  # XXXX-XXXX-XXXX: 12 characters of 25, about 56 bits
RECOVERY_GROUP_LENGTH = 4


class AccountError(ValueError):
    """Something about an account that cannot be done; the message says why, kindly."""


def recovery_code_issue(*, user: AbstractBaseUser) -> str:
    """A new one-time recovery code for ``user`` (any earlier one stops working): shown once,
    only its hash is kept."""
    groups = [
        "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
        for _ in range(RECOVERY_GROUPS)
    ]
    code = "-".join(groups)
    RecoveryCode.objects.update_or_create(
        user=user, defaults={"code_hash": make_password(_code_key(code))}
    )
    return code


def _code_key(code: str) -> str:
    """What a person typed, as the code is stored: capitals, no spaces or dashes."""
    return "".join(character for character in code.upper() if character.isalnum())


def account_recover(*, username: str, code: str, password: str) -> tuple[AbstractBaseUser, str]:
    """Set a new password with the recovery code; returns the account and its next code.

    The same answer for a username that does not exist and a wrong code, so that nobody
    learns which accounts exist.
    """
    refused = AccountError(
        _("That username and recovery code do not match. Check them and try again.")
    )
    user = _user_by_username(username)
    stored = RecoveryCode.objects.filter(user=user).first() if user else None
    if stored is None or not check_password(_code_key(code), stored.code_hash):
        make_password(_code_key(code))  # as long as a real check, whether or not it exists
        raise refused
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccountError(" ".join(error.messages)) from error
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        new_code = recovery_code_issue(user=user)
    return user, new_code


def _user_by_username(username: str) -> AbstractBaseUser | None:
    """The account a typed username means (ignoring case, as sign-in does)."""
    wanted = username_key(username)
    if not wanted:
        return None
    user_model = get_user_model()
    matches = list(user_model.objects.filter(username__iexact=username.strip())[:2])
    exact = [user for user in matches if username_key(user.get_username()) == wanted]
    return exact[0] if len(exact) == 1 else None


def learner_language_set(*, learner: Learner, language: str) -> None:
    """The language a learner reads Puente in, on any phone they sign in from."""
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes or learner.preferred_language == language:
        return
    learner.preferred_language = language
    learner.save(update_fields=["preferred_language"])


def account_data_export(*, user: AbstractBaseUser, learner: Learner) -> dict[str, Any]:
    """Everything Puente keeps about a person, for them to download: their account, their own
    learning record and, for a caregiver, each child's."""
    household = Household.objects.filter(caregiver=user).first()
    children = list(household.members.filter(user__isnull=True).order_by("pk")) if household else []
    return {
        "account": {
            "username": user.get_username(),
            "email": getattr(user, "email", ""),
            "phone": learner.phone,
            "date_joined": user.date_joined.isoformat() if hasattr(user, "date_joined") else None,
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "learner": learner_data_export(learner=learner),
        "children": [learner_data_export(learner=child) for child in children],
    }


def account_erase(*, user: AbstractBaseUser, password: str) -> None:
    """Delete an account and everything recorded about it: the learner profile, progress,
    answers, events, statements not yet delivered, class memberships and, for a caregiver,
    the household and the children's profiles with all of theirs. Statements an LRS already
    stored stay there, under the learners' opaque ids only."""
    if not user.check_password(password):
        raise AccountError(_("That password is not right. Your account was not deleted."))
    # The household goes with its caregiver, and its children's profiles with the household
    # (they have no account of their own): the database's cascades do it in one transaction.
    user.delete()
