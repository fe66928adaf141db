"""A learner's pages: home (assignments first), my progress, who is learning, join a class."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from lms.access import (
    acting_profiles,
    household_for,
    household_members,
    household_of,
    principal_of,
    profile_switch,
)
from lms.i18n import isolated
from lms.models import Learner
from lms.ratelimits import JOIN, minutes_to_wait
from lms.selectors.assignments import assignments_for_learners, messages_for_learners
from lms.selectors.help import help_answers_for_family
from lms.selectors.outline import course_outlines
from lms.selectors.progress import learner_progress
from lms.services.classes import ClassError, classroom_join
from lms.services.households import HouseholdError, household_pin_check
from lms.views.access import signed_in


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    """What to do next: assignments first, then courses in progress; a caregiver sees the
    whole household."""
    principal = principal_of(request)
    learner = principal.profile
    household = household_for(principal)
    members = acting_profiles(principal)  # the active profile first
    assignments = assignments_for_learners(
        learners=members, language=get_language(), request=request
    )
    outlines = course_outlines(language=get_language(), request=request)
    progress = {
        member.pk: learner_progress(
            learner=member, language=get_language(), request=request, outlines=outlines
        )
        for member in members
    }
    courses = progress[learner.pk]
    messages_of = messages_for_learners(learner_ids=[member.pk for member in members])
    # A caregiver sees the messages of every family member's class, once each.
    shown = {m.pk: m for member in members for m in messages_of[member.pk]}
    class_messages = sorted(shown.values(), key=lambda m: m.created_at, reverse=True)
    return render(
        request,
        "lms/home.html",
        {
            "learner": learner,
            "household": household,
            "members": [
                (member, assignments[member.pk], progress[member.pk]) for member in members
            ],
            "assignments": assignments[learner.pk],
            "courses": courses,
            "is_staff": principal.is_staff,
            "class_messages": class_messages,
            "help_answers": help_answers_for_family(learners=members)[:3],
        },
    )


@signed_in
def my_progress(request: HttpRequest) -> HttpResponse:
    learner = principal_of(request).profile
    courses = learner_progress(learner=learner, language=get_language(), request=request)
    return render(request, "lms/progress.html", {"courses": courses, "learner": learner})


class SwitchForm(forms.Form):
    learner = forms.IntegerField(widget=forms.HiddenInput)
    pin = forms.CharField(
        label=gettext_lazy("Grown-up's PIN"),
        required=False,
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


@signed_in
def who_is_learning(request: HttpRequest) -> HttpResponse:
    """On a shared phone: one tap to a child's profile; the PIN to leave a child's profile."""
    household = household_of(request.user)
    if household is None:
        return redirect("lms:home")
    profiles = household_members(household)
    current = principal_of(request).profile
    form = SwitchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = next((p for p in profiles if p.pk == form.cleaned_data["learner"]), None)
        if target is None:
            form.add_error(None, _("Choose one of the profiles below."))
        elif current.is_child_profile and target.pk != current.pk:
            try:
                allowed = household_pin_check(household=household, pin=form.cleaned_data["pin"])
            except HouseholdError as error:
                allowed = False
                form.add_error("pin", str(error))
            else:
                if not allowed:
                    form.add_error("pin", _("That PIN is not right. Try again."))
            if allowed:
                return _switch_to(request, target)
        else:
            return _switch_to(request, target)
    return render(
        request,
        "lms/who.html",
        {
            "profiles": profiles,
            "current": current,
            "form": form,
            "needs_pin": current.is_child_profile,
        },
        status=400 if request.method == "POST" else 200,
    )


def _switch_to(request: HttpRequest, learner: Learner) -> HttpResponse:
    """The chosen profile's home, in the language that profile chose (a child may learn in
    Spanish on the phone where the caregiver reads English)."""
    profile_switch(request, learner)
    with translation.override(learner.preferred_language or translation.get_language()):
        messages.success(request, _("%(name)s is learning now.") % {"name": isolated(learner.name)})
        return redirect("lms:home")


class JoinForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Class code"), max_length=20)
    learner = forms.TypedChoiceField(
        label=gettext_lazy("Who is joining?"), coerce=int, required=False
    )


@signed_in
def join_class(request: HttpRequest) -> HttpResponse:
    """Join a class with its code, oneself or (for a caregiver) one of the children."""
    principal = principal_of(request)
    learner = principal.profile
    profiles = acting_profiles(principal)
    form = JoinForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    form.fields["learner"].choices = [(p.pk, p.name) for p in profiles]
    if len(profiles) == 1:
        del form.fields["learner"]
    minutes = minutes_to_wait(request, "join", JOIN) if request.method == "POST" else 0
    if minutes:
        message = ngettext(
            "Too many codes tried. Please wait %(minutes)d minute and try again.",
            "Too many codes tried. Please wait %(minutes)d minutes and try again.",
            minutes,
        ) % {"minutes": minutes}
        context = {"form": form, "rate_limit_message": message}
        return render(request, "lms/join.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        chosen = next((p for p in profiles if p.pk == form.cleaned_data.get("learner")), learner)
        try:
            classroom = classroom_join(code=form.cleaned_data["code"], learner=chosen)
        except ClassError as error:
            form.add_error("code", str(error))
        else:
            messages.success(
                request,
                _("%(name)s joined %(class)s.") % {"name": chosen.name, "class": classroom.name},
            )
            return redirect("lms:home")
    return render(
        request,
        "lms/join.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
