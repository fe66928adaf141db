"""Course content as Wagtail pages: Course index -> Course -> Module -> Lesson.

Every page exists per locale; translations of a page share its ``translation_key``, which is how
the LMS plugin identifies a lesson or module whatever the language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index
from wagtail.url_routing import RouteResult

from courses.blocks import INLINE_FEATURES, LessonStreamBlock
from courses.navigation import page_chrome
from lms.activities import Grade, InvalidAnswer, Question, grade_answer

if TYPE_CHECKING:
    from collections.abc import Sequence


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

    def get_view_restrictions(self):
        """Wagtail's rule in one query instead of one per alias among the ancestors.

        Restrictions set on this page or any ancestor apply; an alias page (an untranslated
        page shown in another language) uses the restrictions of the page it mirrors.
        """
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
    search_fields = Page.search_fields + [index.SearchField("intro")]
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
        page = Page.objects.live().filter(url_path=url_path).specific().first()
        if page is None:
            return super().route(request, path_components)
        return RouteResult(page)

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = (
            CoursePage.objects.live().child_of(self).select_related("cover_image").order_by("path")
        )
        return context


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone in the family")
    CAREGIVERS = "caregivers", _("Parents and caregivers")
    CHILDREN = "children", _("Children")


class CoursePage(CoursePageBase):
    summary = models.TextField(max_length=400)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    estimated_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1)], help_text=_("About how long it takes.")
    )
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
        FieldPanel("estimated_minutes"),
        FieldPanel("cover_image"),
        FieldPanel("learning_outcomes"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("course")

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
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("module")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        lessons = list(LessonPage.objects.live().child_of(self).order_by("path"))
        context["lessons"] = lessons
        context["total_minutes"] = sum(lesson.estimated_minutes for lesson in lessons)
        return context


@dataclass(frozen=True)
class AnswerState:
    """What the learner sees under a question after submitting it."""

    grade: Grade | None = None
    error: str = ""


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
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")

    def questions(self) -> list[Question]:
        return [
            child.value.as_question(child.id)
            for child in self.body
            if child.block_type == "question"
        ]

    navigates_siblings = True

    def serve(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            return self.serve_answer(request)
        return super().serve(request, *args, **kwargs)

    def serve_answer(self, request: HttpRequest) -> HttpResponse:
        """Grade a submitted question and show its feedback: the no-JavaScript path."""
        question_id = request.POST.get("question", "")
        question = next((q for q in self.questions() if q.id == question_id), None)
        status = 200
        if question is None:
            answers = {}
            status = 400
            error = _("That question is not part of this lesson. Please try again.")
        else:
            try:
                state = AnswerState(grade=grade_answer(question, request.POST.getlist("choice")))
            except InvalidAnswer:
                status = 400
                state = AnswerState(error=_("Choose an answer, then press “Check my answer”."))
            answers = {question.id: state}
            error = ""
        context = self.get_context(request)
        context.update(answers=answers, form_error=error)
        return TemplateResponse(request, self.get_template(request), context, status=status)
