"""Who may see what. A learner sees their own progress, a caregiver their household, an
educator their classes, a school administrator every class of their school. Anything else is
"not found" (404), so that nobody learns even that a learner or a class exists."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from lms.models import Classroom, Household, Learner, StaffRole


def is_staff_member(user: AbstractBaseUser | AnonymousUser) -> bool:
    """An educator or a school administrator."""
    return user.is_authenticated and StaffRole.objects.filter(user=user).exists()


def classrooms_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Classroom]:
    """The classes a user teaches, plus every class of the schools they administer."""
    if not user.is_authenticated:
        return Classroom.objects.none()
    administered = StaffRole.objects.filter(user=user, role=StaffRole.Role.ADMINISTRATOR).values(
        "school_id"
    )
    return Classroom.objects.filter(Q(educators=user) | Q(school_id__in=administered)).distinct()


def classroom_for(user: AbstractBaseUser | AnonymousUser, classroom_id: int) -> Classroom:
    classroom = classrooms_for(user).filter(pk=classroom_id).select_related("school").first()
    if classroom is None:
        raise Http404
    return classroom


def household_of(user: AbstractBaseUser | AnonymousUser) -> Household | None:
    if not user.is_authenticated:
        return None
    return Household.objects.filter(caregiver=user).first()


def learners_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Learner]:
    """Learners whose progress the user may see: themselves, their household, their classes."""
    if not user.is_authenticated:
        return Learner.objects.none()
    return Learner.objects.filter(
        Q(user=user)
        | Q(household__caregiver=user)
        | Q(memberships__classroom__in=classrooms_for(user))
    ).distinct()
