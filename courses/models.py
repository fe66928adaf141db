"""Course content as Wagtail pages: Course index -> Course -> Module -> Lesson.

Every page exists per locale; translations of a page share its ``translation_key``, which is how
the LMS plugin identifies a lesson or module whatever the language.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index
from wagtail.url_routing import RouteResult

from courses.blocks import INLINE_FEATURES, LessonStreamBlock
from courses.navigation import page_chrome
from courses.search.languages import is_unspaced, spaced_characters
from lms.access import principal_of
from lms.activities import ActivityType, Question
from lms.models import LessonProgress
from lms.selectors.activities import content_version
from lms.selectors.progress import course_status, lesson_statuses
from lms.services import lesson_forms

if TYPE_CHECKING:
    from collections.abc import Sequence


RESTRICTIONS_CACHE_KEY = "puente:courses:view-restrictions-exist"
ROUTE_CACHE_SECONDS = 24 * 60 * 60


def view_restrictions_exist() -> bool:
    """Whether any page is private; cached until a restriction is added or removed."""
    exists = cache.get(RESTRICTIONS_CACHE_KEY)
    if exists is None:
        exists = PageViewRestriction.objects.exists()
        cache.set(RESTRICTIONS_CACHE_KEY, exists, None)
    return exists


@receiver([post_save, post_delete], sender=PageViewRestriction)
def _view_restrictions_changed(**kwargs) -> None:
    cache.delete(RESTRICTIONS_CACHE_KEY)


# Chinese pages' text, one character per word: what a search in Chinese matches against.
SEARCH_WORDS = index.SearchField("search_words")


class CoursePageBase(Page):
    """Shared behaviour: one-query routing and the data every learner page shows."""

    # Lessons show "Lesson 2 of 4" with links to the previous and next lesson.
    navigates_siblings = False

    class Meta:
        abstract = True

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["chrome"] = page_chrome(self, request, with_siblings=self.navigates_siblings)
        return context

    def meta_description(self) -> str:
        """What search results and link previews show, in the page's language: its search
        description if an editor wrote one, else its summary (the catalog: its intro)."""
        text = (
            self.search_description
            or getattr(self, "summary", "")
            or strip_tags(getattr(self, "intro", "") or "")
        )
        return Truncator(" ".join(text.split())).chars(160)

    def search_words(self) -> str:
        """Empty but in a language written without spaces (courses/search/languages.py)."""
        if not is_unspaced(self.locale.language_code):
            return ""
        texts = []
        for field in self.get_search_fields():
            if isinstance(field, index.SearchField) and field.field_name != "search_words":
                value = field.get_value(self)
                texts.extend(value if isinstance(value, list) else [str(value or "")])
        return spaced_characters(" ".join(texts))

    def get_view_restrictions(self):
        """Wagtail's rule in one query instead of one per alias among the ancestors, and
        none at all while the site has no restrictions (the usual case).

        Restrictions set on this page or any ancestor apply; an alias page (an untranslated
        page shown in another language) uses the restrictions of the page it mirrors.
        """
        if not view_restrictions_exist():
            return PageViewRestriction.objects.none()
        steplen = self.steplen
        chain_paths = [self.path[:end] for end in range(steplen, len(self.path) + 1, steplen)]
        checked_ids = (
            Page.objects.filter(path__in=chain_paths)
            .annotate(checked_id=Coalesce("alias_of__alias_of_id", "alias_of_id", "id"))
            .values("checked_id")
        )
        return PageViewRestriction.objects.filter(page_id__in=Subquery(checked_ids))


class CourseIndexPage(CoursePageBase):
    """The course catalog, and the home page of the site in each language."""

    intro = RichTextField(features=INLINE_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro"), SEARCH_WORDS]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("course catalog")

    def route(self, request: HttpRequest, path_components: Sequence[str]) -> RouteResult:
        """Find a page below the catalog with one lookup by its stored URL path.

        Wagtail's default routing walks the tree with two queries per level; a lesson sits four
        levels down, so that alone would spend most of a lesson page's query budget.
        """
        if not path_components:
            return super().route(request, path_components)
        url_path = self.url_path + "/".join(path_components) + "/"
        # The page-type rules fix what sits at each depth (course, module, lesson), so the
        # specific table can be asked directly; anything else falls back to Wagtail's walk.
        depth_models = (CoursePage, ModulePage, LessonPage)
        model = depth_models[len(path_components) - 1] if len(path_components) <= 3 else None
        if model is None:
            return super().route(request, path_components)
        # Kept under the content version, which every publish, move or privacy change bumps.
        # The cache hands each request its own copy (it stores pickles): never a shared object.
        place = hashlib.sha256(url_path.encode()).hexdigest()[:32]
        key = f"puente:route:{content_version()}:{model._meta.model_name}:{place}"
        page = cache.get(key)
        if page is None:
            page = model.objects.live().filter(url_path=url_path).first()
            if page is None:
                return super().route(request, path_components)
            cache.set(key, page, ROUTE_CACHE_SECONDS)
        return RouteResult(page)

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        courses = list(
            CoursePage.objects.live().child_of(self).select_related("cover_image").order_by("path")
        )
        # A course takes as long as its lessons: one query for every course's lessons.
        minutes = dict.fromkeys((course.path for course in courses), 0)
        lessons = LessonPage.objects.live().descendant_of(self).only("path", "estimated_minutes")
        for lesson in lessons:
            course_path = lesson.path[: len(self.path) + self.steplen]
            if course_path in minutes:
                minutes[course_path] += lesson.estimated_minutes
        for course in courses:
            course.total_minutes = minutes[course.path]
        context["courses"] = courses
        return context


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone in the family")
    CAREGIVERS = "caregivers", _("Parents and caregivers")
    CHILDREN = "children", _("Children")


class CoursePage(CoursePageBase):
    summary = models.TextField(max_length=400)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    cover_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    learning_outcomes = StreamField(
        [("outcome", blocks.CharBlock(max_length=200, label=_("Outcome")))],
        blank=True,
        help_text=_("What a learner can do after the course, one per line."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("audience"),
        FieldPanel("cover_image"),
        FieldPanel("learning_outcomes"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), SEARCH_WORDS]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]
    lms_activity_type = ActivityType.COURSE

    class Meta:
        verbose_name = _("course")

    def lms_description(self) -> str:
        return self.summary

    def lms_minutes(self) -> None:
        return None  # the sum of its lessons' minutes, which editors set

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        modules = list(ModulePage.objects.live().child_of(self).order_by("path"))
        lessons = LessonPage.objects.live().descendant_of(self).order_by("path")
        outlines = {module.path: ModuleOutline(module) for module in modules}
        for lesson in lessons.only("path", "estimated_minutes"):
            outline = outlines.get(lesson.path[: -self.steplen])
            if outline:
                outline.lesson_count += 1
                outline.minutes += lesson.estimated_minutes
        context["modules"] = list(outlines.values())
        context["total_minutes"] = sum(outline.minutes for outline in outlines.values())
        learner = principal_of(request).profile
        if learner is not None:
            context["course_status"] = course_status(
                request=request, learner=learner, course_key=self.translation_key
            )
        return context


@dataclass
class ModuleOutline:
    module: ModulePage
    lesson_count: int = 0
    minutes: int = 0


class ModulePage(CoursePageBase):
    """A group of lessons: the unit educators assign."""

    summary = models.TextField(max_length=400)

    content_panels = Page.content_panels + [FieldPanel("summary")]
    search_fields = Page.search_fields + [index.SearchField("summary"), SEARCH_WORDS]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]
    lms_activity_type = ActivityType.MODULE

    class Meta:
        verbose_name = _("module")

    def lms_description(self) -> str:
        return self.summary

    def lms_minutes(self) -> None:
        return None

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        lessons = list(LessonPage.objects.live().child_of(self).order_by("path"))
        context["lessons"] = lessons
        context["total_minutes"] = sum(lesson.estimated_minutes for lesson in lessons)
        learner = principal_of(request).profile
        if learner is not None:
            statuses = lesson_statuses(
                learner=learner, lesson_keys=[lesson.translation_key for lesson in lessons]
            )
            context["statuses"] = statuses
            finished = [
                lesson
                for lesson in lessons
                if statuses.get(str(lesson.translation_key)) == "completed"
            ]
            context["done_count"] = len(finished)
            context["started"] = bool(statuses)
            # Where to go on: the first lesson not finished yet.
            context["next_lesson"] = next((ls for ls in lessons if ls not in finished), None)
        return context


class LessonPage(CoursePageBase):
    summary = models.TextField(max_length=400, help_text=_("One sentence: what you will learn."))
    estimated_minutes = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    body = StreamField(LessonStreamBlock())

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        SEARCH_WORDS,
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []
    lms_activity_type = ActivityType.LESSON
    navigates_siblings = True

    class Meta:
        verbose_name = _("lesson")

    def lms_description(self) -> str:
        return self.summary

    def lms_minutes(self) -> int:
        return self.estimated_minutes

    def lesson_images(self) -> list:
        """The pictures the lesson shows (figures and step screenshots), in one query."""
        ids = []
        for raw in self.body.raw_data:
            if raw["type"] == "image":
                ids.append(raw["value"].get("image"))
            elif raw["type"] == "steps":
                ids.extend(step["value"].get("screenshot") for step in raw["value"]["steps"])
        return list(get_image_model().objects.filter(id__in=[i for i in ids if i]))

    @cached_property
    def has_recorded_audio(self) -> bool:
        """An editor attached a recording: it is the lesson's voice, not the phone's."""
        return any(
            raw["type"] == "media" and raw["value"].get("kind") == "audio"
            for raw in self.body.raw_data
        )

    def lms_questions(self) -> list[Question]:
        # Index the questions only: iterating the whole stream would also load its images.
        positions = [i for i, raw in enumerate(self.body.raw_data) if raw["type"] == "question"]
        return [self.body[i].value.as_question(self.body[i].id) for i in positions]

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        learner = principal_of(request).profile
        context["learner"] = learner
        # Rendered into the finish form: sending it twice records one event.
        context["finish_event_id"] = uuid.uuid4()
        if (
            learner is not None
            and request.method == "GET"
            and not getattr(request, "is_preview", False)
            # Saving a module for offline fetches its lessons: that is not reading them.
            and not request.headers.get("X-Puente-Save")
        ):
            context["progress"] = lesson_forms.lesson_visit(
                learner=learner, lesson_key=self.translation_key
            )
        return context

    def serve(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            # Imported here: courses.offline, which it reads, imports these models.
            from courses.conditional import etag_for, lesson_validator, not_modified
            from courses.page_cache import cacheable
            from courses.page_shell import render_page, shell_key

            validator = lesson_validator(self, request)
            etag = etag_for(validator, request)
            unchanged = not_modified(request, etag)
            if unchanged is not None:
                return unchanged
            key = shell_key(self, request)
            if key is not None:
                request.is_preview = False
                context = self.get_context(request, *args, **kwargs)
                return render_page(request, self.get_template(request), context, key)
            response = super().serve(request, *args, **kwargs)
            return cacheable(response, validator, etag)
        learner = principal_of(request).profile
        if request.POST.get("action") == "finish":
            if learner is None:
                return redirect(f"{reverse('lms:login')}?next={self.get_url(request)}")
            post = lesson_forms.lesson_finish(
                request=request, learner=learner, lesson_key=self.translation_key
            )
            if post.outcome is not None and not post.outcome.unanswered_question_ids:
                messages.success(
                    request, _("Well done! You finished “%(title)s”.") % {"title": self.title}
                )
                return redirect(self._after_finish_url(request))
        else:
            post = lesson_forms.lesson_answer(
                request=request,
                learner=learner,
                lesson_key=self.translation_key,
                questions=self.lms_questions(),
            )
        context = self.get_context(request)
        context.update(answers=post.answers, form_error=post.error, outcome=post.outcome)
        if post.outcome is not None and post.outcome.unanswered_question_ids:
            # Each named by its place in the lesson ("Question 2"), not in this list.
            number = {q.id: n for n, q in enumerate(self.lms_questions(), start=1)}
            context["unanswered_questions"] = [
                (question_id, number.get(question_id, ""))
                for question_id in post.outcome.unanswered_question_ids
            ]
        if learner is not None:
            context["progress"] = LessonProgress.objects.filter(
                learner=learner, lesson_key=self.translation_key
            ).first()
        return TemplateResponse(request, self.get_template(request), context, status=post.status)

    def _after_finish_url(self, request: HttpRequest) -> str:
        siblings = page_chrome(self, request, with_siblings=True).siblings
        if siblings and siblings.next:
            return siblings.next.url
        return self.get_parent().get_url(request)
