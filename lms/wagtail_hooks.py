from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lms.admin_views import (
    HelpDeskViewSet,
    LanguagesView,
    LrsEndpointViewSet,
    SchoolViewSet,
    StaffRoleViewSet,
    delivery_status,
)


@hooks.register("register_admin_viewset")
def register_lrs_endpoints():
    return LrsEndpointViewSet("lrs_endpoints")


@hooks.register("register_admin_viewset")
def register_schools():
    return SchoolViewSet("schools")


@hooks.register("register_admin_viewset")
def register_help_desks():
    return HelpDeskViewSet("help_desks")


@hooks.register("register_admin_viewset")
def register_staff_roles():
    return StaffRoleViewSet("staff_roles")


@hooks.register("register_admin_urls")
def register_delivery_url():
    admin_urls = [
        path("xapi/delivery/", delivery_status, name="xapi-delivery"),
        path("languages/", LanguagesView.as_view(), name="languages"),
    ]
    return [path("", include((admin_urls, "lms_admin")))]


class AdministratorMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_delivery_menu_item():
    return AdministratorMenuItem(
        _("xAPI delivery"),
        reverse("lms_admin:xapi-delivery"),
        icon_name="resubmit",
        order=900,
    )


@hooks.register("register_settings_menu_item")
def register_languages_menu_item():
    return MenuItem(_("Languages"), reverse("lms_admin:languages"), icon_name="globe", order=910)
