from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # 4. Every address of the plugin: its pages under each language, the API, LTI, join links.
    path("", include("lms.urls")),
]
# 4. The site's own pages carry their language too, which tells LocaleMiddleware to read it.
urlpatterns += i18n_patterns(
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
