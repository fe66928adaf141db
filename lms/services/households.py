"""A caregiver's household: children's profiles on a shared phone, the PIN, export, deletion."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.models import (
    ActivityCompletion,
    Household,
    Learner,
    LearnerEvent,
    LessonProgress,
    QuestionAttempt,
    Statement,
)
from lms.services.accepted_events import accepted_events_settle
from lms.services.learners import learner_for_user

PIN_PATTERN = re.compile(r"^\d{4,8}$")
PIN_ATTEMPTS = 5
PIN_LOCK = timedelta(minutes=5)
PIN_STATE = ("pin", "pin_failures", "pin_locked_until")


class HouseholdError(ValueError):
    """Something a caregiver asked for cannot be done; the message says why, kindly."""


def household_create(*, caregiver: AbstractBaseUser, pin: str) -> Household:
    """Start a household; the caregiver's own profile is its first member."""
    _check_pin_format(pin)
    with transaction.atomic():
        household = Household.objects.create(caregiver=caregiver, pin=make_password(pin))
        own = learner_for_user(user=caregiver)
        own.household = household
        own.save(update_fields=["household"])
    return household


def household_pin_change(*, household: Household, pin: str) -> None:
    _check_pin_format(pin)
    household.pin = make_password(pin)
    household.save(update_fields=["pin"])


def household_pin_reset(*, household: Household, password: str, pin: str) -> None:
    """A caregiver who forgot the PIN sets a new one with their account's password (which
    also lifts a lock from wrong PINs)."""
    if not household.caregiver.check_password(password):
        raise HouseholdError(_("That password is not right. The PIN was not changed."))
    _check_pin_format(pin)
    Household.objects.filter(pk=household.pk).update(
        pin=make_password(pin), pin_failures=0, pin_locked_until=None
    )


def household_child_add(
    *, household: Household, display_name: str, preferred_language: str
) -> Learner:
    """A child's profile: a name or nickname and a language; no email, no password."""
    display_name = display_name.strip()
    if not display_name:
        raise HouseholdError(_("Write a name or a nickname."))
    return Learner.objects.create(
        household=household, display_name=display_name, preferred_language=preferred_language
    )


def household_pin_check(*, household: Household, pin: str) -> bool:
    """Whether the PIN is right. After 5 wrong tries, every try fails for 5 minutes.

    Each try is counted before the PIN is checked, in one short transaction that locks the
    household's row: tries sent together are counted one after another, so the sixth is
    refused unchecked however many arrive at once. The slow hash comparison itself runs
    outside the transaction.
    """
    now = timezone.now()
    with transaction.atomic():
        row = Household.objects.select_for_update().only(*PIN_STATE).get(pk=household.pk)
        if row.pin_locked_until is not None and row.pin_locked_until > now:
            raise HouseholdError(_("Too many wrong PINs. Please wait 5 minutes and try again."))
        failures = 0 if row.pin_locked_until is not None else row.pin_failures
        locked_until = now + PIN_LOCK if failures + 1 >= PIN_ATTEMPTS else None
        Household.objects.filter(pk=household.pk).update(
            pin_failures=failures + 1, pin_locked_until=locked_until
        )
    if check_password(pin, row.pin):
        Household.objects.filter(pk=household.pk).update(pin_failures=0, pin_locked_until=None)
        return True
    return False


def learner_data_export(*, learner: Learner) -> dict[str, Any]:
    """Everything Puente keeps about one learner, for the caregiver to download."""
    accepted_events_settle(learner=learner)  # with the events accepted a moment ago
    return {
        "profile": {
            "name": learner.name,
            "preferred_language": learner.preferred_language,
            "created_at": learner.created_at.isoformat(),
            "xapi_account_name": str(learner.actor_id),
        },
        "classes": [
            {
                "class": m.classroom.name,
                "school": m.classroom.school.name,
                "joined_at": m.joined_at.isoformat(),
            }
            for m in learner.memberships.select_related("classroom__school")
        ],
        "lessons": list(
            LessonProgress.objects.filter(learner=learner).values(
                "lesson_key",
                "first_viewed_at",
                "last_viewed_at",
                "progress",
                "reached_end_at",
                "completed_at",
            )
        ),
        "answers": list(
            QuestionAttempt.objects.filter(learner=learner).values(
                "lesson_key", "question_id", "selected", "correct", "answered_at"
            )
        ),
        "completions": list(
            ActivityCompletion.objects.filter(learner=learner).values(
                "activity_key", "activity_type", "completed_at"
            )
        ),
        "events": list(
            LearnerEvent.objects.filter(learner=learner).values(
                "event_id", "kind", "lesson_key", "occurred_at", "language", "data"
            )
        ),
        "help_requests": [
            {
                "created_at": request.created_at.isoformat(),
                "message": request.message,
                "language": request.language,
                "lesson_key": str(request.lesson_key) if request.lesson_key else None,
                "contact": request.contact,
                "phone": request.phone,
                "best_time": request.best_time,
                "status": request.status,
                "answers": [
                    {"text": reply.text, "language": reply.language, "at": reply.created_at}
                    for reply in request.replies.all()
                ],
            }
            for request in learner.help_requests.prefetch_related("replies")
        ],
        "xapi_statements": list(
            Statement.objects.filter(learner=learner).values_list("payload", flat=True)
        ),
    }


@transaction.atomic
def household_child_delete(*, household: Household, child: Learner) -> None:
    """Delete a child's profile and everything recorded about them, statements included.

    Statements already stored in an LRS stay there (under the child's opaque id only).
    """
    if child.household_id != household.pk or not child.is_child_profile:
        raise HouseholdError(_("This profile is not one of your household's children."))
    child.delete()  # progress, events, statements and undelivered deliveries go with it


def _check_pin_format(pin: str) -> None:
    if not PIN_PATTERN.match(pin or ""):
        raise HouseholdError(_("A PIN is 4 to 8 digits."))
