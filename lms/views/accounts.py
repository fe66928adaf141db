"""Accounts: sign up (no email needed) and sign in; and where xAPI activity IRIs lead."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.generic import FormView

from lms.access import Audience
from lms.activities import ActivityType
from lms.forms import SignupForm
from lms.ratelimits import SIGN_IN, SIGN_UP, minutes_to_wait, sign_in_wait_message
from lms.selectors.activities import activity_definition, activity_page_url, question_lesson_key
from lms.services.learners import learner_sign_up
from lms.views.access import anyone


def safe_next_url(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


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


class SignOutView(LogoutView):
    """Sign out (a POST), then the site's home in the same language, saying so.

    Signing out also ends a child's profile on a shared phone: the session is gone.
    """

    audience = Audience.ANYONE

    def get_default_redirect_url(self) -> str:
        return f"/{get_language()}/"

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
        return HttpResponseRedirect(safe_next_url(self.request, reverse("lms:home")))

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["next"] = safe_next_url(self.request, "")
        return context


def too_many(view, form, message: str) -> HttpResponse:
    """The form again, unchecked, with why it was not taken: 429 Too Many Requests."""
    context = view.get_context_data(form=form, rate_limit_message=message)
    return view.render_to_response(context, status=429)


@anyone
def activity_metadata(request: HttpRequest, activity_type: str, key: uuid.UUID) -> HttpResponse:
    """xAPI activity IRIs resolve (xAPI 1.0.3, hosted metadata): a machine asking for JSON gets
    the activity's definition, a browser the activity's page in its reader's language (a
    question: its place in its lesson)."""
    try:
        kind = ActivityType(activity_type)
    except ValueError as error:
        raise Http404 from error
    key = str(key)
    if request.get_preferred_type(["application/json", "text/html"]) == "application/json":
        definition = activity_definition(kind, key)
        if definition is None:
            raise Http404
        response = JsonResponse(definition, json_dumps_params={"ensure_ascii": False})
    else:
        anchor = ""
        if kind == ActivityType.QUESTION:
            lesson_key = question_lesson_key(key)
            if lesson_key is None:
                raise Http404
            kind, key, anchor = ActivityType.LESSON, lesson_key, f"#q-{key}"
        url = activity_page_url(kind, key, get_language())
        if url is None:
            raise Http404
        response = HttpResponseRedirect(url + anchor)
    patch_vary_headers(response, ["Accept", "Accept-Language"])
    return response
