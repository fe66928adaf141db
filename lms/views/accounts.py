"""Accounts: sign up (no email needed), sign in and out, the welcome with a recovery code, and
the language a person reads in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.generic import FormView

from lms.access import Audience, has_school_role, principal_of
from lms.forms import SignupForm
from lms.i18n import LANGUAGE_COOKIE, home_url, path_in_language, preferred_language
from lms.ratelimits import SIGN_IN, SIGN_UP, minutes_to_wait, sign_in_wait_message
from lms.services.accounts import learner_language_set, recovery_code_issue
from lms.services.learners import learner_for_user, learner_sign_up
from lms.views.access import anyone, signed_in

NEW_RECOVERY_CODE_SESSION_KEY = "puente_new_recovery_code"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 60 * 60


def safe_next_url(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def landing_url(request: HttpRequest, user, next_url: str = "") -> str:
    """Where a person goes after signing in: where they were going, or their own start page
    (educators their classes, families their to-do list), in the language they chose."""
    language = learner_for_user(user=user).preferred_language or get_language()
    if next_url:
        return path_in_language(request, next_url, language)
    with translation.override(language):
        return reverse("lms:classes" if has_school_role(user) else "lms:home")


class SignInView(LoginView):
    audience = Audience.ANYONE
    template_name = "lms/sign_in.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        minutes = minutes_to_wait(request, "sign-in", SIGN_IN)
        if minutes:
            # The same answer whether or not the username exists, and no password is checked.
            form = self.get_form_class()(
                request, initial={"username": request.POST.get("username")}
            )
            return too_many(self, form, sign_in_wait_message(minutes))
        return super().post(request, *args, **kwargs)

    def get_success_url(self) -> str:
        return landing_url(self.request, self.request.user, self.get_redirect_url())


class SignOutView(LogoutView):
    """Sign out (a POST), then the site's home in the same language, saying so.

    Signing out also ends a child's profile on a shared phone: the session is gone.
    """

    audience = Audience.ANYONE

    def get_default_redirect_url(self) -> str:
        return home_url(get_language())

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You signed out. See you soon!"))
        return response


class SignUpView(FormView):
    audience = Audience.ANYONE
    template_name = "lms/sign_up.html"
    form_class = SignupForm

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        minutes = minutes_to_wait(request, "sign-up", SIGN_UP)
        if minutes:
            message = ngettext(
                "Many accounts were just made from this network. Please wait %(minutes)d "
                "minute and try again.",
                "Many accounts were just made from this network. Please wait %(minutes)d "
                "minutes and try again.",
                minutes,
            ) % {"minutes": minutes}
            return too_many(self, self.get_form_class()(initial=request.POST.dict()), message)
        return super().post(request, *args, **kwargs)

    def get_initial(self) -> dict:
        return {"preferred_language": get_language()}

    def form_valid(self, form: SignupForm) -> HttpResponse:
        learner = learner_sign_up(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            email=form.cleaned_data.get("email", ""),
            phone=form.cleaned_data.get("phone", ""),
            preferred_language=form.cleaned_data["preferred_language"],
        )
        login(self.request, learner.user, backend="lms.backends.LearnerModelBackend")
        # Shown once, on the welcome page: the way back in without email.
        self.request.session[NEW_RECOVERY_CODE_SESSION_KEY] = recovery_code_issue(user=learner.user)
        with translation.override(learner.preferred_language or get_language()):
            welcome = reverse("lms:welcome")
        next_url = safe_next_url(self.request, "")
        if next_url:  # where they were going, in the language they just chose
            next_url = landing_url(self.request, learner.user, next_url)
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        return HttpResponseRedirect(welcome + query)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["next"] = safe_next_url(self.request, "")
        return context


def too_many(view, form, message: str) -> HttpResponse:
    """The form again, unchecked, with why it was not taken: 429 Too Many Requests."""
    context = view.get_context_data(form=form, rate_limit_message=message)
    return view.render_to_response(context, status=429)


@signed_in
def welcome(request: HttpRequest) -> HttpResponse:
    """After sign-up: a welcome, and the recovery code to keep (shown this once)."""
    code = request.session.pop(NEW_RECOVERY_CODE_SESSION_KEY, None)
    principal = principal_of(request)
    return render(
        request,
        "lms/welcome.html",
        {
            "code": code,
            "username": principal.user.get_username(),
            "next": safe_next_url(request, reverse("lms:home")),
        },
    )


@anyone
def language_choose(request: HttpRequest) -> HttpResponse:
    """The language switcher's choice (the language is this URL's): kept on a signed-in
    person's active profile for every phone they use, and in a cookie for this phone."""
    language = get_language()
    principal = principal_of(request)
    if principal.is_person:
        learner_language_set(learner=principal.profile, language=language)
    response = redirect(safe_next_url(request, home_url(language)))
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_SECONDS, samesite="Lax")
    return response


@anyone
def join_link(request: HttpRequest, code: str) -> HttpResponse:
    """A class's join link and QR code carry no language: the family's own decides (their
    profile's choice once signed in, else their phone's)."""
    with translation.override(preferred_language(request)):
        return redirect(f"{reverse('lms:join')}?{urlencode({'code': code})}")
