"""Help requests: a family asks (from a page, the API or the offline queue), a helper answers.

A request is kept once per ``client_id`` (made on the phone), so a request queued offline and
sent again on reconnect is one request. Its text stays in Puente: the xAPI statement a request
makes says only that the learner asked about a lesson.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.i18n import language_codes
from lms.models import (
    BestTime,
    ContactWay,
    HelpDesk,
    HelpPlace,
    HelpReply,
    HelpRequest,
    HelpStatus,
    Learner,
    School,
)
from lms.selectors.activities import lesson_context
from lms.selectors.assignments import class_context
from lms.selectors.help import help_route
from lms.services.xapi import statement_context, statements_enqueue
from lms.xapi import statements as xapi

MESSAGE_MAX = 1000
REPLY_MAX = 2000
PHONE_MAX = 30
HELP_STATEMENT_NAMESPACE = uuid.UUID("6a0f1c9e-3f4b-4e8a-9a51-2c7d1e5b8f34")


class HelpError(ValueError):
    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class HelpAsk:
    """What the family wrote, as the page, the API or the offline queue sent it."""

    client_id: uuid.UUID
    message: str
    language: str = settings.LANGUAGE_CODE
    lesson_key: uuid.UUID | None = None
    question_id: str = ""
    contact: str = ContactWay.PUENTE
    phone: str = ""
    consent: bool = False
    best_time: str = BestTime.ANY


def _checked(ask: HelpAsk) -> HelpAsk:
    message = (ask.message or "").strip()
    if not message:
        raise HelpError(_("Write what you need help with."), "message")
    if len(message) > MESSAGE_MAX:
        raise HelpError(
            _("A message has at most %(count)d characters.") % {"count": MESSAGE_MAX}, "message"
        )
    if ask.contact not in ContactWay.values:
        raise HelpError(_("Choose how we can reach you."), "contact")
    if ask.best_time not in BestTime.values:
        raise HelpError(_("Choose the best time to reach you."), "best_time")
    phone = (ask.phone or "").strip()
    if len(phone) > PHONE_MAX or (phone and sum(c.isdigit() for c in phone) < 7):
        raise HelpError(_("Write the phone number with its digits, like 555 123 4567."), "phone")
    if ask.contact != ContactWay.PUENTE and not phone:
        raise HelpError(_("Write the phone number to call or text."), "phone")
    if phone and not ask.consent:
        raise HelpError(
            _("Tick the box to let us use this number to reach you about this request."),
            "consent",
        )
    language = ask.language if ask.language in language_codes() else settings.LANGUAGE_CODE
    question_id = (ask.question_id or "")[:64]
    if ask.lesson_key is not None:
        context = lesson_context(ask.lesson_key)
        if context is None:
            raise HelpError(_("There is no lesson with this key."), "lesson")
        if question_id and context.question(question_id) is None:
            question_id = ""  # the lesson changed since: the request still goes through
    return HelpAsk(
        client_id=ask.client_id,
        message=message,
        language=language,
        lesson_key=ask.lesson_key,
        question_id=question_id,
        contact=ask.contact,
        phone=phone,
        consent=ask.consent,
        best_time=ask.best_time,
    )


def help_request_create(
    *, learner: Learner, ask: HelpAsk, now: datetime | None = None
) -> tuple[HelpRequest, bool]:
    """Keep the request and send it to whoever answers this learner; (request, created).

    The same ``client_id`` sent again returns the request kept the first time."""
    existing = HelpRequest.objects.filter(client_id=ask.client_id).first()
    if existing is not None:
        if existing.learner_id != learner.pk:
            raise HelpError(_("This request id is already used."), "id")
        return existing, False
    ask = _checked(ask)
    route = help_route(learner=learner)
    if route.school is None:
        raise HelpError(
            _("This site has no help desk yet. Ask at your school or library."), "message"
        )
    now = now or timezone.now()
    try:
        with transaction.atomic():
            request = HelpRequest.objects.create(
                client_id=ask.client_id,
                learner=learner,
                school=route.school,
                classroom=route.classroom,
                lesson_key=ask.lesson_key,
                question_id=ask.question_id,
                message=ask.message,
                language=ask.language,
                contact=ask.contact,
                phone=ask.phone if ask.consent else "",
                best_time=ask.best_time,
                created_at=now,
            )
            statement = _asked_statement(learner=learner, request=request)
            if statement is not None:
                statements_enqueue(statements=[statement], learner=learner, event=None)
    except IntegrityError:
        # The same request arrived twice at once: the other one was kept.
        existing = HelpRequest.objects.filter(client_id=ask.client_id, learner=learner).first()
        if existing is None:
            raise
        return existing, False
    return request, True


def _asked_statement(*, learner: Learner, request: HelpRequest) -> dict | None:
    """ "The learner asked (for help) about this lesson": no text, no contact details."""
    if request.lesson_key is None:
        return None
    context = lesson_context(request.lesson_key)
    if context is None:
        return None
    team = class_context(learner=learner, activity_keys=[context.lesson.key])
    ctx = statement_context(
        learner=learner,
        statement_id=str(
            uuid.uuid5(HELP_STATEMENT_NAMESPACE, f"{learner.actor_id}/{request.client_id}")
        ),
        occurred_at=request.created_at,
        language=request.language,
        class_context=team,
    )
    return xapi.asked_for_help(ctx, context.lesson, context.module, context.course)


# Answering.


def help_request_assign(*, request: HelpRequest, user: AbstractBaseUser | None) -> None:
    """Take the request (or give it back, with ``user`` None)."""
    request.assigned_to = user
    fields = ["assigned_to"]
    if user is not None and request.status == HelpStatus.NEW:
        request.status = HelpStatus.IN_PROGRESS
        fields.append("status")
    request.save(update_fields=fields)


def help_request_status_set(*, request: HelpRequest, status: str) -> None:
    if status not in HelpStatus.values:
        raise HelpError(_("Choose one of: new, in progress, answered, closed."), "status")
    request.status = status
    request.save(update_fields=["status"])


def help_request_called_back(*, request: HelpRequest, user: AbstractBaseUser | None) -> None:
    """Someone called the family back: that answers the request."""
    now = timezone.now()
    request.called_back_at = now
    request.first_reply_at = request.first_reply_at or now
    if request.status in (HelpStatus.NEW, HelpStatus.IN_PROGRESS):
        request.status = HelpStatus.ANSWERED
    if request.assigned_to_id is None:
        request.assigned_to = user
    request.save(update_fields=["called_back_at", "first_reply_at", "status", "assigned_to"])


def help_reply_send(
    *, request: HelpRequest, author: AbstractBaseUser | None, text: str, language: str
) -> HelpReply:
    text = (text or "").strip()
    if not text:
        raise HelpError(_("Write your answer."), "text")
    if len(text) > REPLY_MAX:
        raise HelpError(
            _("An answer has at most %(count)d characters.") % {"count": REPLY_MAX}, "text"
        )
    if language not in language_codes():
        raise HelpError(_("Choose the language the answer is written in."), "language")
    with transaction.atomic():
        reply = HelpReply.objects.create(
            request=request, author=author, text=text, language=language
        )
        request.first_reply_at = request.first_reply_at or reply.created_at
        if request.status in (HelpStatus.NEW, HelpStatus.IN_PROGRESS):
            request.status = HelpStatus.ANSWERED
        if request.assigned_to_id is None and author is not None:
            request.assigned_to = author
        request.save(update_fields=["first_reply_at", "status", "assigned_to"])
    return reply


def help_replies_mark_seen(*, learners: list[Learner]) -> int:
    """The family read its answers: they are no longer marked new."""
    return HelpReply.objects.filter(request__learner__in=learners, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )


# The school's help desk.


def help_desk_save(*, school: School, phone: str, hours: str, language: str) -> HelpDesk:
    if language not in language_codes():
        raise HelpError(_("Choose the language the hours are written in."), "language")
    desk, _created = HelpDesk.objects.update_or_create(
        school=school,
        defaults={"phone": phone.strip(), "hours": hours.strip(), "language": language},
    )
    return desk


def help_desk_make_site_default(*, school: School) -> HelpDesk:
    """This school's helpers answer families who are in no class (one school at a time)."""
    with transaction.atomic():
        HelpDesk.objects.filter(is_site_default=True).exclude(school=school).update(
            is_site_default=False
        )
        desk, _created = HelpDesk.objects.get_or_create(school=school)
        desk.is_site_default = True
        desk.save(update_fields=["is_site_default"])
    return desk


def help_place_add(
    *, school: School, name: str, address: str, hours: str, language: str
) -> HelpPlace:
    if not name.strip() or not address.strip():
        raise HelpError(_("Write the place's name and address."), "name")
    if language not in language_codes():
        raise HelpError(_("Choose the language the place is written in."), "language")
    return HelpPlace.objects.create(
        school=school,
        name=name.strip(),
        address=address.strip(),
        hours=hours.strip(),
        language=language,
    )


def help_place_remove(*, place: HelpPlace) -> None:
    place.delete()
