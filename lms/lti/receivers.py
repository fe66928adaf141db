"""LTI's side of the plugin's signals (lms/signals.py): a completed lesson queues a score for
each platform that launched an activity holding it, and statements about a launched activity
carry its LTI context. lms/services knows nothing of LTI."""

from __future__ import annotations

from lms.lti.services import lti_scores_enqueue, lti_statement_extensions
from lms.signals import lesson_completed, statement_extensions_requested


def _scores_queue(sender, *, learner, lesson_key, occurred_at, **kwargs) -> None:
    lti_scores_enqueue(learner=learner, lesson_key=lesson_key, occurred_at=occurred_at)


def _lti_context(sender, *, learner, activity_keys, **kwargs) -> dict:
    return lti_statement_extensions(learner=learner, activity_keys=activity_keys)


def connect() -> None:
    lesson_completed.connect(_scores_queue, dispatch_uid="lms-lti-scores")
    statement_extensions_requested.connect(_lti_context, dispatch_uid="lms-lti-context")
