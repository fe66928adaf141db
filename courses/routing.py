"""Wagtail's page view, with the lookups every page repeats kept in each process.

Before it finds a page, Wagtail looks up the site for the request's host, the locale of the
active language and the site's home page in that language: three queries on every page view,
for rows that change perhaps once a year. Here they are kept in memory, under the content
version (bumped whenever a page, a site or a locale is saved or deleted: lms/signals.py), so
a lesson costs only its own lookup by URL path (CourseIndexPage.route).

The home page itself (an empty path) is routed by Wagtail as before: a page object that is
served must be the request's own, never one shared between requests.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.utils.translation import get_language
from wagtail import views as wagtail_views
from wagtail.models import Page, Site

from lms.selectors.activities import content_version

# (content version, host, port, language) -> (site, its home page in that language)
_homes: dict[tuple, tuple[Site, Page] | None] = {}
MOST_REMEMBERED = 256  # hosts x languages; forgotten all at once beyond this (odd Host headers)


def _site_and_home(request: HttpRequest) -> tuple[Site, Page] | None:
    host = split_domain_port(request._get_raw_host())[0]
    key = (content_version(), host, request.get_port(), get_language())
    if key not in _homes:
        if len(_homes) >= MOST_REMEMBERED or any(old[0] != key[0] for old in _homes):
            _homes.clear()
        site = Site.find_for_request(request)
        _homes[key] = (site, site.root_page.localized.specific) if site else None
    return _homes[key]


def serve(request: HttpRequest, path: str) -> HttpResponse:
    components = [component for component in path.split("/") if component]
    found = _site_and_home(request) if components else None
    if found is not None:
        site, home = found
        request._wagtail_site = site
        try:
            request._wagtail_route_for_request = home.route(request, components)
        except Http404:
            request._wagtail_route_for_request = None
    return wagtail_views.serve(request, path)
