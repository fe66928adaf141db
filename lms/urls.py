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


learner_urlpatterns = [
    path("accounts/sign-in/", accounts.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", accounts.SignOutView.as_view(), name="logout"),
    path("accounts/sign-up/", accounts.SignUpView.as_view(), name="signup"),
    path("accounts/welcome/", accounts.welcome, name="welcome"),
    path("accounts/language/", accounts.language_choose, name="language"),
    path("accounts/forgot/", recovery.forgot, name="forgot"),
    path("accounts/recover/", recovery.recover, name="recover"),
    path("accounts/password-reset/", recovery.PasswordResetView.as_view(), name="password-reset"),
    path(
        "accounts/password-reset/sent/",
        recovery.PasswordResetSentView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        recovery.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "accounts/password-reset/done/",
        recovery.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("privacy/", account.privacy, name="privacy"),
    path("learn/account/", account.account, name="account"),
    path("learn/account/password/", account.password_change, name="password-change"),
    path("learn/account/recovery-code/", account.recovery_code_new, name="recovery-code"),
    path("learn/account/data.json", account.account_export, name="account-export"),
    path("learn/account/delete/", account.account_delete, name="account-delete"),
    path("learn/who/forgot-pin/", recovery.pin_forgot, name="pin-forgot"),
    path("learn/", learning.home, name="home"),
    path("learn/progress/", learning.my_progress, name="progress"),
    path("learn/who/", learning.who_is_learning, name="who"),
    path("learn/join/", learning.join_class, name="join"),
    path("learn/help/", help.help_ask, name="help"),
    path("help/", help.help_places, name="help-places"),
    path("learn/household/", household.household, name="household"),
    path("learn/household/<int:child_id>/delete/", household.child_delete, name="child-delete"),
    path("learn/household/<int:child_id>/data.json", household.child_export, name="child-export"),
    path("teach/", teach_classes.classes, name="classes"),
    path("teach/activity/", teach_classes.activity, name="activity"),
    path("teach/help/", teach_help.queue, name="help-queue"),
    path("teach/help/desk/", teach_help.desk, name="help-desk"),
    path("teach/help/<int:help_request_id>/", teach_help.request_page, name="help-request"),
    path("teach/integrations/", integrations.integrations, name="integrations"),
    path(
        "teach/integrations/<int:token_id>/revoke/",
        integrations.integration_revoke,
        name="integration-revoke",
    ),
    path("teach/classes/<int:classroom_id>/", teach_classes.class_page, name="class"),
    path(
        "teach/classes/<int:classroom_id>/settings/",
        teach_classes.class_settings,
        name="class-settings",
    ),
    path("teach/classes/<int:classroom_id>/sheet/", teach_classes.sign_in_sheet, name="sheet"),
    path("teach/classes/<int:classroom_id>/qr.svg", teach_classes.qr_code, name="qr"),
    path("teach/classes/<int:classroom_id>/export.csv", teach_classes.export_csv, name="export"),
    path("teach/classes/<int:classroom_id>/assign/", teach_assignments.assign, name="assign"),
    path(
        "teach/classes/<int:classroom_id>/assignments/<int:assignment_id>/",
        teach_assignments.assignment_page,
        name="assignment",
    ),
    path(
        "teach/classes/<int:classroom_id>/assignments/<int:assignment_id>/delete/",
        teach_assignments.assignment_remove,
        name="assignment-delete",
    ),
    path("teach/classes/<int:classroom_id>/learners/", teach_learners.learners, name="learners"),
    path(
        "teach/classes/<int:classroom_id>/learners/<int:learner_id>/",
        teach_learners.learner_page,
        name="learner",
    ),
    path(
        "teach/classes/<int:classroom_id>/learners/<int:learner_id>/password/",
        teach_learners.learner_password,
        name="learner-password",
    ),
    path(
        "teach/classes/<int:classroom_id>/learners/<int:learner_id>/remove/",
        teach_learners.learner_remove,
        name="learner-remove",
    ),
    path(
        "teach/classes/<int:classroom_id>/messages/",
        teach_messages.class_messages,
        name="messages",
    ),
    path(
        "teach/classes/<int:classroom_id>/messages/<int:message_id>/delete/",
        teach_messages.class_message_remove,
        name="message-delete",
    ),
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
