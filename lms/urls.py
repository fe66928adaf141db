"""The plugin's learner-facing URLs; a site includes them inside i18n_patterns."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from lms import views

app_name = "lms"

urlpatterns = [
    path("accounts/sign-in/", views.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", LogoutView.as_view(), name="logout"),
    path("accounts/sign-up/", views.SignUpView.as_view(), name="signup"),
    path("learn/progress/", views.my_progress, name="progress"),
]

xapi_urlpatterns = [
    path(
        "xapi/activities/<str:activity_type>/<uuid:key>",
        views.activity_redirect,
        name="xapi-activity",
    ),
]
