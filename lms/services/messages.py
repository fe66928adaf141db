"""Messages from a class to its families: a short announcement on every learner's home (and
the caregiver's, for a child), marked with the language it was written in."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lms.models import ClassActivity, ClassMessage, Classroom
from lms.services.activity import Actor, activity_record
from lms.services.classes import ClassError

MESSAGE_MAX = 1000


def class_message_send(
    *, classroom: Classroom, text: str, language: str, actor: Actor
) -> ClassMessage:
    text = (text or "").strip()
    if not text:
        raise ClassError(_("Write a message."))
    if len(text) > MESSAGE_MAX:
        raise ClassError(_("A message has at most %(count)d characters.") % {"count": MESSAGE_MAX})
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ClassError(_("Choose the language the message is written in."))
    if classroom.archived_at is not None:
        raise ClassError(_("This class is archived: reopen it to send a message."))
    with transaction.atomic():
        message = ClassMessage.objects.create(
            classroom=classroom, author=actor.user, text=text, language=language
        )
        activity_record(
            classroom=classroom,
            actor=actor,
            action=ClassActivity.Action.MESSAGE_SENT,
            detail=text[:80],
        )
    return message


def class_message_delete(*, message: ClassMessage, actor: Actor) -> None:
    with transaction.atomic():
        activity_record(
            classroom=message.classroom,
            actor=actor,
            action=ClassActivity.Action.MESSAGE_DELETED,
            detail=message.text[:80],
        )
        message.delete()
