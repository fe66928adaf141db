"""A person's own account: language, password, a new recovery code, their data to download,
and deleting it all. For the grown-up who owns the account, not a child using the phone."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.access import household_for, principal_of
from lms.i18n import home_url
from lms.services.accounts import (
    AccountError,
    account_data_export,
    account_erase,
    recovery_code_issue,
)
from lms.views.access import anyone, grown_up
from lms.views.accounts import NEW_RECOVERY_CODE_SESSION_KEY


@grown_up
def account(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    return render(
        request,
        "lms/account/account.html",
        {
            "username": principal.user.get_username(),
            "learner": principal.profile,
            "household": household_for(principal),
        },
    )


@grown_up
@require_POST
def recovery_code_new(request: HttpRequest) -> HttpResponse:
    """A new recovery code (the old one stops working), shown once on the welcome page."""
    request.session[NEW_RECOVERY_CODE_SESSION_KEY] = recovery_code_issue(user=request.user)
    return redirect("lms:welcome")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "lms/account/password.html"
    success_url = reverse_lazy("lms:account")

    def form_valid(self, form) -> HttpResponse:
        messages.success(self.request, _("Your password is changed."))
        return super().form_valid(form)


password_change = grown_up(PasswordChangeView.as_view())


@grown_up
def account_export(request: HttpRequest) -> HttpResponse:
    """Everything Puente keeps about me (and my children's profiles), as a file."""
    principal = principal_of(request)
    data = account_data_export(user=principal.user, learner=principal.own_profile)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="puente-my-data.json"'
    return response


class DeleteForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password, to be sure it is you"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@grown_up
def account_delete(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_erase(user=principal.user, password=form.cleaned_data["password"])
        except AccountError as error:
            form.add_error("password", str(error))
        else:
            language = get_language()
            logout(request)
            messages.success(request, _("Your account and everything about it are deleted."))
            return redirect(home_url(language))
    return render(
        request,
        "lms/account/delete.html",
        {"form": form, "household": household_for(principal)},
        status=400 if request.method == "POST" else 200,
    )


@anyone
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "lms/privacy.html")
