"""The plugin's system checks (lms/checks.py) name what a host site got wrong, at start-up."""

from __future__ import annotations

from django.db import models
from django.test.utils import isolate_apps
from wagtail.models import Page

from lms.activities import ActivityType
from lms.checks import activity_problems, check_activities, check_settings, check_urls


def ids(problems: list) -> list[str]:
    return [problem.id for problem in problems]


def test_this_site_passes_every_check():
    assert check_activities() == []
    assert check_settings() == []
    assert check_urls() == []


@isolate_apps("courses")
def test_a_page_model_that_breaks_the_activity_interface_is_named():
    class Lesson(Page):
        class Meta:
            app_label = "courses"

        lms_activity_type = ActivityType.LESSON

        def lms_description(self) -> str:
            return ""

        def lms_minutes(self) -> int:
            return 5

    class Quiz(Page):
        class Meta:
            app_label = "courses"

        lms_activity_type = "quiz"

    class Course(Page):
        class Meta:
            app_label = "courses"

        lms_activity_type = ActivityType.COURSE
        lms_description = models.TextField()  # a field, not a method

        def lms_minutes(self) -> None:
            return None

    problems = activity_problems([Lesson, Quiz, Course])
    assert ids(problems) == ["lms.E002", "lms.E001", "lms.E002"]
    assert "without lms_questions()" in problems[0].msg
    assert "'quiz'" in problems[1].msg
    assert "without lms_description()" in problems[2].msg


def test_settings_a_host_must_set(settings):
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    settings.REST_FRAMEWORK = {}
    settings.LOGIN_URL = "/accounts/login/"
    settings.RATELIMIT_IP_META_KEY = None
    assert ids(check_settings()) == ["lms.E010", "lms.W011", "lms.W012", "lms.W013"]


def test_a_host_without_language_prefixes_is_told(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "LocaleMiddleware" not in m]
    assert ids(check_urls()) == ["lms.E014"]


# The root URL conf of a host with no language prefixes (the test below points to it).
urlpatterns: list = []


def test_a_host_whose_pages_carry_no_language_is_told(settings):
    settings.ROOT_URLCONF = __name__
    assert ids(check_urls()) == ["lms.E015"]
