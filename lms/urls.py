"""Every address of the plugin, for one ``path("", include("lms.urls"))`` in a host's root URL
conf (namespace ``lms``):

- ``/<language>/learn/``, ``/<language>/teach/``, ``/<language>/accounts/``...: the learner and
  educator pages (``lms:home``, ``lms:login``...), under the language the phone reads;
- ``/api/v1/``: the REST API (``lms:api:...``);
- ``/lti/...`` and ``/.well-known/jwks.json``: LTI 1.3 (``lms:lti:...``), at fixed addresses,
  with ``lms.lti`` installed;
- ``/join/<code>/`` and ``/xapi/activities/...``: what a QR code or an LRS links to, not under a
  language (``lms:join-link``, ``lms:xapi-activity``).
"""

from __future__ import annotations

import re

from django.apps import apps
from django.conf import settings
from django.urls import URLResolver, include, path
from django.utils.translation import get_language

from lms.views import (
    account,
    accounts,
    help,
    household,
    integrations,
    learning,
    recovery,
    xapi,
)
from lms.views.teach import assignments as teach_assignments
from lms.views.teach import classes as teach_classes
from lms.views.teach import help as teach_help
from lms.views.teach import learners as teach_learners
from lms.views.teach import messages as teach_messages

app_name = "lms"


class LanguagePrefixPattern:
    """The ``<language>/`` in front of the learner pages, matched as Django's i18n_patterns
    match it: the language LocaleMiddleware activated from the path.

    Django refuses i18n_patterns in an included URL conf, because LocaleMiddleware looks for
    them only in the root one to know that paths carry their language. A Wagtail site with
    more than one language has them there for its pages, and check lms.E014 says when a host
    has not; this pattern lets the plugin's pages live under the same prefix from one include.
    """

    def __init__(self) -> None:
        self.converters: dict = {}  # Django's resolvers read (and merge into) a pattern's own

    @property
    def language_prefix(self) -> str:
        return f"{get_language() or settings.LANGUAGE_CODE}/"

    @property
    def regex(self) -> re.Pattern:
        # Read when URLs are reversed; Django keeps its reverse tables per active language.
        return re.compile(re.escape(self.language_prefix))

    def match(self, path: str):
        prefix = self.language_prefix
        if path.startswith(prefix):
            return path.removeprefix(prefix), (), {}
        return None

    def check(self) -> list:
        return []

    def describe(self) -> str:
        return f"'{self}'"

    def __str__(self) -> str:
        return self.language_prefix


accounts_urlpatterns = [
    path("sign-in/", accounts.SignInView.as_view(), name="login"),
    path("sign-out/", accounts.SignOutView.as_view(), name="logout"),
    path("sign-up/", accounts.SignUpView.as_view(), name="signup"),
    path("welcome/", accounts.welcome, name="welcome"),
    path("language/", accounts.language_choose, name="language"),
    path("forgot/", recovery.forgot, name="forgot"),
    path("recover/", recovery.recover, name="recover"),
    path("password-reset/", recovery.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        recovery.PasswordResetSentView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        recovery.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        recovery.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]

learn_urlpatterns = [
    path("account/", account.account, name="account"),
    path("account/password/", account.password_change, name="password-change"),
    path("account/recovery-code/", account.recovery_code_new, name="recovery-code"),
    path("account/data.json", account.account_export, name="account-export"),
    path("account/delete/", account.account_delete, name="account-delete"),
    path("who/forgot-pin/", recovery.pin_forgot, name="pin-forgot"),
    path("", learning.home, name="home"),
    path("progress/", learning.my_progress, name="progress"),
    path("who/", learning.who_is_learning, name="who"),
    path("join/", learning.join_class, name="join"),
    path("help/", help.help_ask, name="help"),
    path("household/", household.household, name="household"),
    path("household/<int:child_id>/delete/", household.child_delete, name="child-delete"),
    path("household/<int:child_id>/data.json", household.child_export, name="child-export"),
]

teach_urlpatterns = [
    path("", teach_classes.classes, name="classes"),
    path("activity/", teach_classes.activity, name="activity"),
    path("help/", teach_help.queue, name="help-queue"),
    path("help/desk/", teach_help.desk, name="help-desk"),
    path("help/<int:help_request_id>/", teach_help.request_page, name="help-request"),
    path("integrations/", integrations.integrations, name="integrations"),
    path(
        "integrations/<int:token_id>/revoke/",
        integrations.integration_revoke,
        name="integration-revoke",
    ),
    path("classes/<int:classroom_id>/", teach_classes.class_page, name="class"),
    path(
        "classes/<int:classroom_id>/settings/",
        teach_classes.class_settings,
        name="class-settings",
    ),
    path("classes/<int:classroom_id>/sheet/", teach_classes.sign_in_sheet, name="sheet"),
    path("classes/<int:classroom_id>/qr.svg", teach_classes.qr_code, name="qr"),
    path("classes/<int:classroom_id>/export.csv", teach_classes.export_csv, name="export"),
    path("classes/<int:classroom_id>/assign/", teach_assignments.assign, name="assign"),
    path(
        "classes/<int:classroom_id>/assignments/<int:assignment_id>/",
        teach_assignments.assignment_page,
        name="assignment",
    ),
    path(
        "classes/<int:classroom_id>/assignments/<int:assignment_id>/delete/",
        teach_assignments.assignment_remove,
        name="assignment-delete",
    ),
    path("classes/<int:classroom_id>/learners/", teach_learners.learners, name="learners"),
    path(
        "classes/<int:classroom_id>/learners/<int:learner_id>/",
        teach_learners.learner_page,
        name="learner",
    ),
    path(
        "classes/<int:classroom_id>/learners/<int:learner_id>/password/",
        teach_learners.learner_password,
        name="learner-password",
    ),
    path(
        "classes/<int:classroom_id>/learners/<int:learner_id>/remove/",
        teach_learners.learner_remove,
        name="learner-remove",
    ),
    path(
        "classes/<int:classroom_id>/messages/",
        teach_messages.class_messages,
        name="messages",
    ),
    path(
        "classes/<int:classroom_id>/messages/<int:message_id>/delete/",
        teach_messages.class_message_remove,
        name="message-delete",
    ),
]

# Grouped under their first path segment: a lesson's address is tried against these few
# prefixes, not every page's pattern, before Wagtail's page view answers it.
learner_urlpatterns = [
    path("accounts/", include(accounts_urlpatterns)),
    path("privacy/", account.privacy, name="privacy"),
    path("learn/", include(learn_urlpatterns)),
    path("help/", help.help_places, name="help-places"),
    path("teach/", include(teach_urlpatterns)),
]

urlpatterns = [
    path("api/v1/", include("lms.api.urls")),
    # LTI is optional (lms/lti/apps.py): its addresses only with lms.lti installed.
    *([path("", include("lms.lti.urls"))] if apps.is_installed("lms.lti") else []),
    path("join/<str:code>/", accounts.join_link, name="join-link"),
    path(
        "xapi/activities/<str:activity_type>/<uuid:key>",
        xapi.activity_metadata,
        name="xapi-activity",
    ),
    URLResolver(LanguagePrefixPattern(), learner_urlpatterns),
]
