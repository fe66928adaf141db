"""What an LTI launch does in Puente: the learner's account, the activity it opens, scores for
the platform's gradebook, and roster sync into a class."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext as _
from lti_tool.models import Key, LtiContext, LtiDeployment, LtiLaunch, LtiRegistration, LtiUser
from pylti1p3.names_roles import NamesRolesProvisioningService

from lms.conf import lms_setting
from lms.lti.connector import platform_connector
from lms.lti.models import LtiActivityLink, LtiClassLink, LtiPlatform, ScoreDelivery
from lms.models import (
    ClassMembership,
    Learner,
    LessonProgress,
    QuestionAttempt,
    School,
    StaffRole,
)
from lms.selectors.activities import activity_lesson_keys, activity_type_of, lesson_context
from lms.services.classes import classroom_create

ACTIVITY_PARAMETER = "puente_activity"
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
SCORE_MAXIMUM = 100.0


class LtiError(ValueError):
    """A launch or a service call Puente cannot honour; the message says why."""


@transaction.atomic
def lti_registration_configure(
    *, registration: LtiRegistration, school: School | None, deployment_ids: list[str]
) -> None:
    """Link a platform to its school and say which of its deployments may launch Puente
    (the others are turned off, never deleted: their learners' links and scores stay)."""
    if not Key.objects.active().exists():
        Key.objects.generate()  # Puente signs deep links and grade requests with it
    if school is None:
        LtiPlatform.objects.filter(registration=registration).delete()
    else:
        LtiPlatform.objects.update_or_create(registration=registration, defaults={"school": school})
    for deployment_id in deployment_ids:
        LtiDeployment.objects.update_or_create(
            registration=registration, deployment_id=deployment_id, defaults={"is_active": True}
        )
    LtiDeployment.objects.filter(registration=registration).exclude(
        deployment_id__in=deployment_ids
    ).update(is_active=False)


def lti_language(launch: LtiLaunch) -> str:
    """The interface language the platform asks for (launch presentation locale)."""
    presentation = launch.launch_presentation_claim or {}
    locale = presentation.get("locale") or launch.get_claim("locale") or ""
    try:
        return get_supported_language_variant(locale.lower().replace("_", "-"))
    except LookupError:
        return settings.LANGUAGE_CODE


def lti_user_minimise(lti_user: LtiUser) -> None:
    """Keep a platform user's name (teachers see it) but not their email or picture."""
    if lti_user.email or lti_user.picture_url:
        LtiUser.objects.filter(pk=lti_user.pk).update(email="", picture_url="")


def lti_learner(*, lti_user: LtiUser, language: str) -> Learner:
    """The Puente learner of a platform user, made on first launch: no email, no password."""
    if lti_user.auth_user_id:
        learner = Learner.objects.filter(user_id=lti_user.auth_user_id).first()
        if learner is not None:
            return learner
    with transaction.atomic():
        # Namespaced by registration: the same `sub` on two platforms is two people.
        digest = hashlib.sha256(lti_user.sub.encode()).hexdigest()[:16]
        username = f"lti-{lti_user.registration.uuid.hex[:8]}-{digest}"
        user, _created = get_user_model().objects.get_or_create(username=username)
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        LtiUser.objects.filter(pk=lti_user.pk).update(auth_user=user)
        learner, _created = Learner.objects.get_or_create(
            user=user,
            defaults={
                "display_name": (lti_user.name or lti_user.given_name)[:60],
                "preferred_language": language,
            },
        )
    return learner


def lti_staff_grant(*, launch: LtiLaunch, learner: Learner) -> bool:
    """A platform's instructor becomes an educator of the platform's school in Puente."""
    membership = launch.membership
    platform = LtiPlatform.objects.filter(registration=launch.registration).first()
    if platform is None or membership is None or not membership.is_instructor:
        return False
    StaffRole.objects.get_or_create(
        user=learner.user, school=platform.school, role=StaffRole.Role.EDUCATOR
    )
    return True


def lti_activity_link(*, launch: LtiLaunch, learner: Learner) -> LtiActivityLink | None:
    """Remember which activity this resource link opens, and its gradebook column."""
    key = launch.get_custom_claim(ACTIVITY_PARAMETER)
    try:  # str(): the spec says custom values are strings, but a platform may send a number
        activity_type = activity_type_of(uuid.UUID(str(key))) if key else None
    except ValueError:
        activity_type = None
    if activity_type is None or launch.resource_link is None:
        return None
    link, _created = LtiActivityLink.objects.update_or_create(
        resource_link=launch.resource_link,
        lti_user=launch.user,
        defaults={
            "learner": learner,
            "activity_key": key,
            "activity_type": activity_type,
            "lineitem_url": (launch.ags_claim or {}).get("lineitem", ""),
        },
    )
    return link


def lti_scores_enqueue(*, learner: Learner, lesson_key: str, occurred_at: datetime) -> int:
    """After a lesson is completed: queue a score for each launched activity containing it."""
    context = lesson_context(lesson_key)
    keys = [a.key for a in (context.module, context.course) if a is not None] if context else []
    links = list(
        LtiActivityLink.objects.filter(learner=learner, activity_key__in=keys).exclude(
            lineitem_url=""
        )
    )
    now = timezone.now()
    for link in links:
        score, complete = activity_score(learner, str(link.activity_key))
        ScoreDelivery.objects.create(
            link=link,
            score_given=score,
            score_maximum=SCORE_MAXIMUM,
            activity_progress="Completed" if complete else "InProgress",
            grading_progress="FullyGraded" if complete else "Pending",
            timestamp=occurred_at,
            next_attempt_at=now,
        )
    return len(links)


def activity_score(learner: Learner, activity_key: str) -> tuple[float, bool]:
    """The share of the activity's questions whose latest answer is right (0-100), and
    whether every lesson of it is completed."""
    lesson_keys = activity_lesson_keys(activity_key)
    done = LessonProgress.objects.filter(
        learner=learner, lesson_key__in=lesson_keys, completed_at__isnull=False
    ).count()
    latest: dict[str, bool] = {}
    for question_id, correct in (
        QuestionAttempt.objects.filter(learner=learner, lesson_key__in=lesson_keys)
        .order_by("answered_at", "id")
        .values_list("question_id", "correct")
    ):
        latest[question_id] = correct
    total_questions = sum(
        len(context.questions) for key in lesson_keys if (context := lesson_context(key))
    )
    right = sum(1 for correct in latest.values() if correct)
    score = round(SCORE_MAXIMUM * right / total_questions, 2) if total_questions else 0.0
    complete = bool(lesson_keys) and done == len(lesson_keys)
    if complete and not total_questions:
        score = SCORE_MAXIMUM
    return score, complete


def lti_members_fetch(context: LtiContext) -> list[dict]:
    """The platform course's roster (Names and Role Provisioning Services), with timeouts."""
    if not context.memberships_url:
        return []
    service = NamesRolesProvisioningService(
        platform_connector(context.deployment.registration),
        {"context_memberships_url": context.memberships_url},
    )
    return list(service.get_members())


def lti_roster_sync(*, context: LtiContext, educator) -> LtiClassLink:
    """Bring the platform course's learners into a Puente class (made on first sync).

    The roster is fetched first, with timeouts and no transaction open; then written in one
    transaction. A slow or hung platform holds no database lock (on SQLite, the whole
    database's write lock).
    """
    registration = context.deployment.registration
    platform = LtiPlatform.objects.filter(registration=registration).first()
    if platform is None:
        raise LtiError(_("This platform is not linked to a school yet. Ask an administrator."))
    members = lti_members_fetch(context)
    with transaction.atomic():
        return _roster_write(context, registration, platform, educator, members)


def _roster_write(context, registration, platform, educator, members) -> LtiClassLink:
    link = LtiClassLink.objects.filter(context=context).select_related("classroom").first()
    if link is None:
        classroom = classroom_create(
            school=platform.school,
            name=(context.title or context.label or _("Course from the LMS"))[:120],
            educator=educator,
        )
        link = LtiClassLink.objects.create(context=context, classroom=classroom)
    else:
        link.classroom.educators.add(educator)
    for member in members:
        if LEARNER_ROLE not in member.get("roles", []) or member.get("status") == "Inactive":
            continue
        lti_user, _created = LtiUser.objects.update_or_create(
            registration=registration,
            sub=member["user_id"],
            defaults={"name": member.get("name", "")[:500]},
        )
        learner = lti_learner(lti_user=lti_user, language=settings.LANGUAGE_CODE)
        ClassMembership.objects.get_or_create(classroom=link.classroom, learner=learner)
    link.synced_at = timezone.now()
    link.save(update_fields=["synced_at"])
    return link


def lti_statement_extensions(*, learner: Learner, activity_keys: list[str]) -> dict:
    """For statements about an activity a platform launched: the LTI context, so that a
    district's LRS can join them with the LMS's own records (ids only, no personal data)."""
    # Four ids, read as values: every event asks, and building the five models they come
    # from cost more than the query.
    row = (
        LtiActivityLink.objects.filter(learner=learner, activity_key__in=activity_keys)
        .order_by("-launched_at")
        .values_list(
            "resource_link__context__deployment__registration__issuer",
            "resource_link__context__deployment__deployment_id",
            "resource_link__context__id_on_platform",
            "resource_link__id_on_platform",
        )
        .first()
    )
    if row is None:
        return {}
    platform, deployment_id, context_id, resource_link_id = row
    return {
        lti_extension_iri(): {
            "platform": platform,
            "deployment_id": deployment_id,
            "context_id": context_id,
            "resource_link_id": resource_link_id,
        }
    }


def lti_extension_iri() -> str:
    """The xAPI extension key for the LTI context, in this site's own namespace."""
    return f"{lms_setting('BASE_URL').rstrip('/')}/xapi/extensions/lti-context"
