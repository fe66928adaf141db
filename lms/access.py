"""Who is acting, and what they may reach: the one place the plugin decides.

On a shared family phone one browser session holds a caregiver and, at times, a child's
profile. The **active profile is the principal** for every page, API operation, offline event
and export. A request may narrow to another profile the session may act as *now* (the
``X-Puente-Learner`` header of queued offline events, the ``learner`` of a join request), never
widen: a child's profile may act only as itself (leaving it takes the caregiver's PIN); the
grown-up's own profile may act as itself or any child of its household.

School roles are read at request time: an educator reaches a class while they teach it *and*
hold a role at its school; an administrator reaches every class of the schools they administer.
Removing a role in the admin takes effect on the next request.

Integration tokens are principals too: no person, a school and scopes (see
``lms.api.authentication``).

Views, the REST API and the offline replay all ask this module; anything a principal may not
reach is "not found" to them, so nobody learns even that a class or a learner exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest

from lms.models import Classroom, Household, IntegrationToken, Learner, School, StaffRole
from lms.services.learners import learner_for_user

HOUSEHOLD_FLAG_SECONDS = 24 * 60 * 60

ACTIVE_PROFILE_SESSION_KEY = "puente_active_learner"
_CACHE_ATTRIBUTE = "_puente_principal"

User = AbstractBaseUser | AnonymousUser


class ProfileNotAllowed(Exception):
    """The request names a profile this session may not act as now."""


@dataclass(frozen=True)
class Principal:
    """Whoever a request acts for: a person's active profile, or an integration token."""

    user: AbstractBaseUser | None = None
    profile: Learner | None = None
    token: IntegrationToken | None = None
    # The account's own profile (a caregiver's, when a child's profile is active).
    own_profile: Learner | None = field(default=None, compare=False)

    @property
    def is_person(self) -> bool:
        return self.user is not None and self.profile is not None

    @property
    def is_child(self) -> bool:
        """A child's profile is active: grown-up pages and staff tools are closed."""
        return self.profile is not None and self.profile.is_child_profile

    @property
    def is_grown_up(self) -> bool:
        return self.is_person and not self.is_child

    @property
    def is_staff(self) -> bool:
        """An educator or a school administrator, acting as themselves (not a child)."""
        return self.is_grown_up and has_school_role(self.user)


ANONYMOUS = Principal()


