"""Accounts: sign up (no email needed) and sign in; and where xAPI activity IRIs lead."""

from __future__ import annotations

import uuid

from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.generic import FormView

from lms.activities import ActivityType
from lms.forms import SignupForm
from lms.selectors.activities import activity_page_url
from lms.services.learners import learner_sign_up


def safe_next_url(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


class SignInView(LoginView):
    template_name = "lms/sign_in.html"
    redirect_authenticated_user = True


class SignUpView(FormView):
    template_name = "lms/sign_up.html"
    form_class = SignupForm

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


def activity_redirect(request: HttpRequest, activity_type: str, key: uuid.UUID) -> HttpResponse:
    """xAPI activity IRIs resolve: they lead to the activity's page in the reader's language."""
    try:
        kind = ActivityType(activity_type)
    except ValueError as error:
        raise Http404 from error
    if kind == ActivityType.QUESTION:
        raise Http404
    url = activity_page_url(kind, key, get_language())
    if url is None:
        raise Http404
    return HttpResponseRedirect(url)
