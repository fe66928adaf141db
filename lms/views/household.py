"""A caregiver's household page: add children, the PIN, download or delete a child's data."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lms.access import household_for, household_members, principal_of
from lms.models import Household, Learner
from lms.selectors.assignments import messages_for_learners
from lms.selectors.help import help_requests_for_page
from lms.services.households import (
    HouseholdError,
    household_child_add,
    household_child_delete,
    household_create,
    household_pin_change,
    learner_data_export,
)
from lms.views.access import grown_up


class PinForm(forms.Form):
    pin = forms.CharField(
        label=gettext_lazy("Choose a PIN (4 to 8 digits)"),
        help_text=gettext_lazy("Children need it to leave their profile on a shared phone."),
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
    )


class ChildForm(forms.Form):
    display_name = forms.CharField(label=gettext_lazy("Name or nickname"), max_length=60)
    preferred_language = forms.ChoiceField(
        label=gettext_lazy("Language for lessons"), choices=settings.LANGUAGES
    )


@grown_up
def household(request: HttpRequest) -> HttpResponse:
    current = household_for(principal_of(request))
    pin_form = PinForm(request.POST if request.POST.get("action") == "pin" else None)
    child_form = ChildForm(
        request.POST if request.POST.get("action") == "child" else None,
        initial={"preferred_language": get_language()},
    )
    if request.method == "POST":
        if pin_form.is_bound and pin_form.is_valid():
            if _save_pin(request, current, pin_form):
                return redirect("lms:household")
        elif child_form.is_bound and child_form.is_valid() and current is not None:
            child = household_child_add(household=current, **child_form.cleaned_data)
            messages.success(request, _("%(name)s can learn now.") % {"name": child.name})
            return redirect("lms:household")
    children = current.members.filter(user__isnull=True).order_by("pk") if current else []
    members = household_members(current) if current else []
    messages_of = messages_for_learners(learner_ids=[member.pk for member in members])
    shown = {m.pk: m for member in members for m in messages_of[member.pk]}
    return render(
        request,
        "lms/household.html",
        {
            "household": current,
            "children": children,
            "pin_form": pin_form,
            "child_form": child_form,
            "class_messages": sorted(shown.values(), key=lambda m: m.created_at, reverse=True),
            # The children's questions and their answers reach the caregiver too.
            "requests": help_requests_for_page(
                principal=principal_of(request), language=get_language(), request=request
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


def _save_pin(request: HttpRequest, current: Household | None, form: PinForm) -> bool:
    try:
        if current is None:
            household_create(caregiver=request.user, pin=form.cleaned_data["pin"])
            messages.success(request, _("Your household is ready. Now add your children."))
        else:
            household_pin_change(household=current, pin=form.cleaned_data["pin"])
            messages.success(request, _("The PIN is changed."))
    except HouseholdError as error:
        form.add_error("pin", str(error))
        return False
    return True


def _child_of(request: HttpRequest, child_id: int) -> tuple[Household, Learner]:
    current = household_for(principal_of(request))
    child = current.members.filter(pk=child_id, user__isnull=True).first() if current else None
    if child is None:
        raise Http404
    return current, child


@grown_up
def child_delete(request: HttpRequest, child_id: int) -> HttpResponse:
    """Ask first; then delete the child's profile and everything recorded about them."""
    current, child = _child_of(request, child_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        name = child.name
        household_child_delete(household=current, child=child)
        messages.success(request, _("%(name)s's profile and data are deleted.") % {"name": name})
        return redirect("lms:household")
    return render(request, "lms/child_delete.html", {"child": child})


@grown_up
def child_export(request: HttpRequest, child_id: int) -> HttpResponse:
    _current, child = _child_of(request, child_id)
    data = json.dumps(learner_data_export(learner=child), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    filename = f"puente-{slugify(child.name) or 'child'}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
