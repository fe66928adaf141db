"""The school's record of what educators (and integrations) changed in its classes."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from lms.models import ClassActivity, Classroom


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a person, or an integration (by its token's name)."""

    user: AbstractBaseUser | None = None
    integration: str = ""


def activity_record(
    *, classroom: Classroom, actor: Actor, action: str, detail: str = ""
) -> ClassActivity:
    return ClassActivity.objects.create(
        school_id=classroom.school_id,
        classroom=classroom,
        actor=actor.user,
        integration=actor.integration,
        action=action,
        detail=detail[:300],
    )
