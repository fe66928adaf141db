"""System checks: what a host site must give the plugin, said at start-up (``manage.py
check``) instead of failing later on a learner's phone."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.checks import Error, Tags, Warning, register
from django.middleware.locale import LocaleMiddleware
from django.utils.module_loading import import_string
from wagtail.models import Page

from lms.activities import REQUIRED_METHODS, ActivityType

BACKEND = "lms.backends.LearnerModelBackend"
SCHEMA_CLASS = "lms.api.schema.PuenteAutoSchema"
CLIENT_ADDRESS = "lms.ratelimits.client_address"


@register(Tags.models)
def check_activities(app_configs=None, **kwargs) -> list:
    """Every page model with ``lms_activity_type`` keeps the activity interface
    (lms/activities.py)."""
    configs = app_configs if app_configs is not None else apps.get_app_configs()
    return activity_problems([model for config in configs for model in config.get_models()])


def activity_problems(models: list) -> list:
    problems = []
    for model in models:
        if not issubclass(model, Page) or not hasattr(model, "lms_activity_type"):
            continue
        label = f"{model._meta.label}"
        try:
            activity_type = ActivityType(model.lms_activity_type)
        except ValueError:
            problems.append(
                Error(
                    f"{label}.lms_activity_type is {model.lms_activity_type!r}.",
                    hint="Use lms.activities.ActivityType.COURSE, MODULE or LESSON.",
                    obj=model,
                    id="lms.E001",
                )
            )
            continue
        for method in REQUIRED_METHODS.get(activity_type, ()):
            if not callable(getattr(model, method, None)):
                problems.append(
                    Error(
                        f"{label} is a {activity_type} activity without {method}().",
                        hint="See lms.activities.Activity and LessonActivity (docs/plugin.md).",
                        obj=model,
                        id="lms.E002",
                    )
                )
    return problems


@register()
def check_settings(app_configs=None, **kwargs) -> list:
    """The settings the plugin cannot set for the host."""
    problems = []
    if BACKEND not in getattr(settings, "AUTHENTICATION_BACKENDS", ()):
        problems.append(
            Error(
                f"AUTHENTICATION_BACKENDS does not hold {BACKEND!r}.",
                hint="Children's profiles and LTI sign-ins are signed in with it.",
                id="lms.E010",
            )
        )
    schema_class = getattr(settings, "REST_FRAMEWORK", {}).get("DEFAULT_SCHEMA_CLASS")
    if schema_class != SCHEMA_CLASS:
        problems.append(
            Warning(
                f"REST_FRAMEWORK['DEFAULT_SCHEMA_CLASS'] is {schema_class!r}.",
                hint=f"Set it to {SCHEMA_CLASS!r}, or /api/v1/schema/ cannot be built.",
                id="lms.W011",
            )
        )
    if getattr(settings, "LOGIN_URL", None) != "lms:login":
        problems.append(
            Warning(
                "LOGIN_URL is not 'lms:login'.",
                hint="Pages for signed-in learners send others to the plugin's sign-in.",
                id="lms.W012",
            )
        )
    if getattr(settings, "RATELIMIT_IP_META_KEY", None) != CLIENT_ADDRESS:
        problems.append(
            Warning(
                f"RATELIMIT_IP_META_KEY is not {CLIENT_ADDRESS!r}.",
                hint="Behind a proxy, every phone would share the proxy's rate limits.",
                id="lms.W013",
            )
        )
    return problems


@register(Tags.urls)
def check_urls(app_configs=None, **kwargs) -> list:
    """The plugin's pages carry their language in the path (``/es/learn/``), as Wagtail's do:
    LocaleMiddleware must read it there, which it does when the root URL conf uses
    i18n_patterns."""
    problems = []
    if not any(_is_locale_middleware(path) for path in settings.MIDDLEWARE):
        problems.append(
            Error(
                "MIDDLEWARE holds no django.middleware.locale.LocaleMiddleware (or subclass).",
                hint="Add it after SessionMiddleware: learners read pages in their language.",
                id="lms.E014",
            )
        )
    elif not is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0]:
        problems.append(
            Error(
                "The root URL conf has no i18n_patterns(), so /<language>/learn/ never answers.",
                hint="Put your Wagtail pages in i18n_patterns(..., prefix_default_language=True)"
                " (docs/plugin.md, step 4).",
                id="lms.E015",
            )
        )
    return problems


def _is_locale_middleware(path: str) -> bool:
    try:
        middleware = import_string(path)
    except ImportError:
        return False  # Django's own check names a middleware that does not import.
    return isinstance(middleware, type) and issubclass(middleware, LocaleMiddleware)
