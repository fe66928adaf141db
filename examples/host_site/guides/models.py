"""The host's own pages: a topic (a course, for the plugin) holds units (modules), which hold
guides (lessons). Each keeps the plugin's activity interface (lms/activities.py, step 5)."""

from __future__ import annotations

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from lms.access import principal_of
from lms.activities import ActivityType, Question
from lms.services import lesson_forms


class TopicPage(Page):
    lms_activity_type = ActivityType.COURSE

    summary = models.CharField(max_length=255, blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary")]
    subpage_types = ["guides.UnitPage"]

    def lms_description(self) -> str:
        return self.summary

    def lms_minutes(self) -> None:
        return None  # the sum of its guides


class UnitPage(Page):
    lms_activity_type = ActivityType.MODULE

    summary = models.CharField(max_length=255, blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary")]
    parent_page_types = ["guides.TopicPage"]
    subpage_types = ["guides.GuidePage"]

    def lms_description(self) -> str:
        return self.summary

    def lms_minutes(self) -> None:
        return None


class GuidePage(Page):
    """A text guide a learner reads and marks as done, with or without JavaScript."""

    lms_activity_type = ActivityType.LESSON

    body = RichTextField()
    minutes = models.PositiveSmallIntegerField(default=5)

    content_panels = Page.content_panels + [FieldPanel("body"), FieldPanel("minutes")]
    parent_page_types = ["guides.UnitPage"]
    subpage_types: list[str] = []

    def lms_description(self) -> str:
        return self.search_description or self.title

    def lms_minutes(self) -> int:
        return self.minutes

    def lms_questions(self) -> list[Question]:
        return []

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        learner = principal_of(request).profile
        context["learner"] = learner
        if learner is not None and request.method == "GET":
            # One "experienced" statement per visit (the plugin's rule: 30 minutes).
            context["progress"] = lesson_forms.lesson_visit(
                learner=learner, lesson_key=self.translation_key
            )
        return context

    def serve(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return super().serve(request, *args, **kwargs)
        learner = principal_of(request).profile
        if learner is None:
            return redirect(f"{reverse('lms:login')}?next={self.get_url(request)}")
        post = lesson_forms.lesson_finish(
            request=request, learner=learner, lesson_key=self.translation_key
        )
        if post.error:  # refused (too many at once, a lesson that moved): say why
            messages.error(request, post.error)
        elif post.outcome is not None:
            messages.success(
                request, _("Well done! You finished “%(title)s”.") % {"title": self.title}
            )
        return redirect(self.get_url(request))
