"""Wagtail admin: LRS endpoints, what is waiting, what was rejected, and replay."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from lms.models import HelpDesk, LrsEndpoint, School, StaffRole, StatementDelivery
from lms.selectors.languages import language_statuses
from lms.selectors.xapi import dead_letters, endpoint_stats, statements_waiting_for_an_lrs
from lms.services.xapi import deliveries_replay, endpoint_resume, endpoints_sync_from_settings


class LrsEndpointForm(forms.ModelForm):
    url = forms.URLField(
        assume_scheme="https",
        label=_("Address"),
        help_text=_("The xAPI base address, for example https://lrs.example.org/xAPI/"),
    )
    # Write-only: the saved password is never put back into the page.
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        required=False,
        label=_("Password"),
    )

    class Meta:
        model = LrsEndpoint
        fields = ["name", "key", "url", "username", "password", "enabled"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.pop("password", None)
        if self.instance.pk and self.instance.password:
            self.fields["password"].help_text = _(
                "A password is saved (encrypted). Leave this empty to keep it."
            )

    def clean_password(self) -> str:
        # Empty keeps the saved password; there is no way to read it back, only to replace it.
        return self.cleaned_data["password"] or self.instance.password


class LrsEndpointViewSet(ModelViewSet):
    model = LrsEndpoint
    icon = "site"
    menu_label = _("LRS endpoints")
    add_to_settings_menu = True
    list_display = ["name", "key", "url", "enabled", "paused_at"]

    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        # Wagtail's ModelViewSet builds its own form unless this says which (form_class alone
        # is not read).
        return LrsEndpointForm


class SchoolViewSet(ModelViewSet):
    model = School
    icon = "home"
    menu_label = _("Schools")
    add_to_settings_menu = True
    form_fields = ["name"]
    list_display = ["name", "created_at"]


class StaffRoleViewSet(ModelViewSet):
    """Who is an educator or a school administrator (they then see /teach/)."""

    model = StaffRole
    icon = "user"
    menu_label = _("Educators, administrators and helpers")
    add_to_settings_menu = True
    form_fields = ["user", "school", "role"]
    list_display = ["user", "school", "role"]


class HelpDeskForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("written in"), choices=settings.LANGUAGES)

    class Meta:
        model = HelpDesk
        fields = ["school", "phone", "hours", "language", "is_site_default"]


class HelpDeskViewSet(ModelViewSet):
    """Each school's help desk; the operator chooses which one answers families in no class
    (school administrators edit their own desk's hours and places on the teach pages)."""

    model = HelpDesk
    icon = "help"
    menu_label = _("Help desks")
    add_to_settings_menu = True
    list_display = ["school", "phone", "hours", "is_site_default"]

    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        return HelpDeskForm


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    """A page of the plugin's own in the Wagtail admin, its title as the last breadcrumb."""

    def get_breadcrumbs_items(self) -> list[dict]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]


class DeliveryStatusView(AdminPage):
    template_name = "lms/admin/delivery.html"
    page_title = _("xAPI delivery")
    header_icon = "resubmit"

    def get_context_data(self, **kwargs) -> dict:
        endpoints_sync_from_settings()
        context = super().get_context_data(**kwargs)
        context.update(
            stats=endpoint_stats(),
            waiting=statements_waiting_for_an_lrs(),
            dead=dead_letters(),
            now=timezone.now(),
        )
        return context


class LanguagesView(AdminPage):
    """Every interface language, and whether a speaker has reviewed its translation."""

    template_name = "lms/admin/languages.html"
    page_title = _("Languages")
    header_icon = "globe"

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "languages": language_statuses()}


@require_admin_access
def delivery_status(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        messages.error(request, _("Only administrators can see xAPI delivery."))
        return redirect("wagtailadmin_home")
    if request.method == "POST":
        return _delivery_action(request)
    return DeliveryStatusView.as_view()(request)


def _posted_ids(request: HttpRequest, name: str) -> list[int]:
    """The ids the form posted under ``name``; anything but numbers is a tampered form (400)."""
    try:
        return [int(value) for value in request.POST.getlist(name)]
    except ValueError:
        raise BadRequest(f"{name} must be numbers") from None


def _delivery_action(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action")
    if action == "resume":
        endpoint = get_object_or_404(LrsEndpoint, pk__in=_posted_ids(request, "endpoint")[:1])
        endpoint_resume(endpoint=endpoint)
        messages.success(request, _("Sending to %(name)s again.") % {"name": endpoint.name})
    elif action in ("replay", "replay-all"):
        chosen = None
        if action == "replay":
            chosen = StatementDelivery.objects.filter(pk__in=_posted_ids(request, "delivery"))
        count = deliveries_replay(deliveries=chosen)
        message = ngettext(
            "%(count)d statement queued again.", "%(count)d statements queued again.", count
        )
        messages.success(request, message % {"count": count})
    return redirect("lms_admin:xapi-delivery")
