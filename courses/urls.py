from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms.urls import xapi_urlpatterns

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("lms.api.urls")),
    *xapi_urlpatterns,
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Every learner-facing URL carries its language (/en/..., /es/...); "/" redirects to the
# language the browser asks for (LocaleMiddleware reads Accept-Language).
urlpatterns += i18n_patterns(
    path("", include("lms.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
