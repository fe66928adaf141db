"""Reading help requests: who answers a family, what a helper's queue holds, what a family sees
of its own requests, and the school administrator's figures (one query each)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from lms.access import Principal, acting_profiles
from lms.models import (
    ClassMembership,
    Classroom,
    HelpDesk,
    HelpPlace,
    HelpReply,
    HelpRequest,
    HelpStatus,
    Learner,
    School,
    StaffRole,
)
from lms.selectors.activities import LessonLink, lesson_context, lesson_links

OPEN = (HelpStatus.NEW, HelpStatus.IN_PROGRESS)
FIGURE_WEEKS = 8
STALE_AFTER = timedelta(days=2)


@dataclass(frozen=True)
class HelpRoute:
    """Who answers a learner: the school of their latest class (and that class's educators),
    or the site's default help desk."""

    school: School | None
    classroom: Classroom | None


def help_route(*, learner: Learner) -> HelpRoute:
    membership = (
        ClassMembership.objects.filter(learner=learner, classroom__archived_at__isnull=True)
        .select_related("classroom__school")
        .order_by("-joined_at", "-pk")
        .first()
    )
    if membership is not None:
        return HelpRoute(school=membership.classroom.school, classroom=membership.classroom)
    desk = HelpDesk.objects.filter(is_site_default=True).select_related("school").first()
    return HelpRoute(school=desk.school if desk else None, classroom=None)


@dataclass(frozen=True)
class WhereToGetHelp:
    school: School | None
    desk: HelpDesk | None
    places: list[HelpPlace]


def where_to_get_help(*, school: School | None) -> WhereToGetHelp:
    """A school's help desk and places (the site default's when ``school`` is None)."""
    if school is None:
        desk = HelpDesk.objects.filter(is_site_default=True).select_related("school").first()
        school = desk.school if desk else None
    else:
        desk = HelpDesk.objects.filter(school=school).first()
    places = list(HelpPlace.objects.filter(school=school)) if school else []
    return WhereToGetHelp(school=school, desk=desk, places=places)


@dataclass(frozen=True)
class HelpSubject:
    """What a request is about: the lesson, and the question as the family read it."""

    lesson: LessonLink
    question: str = ""
    question_language: str = ""


def help_subject(
    *, lesson_key: object, question_id: str, language: str, request=None
) -> HelpSubject | None:
    if not lesson_key:
        return None
    link = lesson_links([lesson_key], language, request).get(str(lesson_key))
    if link is None:
        return None
    context = lesson_context(lesson_key)
    texts = context.question_texts.get(question_id) if context and question_id else None
    if texts is None:
        return HelpSubject(lesson=link)
    for shown_in in (language, link.language, *texts.prompt):
        if texts.prompt.get(shown_in):
            return HelpSubject(
                lesson=link, question=texts.prompt[shown_in], question_language=shown_in
            )
    return HelpSubject(lesson=link)


# What staff and integrations reach.


def _roles(user, *roles: str) -> QuerySet:
    return StaffRole.objects.filter(user=user, role__in=roles).values("school_id")


def help_queue_for(principal: Principal) -> QuerySet[HelpRequest]:
    """The requests a principal answers: a token, its school's; helpers and administrators,
    their schools'; an educator, those of the classes they teach at a school where they hold
    a role."""
    if principal.token is not None:
        return HelpRequest.objects.filter(school_id=principal.token.school_id)
    if not principal.is_staff:
        return HelpRequest.objects.none()
    user = principal.user
    helping = Q(school_id__in=_roles(user, StaffRole.Role.HELPER, StaffRole.Role.ADMINISTRATOR))
    teaching = Q(classroom__educators=user, school_id__in=_roles(user, StaffRole.Role.EDUCATOR))
    ids = HelpRequest.objects.filter(helping | teaching).values("pk")
    return HelpRequest.objects.filter(pk__in=ids)


def _with_details(requests: QuerySet[HelpRequest]) -> QuerySet[HelpRequest]:
    return requests.select_related(
        "learner__user", "classroom", "school", "assigned_to"
    ).prefetch_related(Prefetch("replies", queryset=HelpReply.objects.select_related("author")))


def help_queue(
    *, principal: Principal, status: str | None = None, mine: bool = False
) -> QuerySet[HelpRequest]:
    """The queue, newest first, with what a card shows (a fixed number of queries however
    long it is)."""
    requests = help_queue_for(principal)
    if status:
        requests = requests.filter(status=status)
    if mine and principal.user is not None:
        requests = requests.filter(assigned_to=principal.user)
    return _with_details(requests).order_by("-created_at", "-pk")


def help_queue_counts(*, principal: Principal) -> dict[str, int]:
    """How many requests of each status the queue holds (one query)."""
    rows = help_queue_for(principal).values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(HelpStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def help_request_in_queue(*, principal: Principal, request_id: object) -> HelpRequest | None:
    try:
        request_id = int(request_id)
    except (TypeError, ValueError):
        return None
    return _with_details(help_queue_for(principal)).filter(pk=request_id).first()


# What a family sees.


def help_requests_of_family(*, principal: Principal) -> QuerySet[HelpRequest]:
    """The requests of the profiles this session may act as now: a caregiver sees the
    children's, a child only their own."""
    profiles = acting_profiles(principal)
    return _with_details(HelpRequest.objects.filter(learner__in=profiles)).order_by(
        "-created_at", "-pk"
    )


def help_requests_for_page(
    *, principal: Principal, language: str, request=None, limit: int = 20
) -> list[HelpRequest]:
    """The family's latest requests as their pages show them: each with ``about`` (its
    lesson's title in the reader's language) and ``new_replies`` (answers not seen yet)."""
    requests = list(help_requests_of_family(principal=principal)[:limit])
    titles = lesson_links([r.lesson_key for r in requests], language, request)
    for item in requests:
        item.about = titles.get(str(item.lesson_key)) if item.lesson_key else None
        item.new_replies = [reply for reply in item.replies.all() if reply.seen_at is None]
    return requests


def help_request_reachable(*, principal: Principal, request_id: object) -> HelpRequest | None:
    """One request, if the principal may read it: the family's own, or in their queue."""
    try:
        request_id = int(request_id)
    except (TypeError, ValueError):
        return None
    found = help_requests_of_family(principal=principal).filter(pk=request_id).first()
    return found or help_request_in_queue(principal=principal, request_id=request_id)


def help_answers_for_family(*, learners: list[Learner]) -> list[HelpRequest]:
    """Requests of these profiles that have an answer, newest answer first; each carries
    ``latest_reply`` and ``new_replies``, the ones the family has not seen yet (two queries
    for any household)."""
    requests = (
        HelpRequest.objects.filter(learner__in=learners, replies__isnull=False)
        .distinct()
        .select_related("learner__user")
        .prefetch_related(Prefetch("replies", queryset=HelpReply.objects.all()))
        .order_by("-pk")
    )
    answered = list(requests)
    for request in answered:
        replies = list(request.replies.all())
        request.latest_reply = replies[-1]
        request.new_replies = [reply for reply in replies if reply.seen_at is None]
    answered.sort(key=lambda r: r.latest_reply.created_at, reverse=True)
    return answered


# The school administrator's figures.


@dataclass(frozen=True)
class HelpFigures:
    per_week: list[tuple[object, int]]  # (Monday of the week, requests), oldest first
    median_first_reply: timedelta | None
    open_older_than_two_days: int


def help_requests_per_week(*, schools: QuerySet[School], now=None) -> list[tuple[object, int]]:
    now = now or timezone.now()
    since = now - timedelta(weeks=FIGURE_WEEKS)
    rows = (
        HelpRequest.objects.filter(school__in=schools, created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    return [
        (row["week"].date() if hasattr(row["week"], "date") else row["week"], row["n"])
        for row in rows
    ]


def help_median_first_reply(*, schools: QuerySet[School], now=None) -> timedelta | None:
    """The median time from a request to its first answer (a reply or a call back), over
    the last weeks' answered requests."""
    now = now or timezone.now()
    since = now - timedelta(weeks=FIGURE_WEEKS)
    waits = list(
        HelpRequest.objects.filter(
            school__in=schools, created_at__gte=since, first_reply_at__isnull=False
        )
        .annotate(
            wait=ExpressionWrapper(
                F("first_reply_at") - F("created_at"), output_field=DurationField()
            )
        )
        .values_list("wait", flat=True)
    )
    return statistics.median(waits) if waits else None


def help_open_older_than(
    *, schools: QuerySet[School], age: timedelta = STALE_AFTER, now=None
) -> int:
    now = now or timezone.now()
    return HelpRequest.objects.filter(
        school__in=schools, status__in=OPEN, created_at__lt=now - age
    ).count()


def help_figures(*, schools: QuerySet[School], now=None) -> HelpFigures:
    return HelpFigures(
        per_week=help_requests_per_week(schools=schools, now=now),
        median_first_reply=help_median_first_reply(schools=schools, now=now),
        open_older_than_two_days=help_open_older_than(schools=schools, now=now),
    )
