"""Keep cached course structure in step with Wagtail's pages."""

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from lms.selectors.activities import content_changed


def _page_changed(sender, **kwargs) -> None:
    content_changed()


def _page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        content_changed()


def connect() -> None:
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_page_changed, dispatch_uid=f"lms-content-{signal!r}")
    post_delete.connect(_page_deleted, dispatch_uid="lms-content-deleted")
