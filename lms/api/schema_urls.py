"""Only Puente's own endpoints, mounted where they are served, for the OpenAPI schema (so that
it does not walk Wagtail's or wagtail-localize's views, nor the schema views themselves)."""

from django.urls import include, path

from lms.api.urls import endpoints

urlpatterns = [path("api/v1/", include((endpoints, "api")))]
