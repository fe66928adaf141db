"""Getting back in: with the recovery code from sign-up, with an email link (for those who gave
an email), with the caregiver's password when the household PIN is forgotten, and, for class
learners, from their educator (a new password on a new sign-in card, see teaching views)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.access import Audience, household_of, principal_of, profile_switch
from lms.conf import lms_setting
from lms.ratelimits import SIGN_IN, form_refused, minutes_to_wait, sign_in_wait_message
from lms.services.accounts import AccountError, account_recover
from lms.services.households import HouseholdError, household_pin_reset
from lms.views.access import anyone, signed_in
from lms.views.accounts import NEW_RECOVERY_CODE_SESSION_KEY

PIN_RESET = [("user", "RATE_SIGN_IN_PER_USERNAME"), ("ip", "RATE_SIGN_IN_PER_ADDRESS")]
EMAIL_RESET = [("ip", "RATE_SIGN_IN_PER_ADDRESS")]


@anyone
def forgot(request: HttpRequest) -> HttpResponse:
    """The ways back in, in plain words."""
    return render(request, "lms/recovery/forgot.html", {"email_reset": email_reset_offered()})


def email_reset_offered() -> bool:
    return lms_setting("EMAIL_RESET")


class EmailResetOffered:
    """The email way back in exists only where the site can send email."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not email_reset_offered():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class RecoverForm(SetPasswordMixin, forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    code = forms.CharField(
        label=gettext_lazy("Recovery code"),
        max_length=40,
        help_text=gettext_lazy("The code you wrote down when you made your account."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=gettext_lazy("New password"), label2=gettext_lazy("New password again")
    )

    def clean(self) -> dict:
        self.validate_passwords()
        return super().clean()


@anyone
def recover(request: HttpRequest) -> HttpResponse:
    """A new password with the recovery code; the code is used up and a new one shown."""
    form = RecoverForm(request.POST or None)
    if request.method == "POST":
        minutes = minutes_to_wait(request, "sign-in", SIGN_IN)
        if minutes:
            form = form_refused(RecoverForm(request.POST), sign_in_wait_message(minutes))
            return render(request, "lms/recovery/recover.html", {"form": form}, status=429)
        if form.is_valid():
            try:
                user, new_code = account_recover(
                    username=form.cleaned_data["username"],
                    code=form.cleaned_data["code"],
                    password=form.cleaned_data["password1"],
                )
            except AccountError as error:
                form.add_error(None, str(error))
            else:
                login(request, user, backend="lms.backends.LearnerModelBackend")
                request.session[NEW_RECOVERY_CODE_SESSION_KEY] = new_code
                messages.success(request, _("Your new password is ready."))
                return redirect("lms:welcome")
    return render(
        request,
        "lms/recovery/recover.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


class PinResetForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("The grown-up's password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    pin = forms.CharField(
        label=gettext_lazy("New PIN (4 to 8 digits)"),
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
    )


@signed_in
def pin_forgot(request: HttpRequest) -> HttpResponse:
    """The household's PIN forgotten (a child's profile may be open): the caregiver's own
    password sets a new one, and brings the caregiver's profile back."""
    household = household_of(request.user)
    if household is None:
        return redirect("lms:home")
    form = PinResetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        minutes = minutes_to_wait(request, "pin-reset", PIN_RESET)
        if minutes:
            form = form_refused(PinResetForm(request.POST), sign_in_wait_message(minutes))
            status = 429
        elif form.is_valid():
            try:
                household_pin_reset(
                    household=household,
                    password=form.cleaned_data["password"],
                    pin=form.cleaned_data["pin"],
                )
            except HouseholdError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                profile_switch(request, principal_of(request).own_profile)
                messages.success(request, _("The new PIN is ready."))
                return redirect("lms:household")
        else:
            status = 400
    return render(request, "lms/recovery/pin_forgot.html", {"form": form}, status=status)


# Email: Django's own password reset, in Puente's pages and words.


class PasswordResetView(EmailResetOffered, auth_views.PasswordResetView):
    audience = Audience.ANYONE
    template_name = "lms/recovery/email_form.html"
    email_template_name = "lms/recovery/email.txt"
    subject_template_name = "lms/recovery/email_subject.txt"
    success_url = reverse_lazy("lms:password-reset-sent")

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Each request sends an email: no more from one network than sign-ins.
        minutes = minutes_to_wait(request, "password-reset", EMAIL_RESET)
        if minutes:
            form = form_refused(self.get_form(), sign_in_wait_message(minutes))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetSentView(EmailResetOffered, auth_views.PasswordResetDoneView):
    audience = Audience.ANYONE
    template_name = "lms/recovery/email_sent.html"


class PasswordResetConfirmView(EmailResetOffered, auth_views.PasswordResetConfirmView):
    audience = Audience.ANYONE
    template_name = "lms/recovery/email_confirm.html"
    success_url = reverse_lazy("lms:password-reset-complete")
    post_reset_login = True
    post_reset_login_backend = "lms.backends.LearnerModelBackend"


class PasswordResetCompleteView(EmailResetOffered, auth_views.PasswordResetCompleteView):
    audience = Audience.ANYONE
    template_name = "lms/recovery/email_complete.html"
