"""Which page can live where, and what an editor must fill in."""

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage


class PageTreeRulesTests(WagtailPageTestCase):
    def test_catalog_sits_at_the_top_of_the_tree(self):
        self.assertAllowedParentPageTypes(CourseIndexPage, {Page})
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})

    def test_course_only_in_a_catalog_and_holds_modules(self):
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})

    def test_module_only_in_a_course_and_holds_lessons(self):
        self.assertAllowedParentPageTypes(ModulePage, {CoursePage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage})

    def test_lesson_only_in_a_module_and_holds_nothing(self):
        self.assertAllowedParentPageTypes(LessonPage, {ModulePage})
        self.assertAllowedSubpageTypes(LessonPage, set())

    def test_lesson_cannot_be_created_under_a_course(self):
        self.assertCanNotCreateAt(CoursePage, LessonPage)
        self.assertCanNotCreateAt(CourseIndexPage, ModulePage)


@pytest.mark.django_db
class TestEditorCreatesPages(WagtailPageTestCase):
    def test_editor_can_create_a_lesson_with_blocks_in_the_admin(self):
        from tests.factories import build_course_tree

        tree = build_course_tree(modules=1, lessons_per_module=1, translate_to=())
        self.login()
        self.assertCanCreate(
            tree.modules[0],
            LessonPage,
            {
                "title": "Using a hotspot",
                "slug": "using-a-hotspot",
                "summary": "Share your phone's internet.",
                "estimated_minutes": "5",
                "body-count": "1",
                "body-0-type": "callout",
                "body-0-deleted": "",
                "body-0-order": "0",
                "body-0-value-kind": "tip",
                "body-0-value-title": "",
                "body-0-value-text": "A hotspot uses your data.",
            },
        )
