"""School administrators' page for integration tokens: issue one (shown once), see when each
was last used, revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lms.access import administered_schools, principal_of
from lms.models import IntegrationToken, School
from lms.selectors.integrations import integration_tokens_for
from lms.services.integrations import (
    IntegrationTokenError,
    integration_token_issue,
    integration_token_revoke,
)
from lms.views.access import school_admin


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Integration name"),
        max_length=120,
        help_text=gettext_lazy("For example: District learning record store."),
    )
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=gettext_lazy("School"))
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("What it may do"),
        choices=IntegrationToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )


@school_admin
def integrations(request: HttpRequest) -> HttpResponse:
    schools = administered_schools(principal_of(request))
    form = TokenForm(request.POST or None, initial={"school": schools.first()})
    form.fields["school"].queryset = schools
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = integration_token_issue(
                school=form.cleaned_data["school"],
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                created_by=request.user,
            )
        except IntegrationTokenError as error:
            form.add_error(None, str(error))
        else:
            form = TokenForm(initial={"school": form.cleaned_data["school"]})
            form.fields["school"].queryset = schools
    response = render(
        request,
        "lms/teach/integrations.html",
        {
            "tokens": integration_tokens_for(schools),
            "form": form,
            "issued": issued,
        },
        status=400 if request.method == "POST" and issued is None else 200,
    )
    if issued is not None:  # the secret is in this page only: no cache may keep it
        add_never_cache_headers(response)
    return response


@school_admin
@require_POST
def integration_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    schools = administered_schools(principal_of(request))
    token = get_object_or_404(integration_tokens_for(schools), pk=token_id)
    integration_token_revoke(token=token, revoked_by=request.user)
    messages.success(request, _("%(name)s can no longer use its token.") % {"name": token.name})
    return redirect("lms:integrations")
