"""The plugin's signals: what it tells optional parts (LTI grade return, statement extensions)
about learning, and how it keeps cached course structure in step with Wagtail's pages."""

from django.core.signals import request_finished, request_started
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from lms.access import household_flag_forget
from lms.models import Household
from lms.selectors.activities import (
    content_changed,
    content_version_request_finished,
    content_version_request_started,
)

# A learner completed a lesson. Sent inside the transaction that records it (keyword arguments
# learner, lesson_key, occurred_at), so what receivers write commits or rolls back with the
# progress; a receiver that fails fails the event. LTI grade return queues scores on it.
lesson_completed = Signal()

# Statements about these activities are being built for this learner (keyword arguments
# learner, activity_keys). Each receiver returns a dict of xAPI context extensions, ids only,
# never personal data. LTI adds the platform, deployment, context and resource link.
statement_extensions_requested = Signal()


def statement_extensions(*, learner, activity_keys: list[str]) -> dict:
    """The context extensions every receiver adds to statements about these activities."""
    extensions: dict = {}
    for _receiver, response in statement_extensions_requested.send(
        sender=None, learner=learner, activity_keys=activity_keys
    ):
        extensions.update(response or {})
    return extensions


def _page_changed(sender, **kwargs) -> None:
    content_changed()


def _page_saved_or_deleted(sender, instance, **kwargs) -> None:
    """A page, site, locale or page privacy setting saved or deleted (any model's signal
    comes here: only these count). Sites and locales decide which page an address finds, and
    privacy settings who may read it, so what is cached under the content version (routing,
    rendered pages) must not outlive them either."""
    if isinstance(instance, Page | Site | Locale | PageViewRestriction):
        content_changed()


def _household_saved_or_deleted(sender, instance, **kwargs) -> None:
    household_flag_forget(instance.caregiver_id)


def connect() -> None:
    request_started.connect(
        content_version_request_started, dispatch_uid="lms-content-version-started"
    )
    request_finished.connect(
        content_version_request_finished, dispatch_uid="lms-content-version-finished"
    )
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_page_changed, dispatch_uid=f"lms-content-{signal!r}")
    # Saved or deleted outside the editor's publish button too (a loader, a script).
    post_save.connect(_page_saved_or_deleted, dispatch_uid="lms-content-saved")
    post_delete.connect(_page_saved_or_deleted, dispatch_uid="lms-content-deleted")
    for signal in (post_save, post_delete):
        signal.connect(
            _household_saved_or_deleted, sender=Household, dispatch_uid=f"lms-household-{signal!r}"
        )