def principal_of(request: HttpRequest) -> Principal:
    """The principal of a page request: the signed-in account's active profile.

    Works with Django's request and with DRF's (which wraps it); computed once per request.
    """
    raw = getattr(request, "_request", request)
    cached = getattr(raw, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    user = getattr(raw, "user", None)
    if user is None or not user.is_authenticated:
        principal = ANONYMOUS
    else:
        own = learner_for_user(user=user)
        chosen = raw.session.get(ACTIVE_PROFILE_SESSION_KEY) if hasattr(raw, "session") else None
        profile = own
        if chosen and chosen != own.pk:
            profile = household_children(user).filter(pk=chosen).first() or own
        principal = Principal(user=user, profile=profile, own_profile=own)
    setattr(raw, _CACHE_ATTRIBUTE, principal)
    return principal


def principal_for_account(user: AbstractBaseUser) -> Principal:
    """A person calling with an account token (no session: no child profile is active)."""
    own = learner_for_user(user=user)
    return Principal(user=user, profile=own, own_profile=own)


def principal_for_token(token: IntegrationToken) -> Principal:
    return Principal(token=token)


def acting_profiles(principal: Principal) -> list[Learner]:
    """The profiles this session may act as right now, the active one first."""
    if not principal.is_person:
        return []
    if principal.is_child:
        return [principal.profile]
    household = household_for(principal)
    if household is None:
        return [principal.profile]
    members = household_members(household)
    members.sort(key=lambda member: member.pk != principal.profile.pk)
    return members


def household_members(household: Household) -> list[Learner]:
    """The caregiver first, then the children in the order they were added (the same on
    every database: NULLs sort differently on SQLite and PostgreSQL)."""
    return list(
        household.members.select_related("user").order_by(F("user_id").asc(nulls_last=True), "pk")
    )


def narrowed(principal: Principal, learner_id: object) -> Principal:
    """The principal acting as ``learner_id`` (a profile id, as sent), if it may act as it now.

    Raises ProfileNotAllowed otherwise, with the same answer whether or not the id exists.
    """
    if learner_id in (None, ""):
        return principal
    wanted = str(learner_id)
    if principal.is_person and wanted == str(principal.profile.pk):
        return principal
    if principal.is_person and not principal.is_child and wanted.isdigit():
        child = household_children(principal.user).filter(pk=int(wanted)).first()
        if child is not None:
            return Principal(user=principal.user, profile=child, own_profile=principal.own_profile)
    raise ProfileNotAllowed


def profile_switch(request: HttpRequest, learner: Learner) -> None:
    """Make ``learner`` the active profile of this session (the caller checked the PIN)."""
    raw = getattr(request, "_request", request)
    raw.session[ACTIVE_PROFILE_SESSION_KEY] = learner.pk
    if hasattr(raw, _CACHE_ATTRIBUTE):
        delattr(raw, _CACHE_ATTRIBUTE)


# Households.


def household_children(user: User) -> QuerySet[Learner]:
    """Children's profiles (no account of their own) of the user's household."""
    if not user.is_authenticated:
        return Learner.objects.none()
    return Learner.objects.filter(household__caregiver=user, user__isnull=True)


def household_of(user: User) -> Household | None:
    """The household the user keeps as its caregiver (whoever is active on the phone)."""
    if not user.is_authenticated:
        return None
    return Household.objects.filter(caregiver=user).first()


def keeps_household(user: User) -> bool:
    """Whether the user is a household's caregiver, so that the phone is shared. Every page's
    account nav asks, so the answer is kept in the cache until a household is made or removed
    (``household_flag_forget``, on Household's signals)."""
    if not user.is_authenticated:
        return False
    key = _household_flag_key(user.pk)
    kept = cache.get(key)
    if kept is None:
        kept = Household.objects.filter(caregiver=user).exists()
        cache.set(key, kept, HOUSEHOLD_FLAG_SECONDS)
    return kept


def household_flag_forget(user_id: int) -> None:
    """A household was made or removed: at once, and again when that commits (a page read in
    between could have kept the old answer)."""
    cache.delete(_household_flag_key(user_id))
    transaction.on_commit(lambda: cache.delete(_household_flag_key(user_id)))


def _household_flag_key(user_id: int) -> str:
    return f"puente:lms:keeps-household:{user_id}"


def household_for(principal: Principal) -> Household | None:
    """The household the principal may manage: the caregiver's, and only while a grown-up
    is active on the phone."""
    if not principal.is_grown_up:
        return None
    return household_of(principal.user)


# Schools and classes.


def has_school_role(user: User) -> bool:
    return user.is_authenticated and StaffRole.objects.filter(user=user).exists()


def _role_schools(user: User, role: str | None = None) -> QuerySet[StaffRole]:
    roles = StaffRole.objects.filter(user=user)
    if role is not None:
        roles = roles.filter(role=role)
    return roles.values("school_id")


def schools_for(principal: Principal) -> QuerySet[School]:
    """Schools where the principal holds a role now."""
    if not principal.is_staff:
        return School.objects.none()
    return School.objects.filter(pk__in=_role_schools(principal.user)).order_by("name")


def administered_schools(principal: Principal) -> QuerySet[School]:
    if not principal.is_staff:
        return School.objects.none()
    administered = _role_schools(principal.user, StaffRole.Role.ADMINISTRATOR)
    return School.objects.filter(pk__in=administered).order_by("name")


def classrooms_for(principal: Principal) -> QuerySet[Classroom]:
    """The classes a principal reaches: an integration token, its school's; an educator, the
    classes they teach at a school where they still hold a role; an administrator, every class
    of the schools they administer."""
    if principal.token is not None:
        return Classroom.objects.filter(school_id=principal.token.school_id)
    if not principal.is_staff:
        return Classroom.objects.none()
    user = principal.user
    taught = Q(educators=user, school_id__in=_role_schools(user))
    administered = Q(school_id__in=_role_schools(user, StaffRole.Role.ADMINISTRATOR))
    ids = Classroom.objects.filter(taught | administered).values("pk")
    return Classroom.objects.filter(pk__in=ids)


def classroom_for(principal: Principal, classroom_id: object) -> Classroom | None:
    """One class the principal reaches, or None."""
    try:
        classroom_id = int(classroom_id)
    except (TypeError, ValueError):
        return None
    return classrooms_for(principal).filter(pk=classroom_id).select_related("school").first()


class Audience:
    """Who a page or an API operation is for, as each view declares it (``view.audience``).

    The permission-matrix test walks every URL and API operation and checks each principal
    against its view's declaration; a view without one fails that test.
    """

    ANYONE = "anyone"  # no account needed
    PERSON = "person"  # any signed-in person, acting as the active profile (a child too)
    GROWN_UP = "grown-up"  # the account's owner, not a child's profile
    STAFF = "staff"  # an educator or a school administrator, acting as themselves
    SCHOOL_ADMIN = "school-admin"  # a school administrator

    ALL = (ANYONE, PERSON, GROWN_UP, STAFF, SCHOOL_ADMIN)


def principal_in_audience(principal: Principal, audience: str) -> bool:
    if audience == Audience.ANYONE:
        return True
    if audience == Audience.PERSON:
        return principal.is_person
    if audience == Audience.GROWN_UP:
        return principal.is_grown_up
    if audience == Audience.STAFF:
        return principal.is_staff
    if audience == Audience.SCHOOL_ADMIN:
        return administered_schools(principal).exists()
    raise ValueError(f"Unknown audience {audience!r}")
