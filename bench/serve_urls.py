"""The site's URLs plus a minimal view, the baseline bench/load.py compares with."""

from django.http import HttpResponse
from django.urls import path

from courses.urls import urlpatterns as site_urlpatterns


def minimal_view(request):
    return HttpResponse("<!doctype html><title>ok</title><p>ok</p>")


urlpatterns = [path("bench/minimal/", minimal_view), *site_urlpatterns]
