"""Assignments: a module or a whole course for a class, or for chosen learners in it, with a
due date and a note. Learners' progress never depends on an assignment: editing or deleting
one changes their to-do list, not what they did."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lms.models import Assignment, ClassActivity, Classroom, Learner
from lms.selectors.activities import activity_title, activity_type_of
from lms.services.activity import Actor, activity_record
from lms.services.classes import ClassError


def assignment_create(
    *,
    classroom: Classroom,
    activity_key: uuid.UUID,
    assigned_by: AbstractBaseUser | None,
    due_on: date | None = None,
    note: str = "",
    note_language: str = "",
    learners: list[Learner] | None = None,
    actor: Actor | None = None,
) -> Assignment:
    """Assign a module or a course to the whole class, or to chosen learners in it."""
    activity_type = activity_type_of(activity_key)
    if activity_type is None:
        raise ClassError(_("Choose a module or a course to assign."), "activity_key")
    if classroom.archived_at is not None:
        raise ClassError(_("This class is archived: reopen it to assign something."))
    if classroom.assignments.filter(activity_key=activity_key).exists():
        raise ClassError(
            _("This class has this already. Change that assignment instead of adding it twice."),
            "activity_key",
        )
    _check_due_date(due_on)
    chosen = _chosen(classroom, learners)
    with transaction.atomic():
        assignment = Assignment.objects.create(
            classroom=classroom,
            activity_key=activity_key,
            activity_type=activity_type,
            assigned_by=assigned_by,
            due_on=due_on,
            note=note.strip(),
            note_language=_language(note_language, note),
        )
        assignment.learners.set(chosen)
        activity_record(
            classroom=classroom,
            actor=actor or Actor(user=assigned_by),
            action=ClassActivity.Action.ASSIGNED,
            detail=activity_title(activity_key),
        )
    return assignment


def assignment_update(
    *,
    assignment: Assignment,
    due_on: date | None,
    note: str,
    note_language: str = "",
    learners: list[Learner] | None = None,
    actor: Actor,
) -> Assignment:
    """Change an assignment's due date, note or learners (progress is kept either way)."""
    if due_on != assignment.due_on:
        _check_due_date(due_on)
    chosen = _chosen(assignment.classroom, learners)
    with transaction.atomic():
        assignment.due_on = due_on
        assignment.note = note.strip()
        assignment.note_language = _language(note_language, note)
        assignment.save(update_fields=["due_on", "note", "note_language"])
        assignment.learners.set(chosen)
        activity_record(
            classroom=assignment.classroom,
            actor=actor,
            action=ClassActivity.Action.ASSIGNMENT_CHANGED,
            detail=activity_title(assignment.activity_key),
        )
    return assignment


def assignment_delete(*, assignment: Assignment, actor: Actor) -> None:
    """Take an assignment back: it leaves learners' to-do lists; what they did stays."""
    with transaction.atomic():
        activity_record(
            classroom=assignment.classroom,
            actor=actor,
            action=ClassActivity.Action.ASSIGNMENT_DELETED,
            detail=activity_title(assignment.activity_key),
        )
        assignment.delete()


def _check_due_date(due_on: date | None) -> None:
    if due_on is not None and due_on < timezone.localdate():
        raise ClassError(_("The due date has passed. Choose today or a later day."), "due_on")


def _chosen(classroom: Classroom, learners: list[Learner] | None) -> list[Learner]:
    chosen = list(learners or [])
    members = set(classroom.memberships.values_list("learner_id", flat=True))
    if any(learner.pk not in members for learner in chosen):
        raise ClassError(_("Choose learners from this class."), "learner_ids")
    return chosen


def _language(language: str, note: str) -> str:
    """The note's language: as chosen, else the interface's (empty without a note)."""
    if not note.strip():
        return ""
    codes = {code for code, _name in settings.LANGUAGES}
    if language in codes:
        return language
    current = get_language() or settings.LANGUAGE_CODE
    return current if current in codes else settings.LANGUAGE_CODE
