from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.urls import serve_pattern

from courses import health, observability, offline, routing
from courses.admin_login import AdminLoginView
from courses.media import serve_media
from courses.search.views import search

handler400 = "courses.errors.bad_request"
handler500 = "courses.errors.server_error"

urlpatterns = [
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("metrics", observability.metrics, name="metrics"),
    # Before Wagtail's own admin URLs, so that this sign-in (with rate limits) answers.
    path("admin/login/", AdminLoginView.as_view(), name="wagtailadmin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # The plugin: its API, LTI endpoints, join links, and its pages under each language.
    path("", include("lms.urls")),
    path("sw.js", offline.service_worker, name="service-worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("icons/icon-<int:size>.png", offline.icon, name="icon"),
    path("offline-pack/<int:module_id>/", offline.offline_pack, name="offline-pack"),
]

if settings.PUENTE_SERVE_MEDIA:
    # Laptops, school servers and tests; behind a web server or object storage, turn it off.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$",
            serve_media,
        )
    ]

# Every learner-facing URL carries its language (/en/..., /es/...); "/" redirects to the
# language the browser asks for (LocaleMiddleware reads Accept-Language).
urlpatterns += i18n_patterns(
    path("offline/", offline.offline_page, name="offline"),
    path("data-saver/", offline.data_saver, name="data-saver"),
    path("search/", search, name="search"),
    # Wagtail's page view with its per-request site and home lookups remembered, under
    # Wagtail's own pattern and name (its include below keeps its other views).
    re_path(serve_pattern, routing.serve, name="wagtail_serve"),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
