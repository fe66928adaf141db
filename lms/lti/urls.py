"""LTI endpoints, at fixed addresses (platforms are configured with them): not language-prefixed."""

from django.urls import path
from lti_tool.views import jwks

from lms.lti import views

app_name = "lti"

urlpatterns = [
    path("lti/login/<uuid:registration_uuid>/", views.LoginInitView.as_view(), name="login"),
    path("lti/launch/", views.LaunchView.as_view(), name="launch"),
    path("lti/deep-link/", views.deep_link_return, name="deep-link"),
    path("lti/roster/", views.roster_sync, name="roster"),
    path(".well-known/jwks.json", jwks, name="jwks"),
]
