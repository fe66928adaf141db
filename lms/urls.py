"""The plugin's learner- and educator-facing URLs; a site includes them in i18n_patterns."""

from django.urls import path

from lms.views import accounts, household, integrations, learning, teaching

app_name = "lms"

urlpatterns = [
    path("accounts/sign-in/", accounts.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", accounts.SignOutView.as_view(), name="logout"),
    path("accounts/sign-up/", accounts.SignUpView.as_view(), name="signup"),
    path("learn/", learning.home, name="home"),
    path("learn/progress/", learning.my_progress, name="progress"),
    path("learn/who/", learning.who_is_learning, name="who"),
    path("learn/join/", learning.join_class, name="join"),
    path("learn/household/", household.household, name="household"),
    path("learn/household/<int:child_id>/delete/", household.child_delete, name="child-delete"),
    path("learn/household/<int:child_id>/data.json", household.child_export, name="child-export"),
    path("teach/", teaching.classes, name="classes"),
    path("teach/integrations/", integrations.integrations, name="integrations"),
    path(
        "teach/integrations/<int:token_id>/revoke/",
        integrations.integration_revoke,
        name="integration-revoke",
    ),
    path("teach/classes/<int:classroom_id>/", teaching.class_page, name="class"),
    path("teach/classes/<int:classroom_id>/assign/", teaching.assign, name="assign"),
    path("teach/classes/<int:classroom_id>/learners/", teaching.learners, name="learners"),
    path("teach/classes/<int:classroom_id>/sheet/", teaching.sign_in_sheet, name="sheet"),
    path("teach/classes/<int:classroom_id>/qr.svg", teaching.qr_code, name="qr"),
    path("teach/classes/<int:classroom_id>/export.csv", teaching.export_csv, name="export"),
]

xapi_urlpatterns = [
    path(
        "xapi/activities/<str:activity_type>/<uuid:key>",
        accounts.activity_metadata,
        name="xapi-activity",
    ),
]
