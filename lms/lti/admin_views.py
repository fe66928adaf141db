"""Wagtail admin for LTI: the platforms (LMSs) that launch the plugin's pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from lti_tool.models import LtiDeployment, LtiRegistration
from wagtail.admin.viewsets.model import ModelViewSet

from lms.lti.models import LtiPlatform
from lms.lti.services import lti_registration_configure
from lms.models import School


class LtiRegistrationForm(forms.ModelForm):
    """A platform (LMS) registration with its deployment ids; its school is where synced
    rosters become classes."""

    school = forms.ModelChoiceField(
        queryset=School.objects.all(), required=False, label=_("School")
    )
    auth_url = forms.URLField(assume_scheme="https", label=_("Authentication (OIDC) URL"))
    token_url = forms.URLField(assume_scheme="https", label=_("Access token URL"))
    keyset_url = forms.URLField(assume_scheme="https", label=_("Keyset (JWKS) URL"))
    deployment_ids = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Deployment ids"),
        help_text=_(
            "One per line, as the platform shows them. Launches from any other deployment "
            "are refused; a deployment left out here is turned off, not deleted."
        ),
    )

    class Meta:
        model = LtiRegistration
        fields = ["name", "issuer", "client_id", "auth_url", "token_url", "keyset_url", "is_active"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            platform = LtiPlatform.objects.filter(registration_id=self.instance.pk).first()
            if platform is not None:
                self.fields["school"].initial = platform.school
            self.fields["deployment_ids"].initial = "\n".join(
                LtiDeployment.objects.active()
                .filter(registration_id=self.instance.pk)
                .values_list("deployment_id", flat=True)
            )

    def clean_deployment_ids(self) -> list[str]:
        ids = [line.strip() for line in self.cleaned_data["deployment_ids"].splitlines()]
        too_long = [value for value in ids if len(value) > 255]
        if too_long:
            raise forms.ValidationError(_("A deployment id has at most 255 characters."))
        return list(dict.fromkeys(value for value in ids if value))

    def save(self, commit: bool = True):
        registration = super().save(commit=commit)
        if commit:
            lti_registration_configure(
                registration=registration,
                school=self.cleaned_data.get("school"),
                deployment_ids=self.cleaned_data["deployment_ids"],
            )
        return registration


class LtiRegistrationViewSet(ModelViewSet):
    """LMS platforms that launch Puente. The tool's own addresses to give the platform are
    shown on each registration's page."""

    model = LtiRegistration
    icon = "link"
    menu_label = _("LTI platforms")
    add_to_settings_menu = True
    list_display = ["name", "issuer", "client_id", "is_active"]
    edit_template_name = "lms/admin/lti_registration_edit.html"

    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        return LtiRegistrationForm
