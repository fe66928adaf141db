"""A class's learners: add one or import a roster (new accounts appear once, on a sign-in
card), each learner's own page, a new password for an account the school made, and taking a
learner out of the class or into another."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lms.access import classrooms_for, principal_of
from lms.models import Learner
from lms.selectors.dashboard import class_members
from lms.selectors.learner_record import learner_record
from lms.services.classes import (
    ClassError,
    classroom_member_add,
    classroom_member_move,
    classroom_member_remove,
    learner_password_reset,
    roster_import,
)
from lms.views.access import staff
from lms.views.teach.classes import join_url
from lms.views.teach.common import acting, reachable_classroom

ROSTER_MAX_BYTES = 1024 * 1024


class LearnerForm(forms.Form):
    display_name = forms.CharField(label=gettext_lazy("Learner's name"), max_length=60)
    username = forms.CharField(
        label=gettext_lazy("Username (optional; made from the name if empty)"),
        required=False,
        max_length=150,
    )
    preferred_language = forms.ChoiceField(
        label=gettext_lazy("Language for lessons"),
        required=False,
    )


class RosterForm(forms.Form):
    roster = forms.FileField(
        label=gettext_lazy("Roster (CSV)"),
        help_text=gettext_lazy(
            "A spreadsheet saved as CSV: a first line with “name”, and optionally “language” "
            "(one of the language codes: %(codes)s) and “username”; then one learner per line."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        codes = ", ".join(code for code, _name in settings.LANGUAGES)
        self.fields["roster"].help_text = self.fields["roster"].help_text % {"codes": codes}


@staff
def learners(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """Add one learner or import a roster; new accounts appear once on a sign-in sheet."""
    classroom = reachable_classroom(request, classroom_id)
    action = request.POST.get("action")
    one = LearnerForm(request.POST if action == "one" else None)
    one.fields["preferred_language"].choices = [("", "—"), *settings.LANGUAGES]
    roster = RosterForm(
        request.POST if action == "roster" else None,
        request.FILES if action == "roster" else None,
    )
    created, rejected = [], []
    if one.is_bound and one.is_valid():
        try:
            created.append(
                classroom_member_add(classroom=classroom, actor=acting(request), **one.cleaned_data)
            )
        except ClassError as error:
            one.add_error("display_name", str(error))
    elif roster.is_bound and roster.is_valid():
        upload = roster.cleaned_data["roster"]
        if upload.size > ROSTER_MAX_BYTES:
            roster.add_error("roster", _("The file is larger than 1 MB."))
        else:
            try:
                report = roster_import(
                    classroom=classroom, data=upload.read(), actor=acting(request)
                )
            except ClassError as error:
                roster.add_error("roster", str(error))
            else:
                created, rejected = report.created, report.rejected
    invalid = (one.is_bound and one.errors) or (roster.is_bound and roster.errors)
    return render(
        request,
        "lms/teach/learners.html",
        {
            "classroom": classroom,
            "one": one,
            "roster": roster,
            "created": created,
            "rejected": rejected,
            "join_url": join_url(request, classroom),
        },
        status=400 if invalid else 200,
    )


def _member(classroom, learner_id: int) -> Learner:
    learner = class_members(classroom).filter(pk=learner_id).first()
    if learner is None:
        raise Http404
    return learner


class MoveForm(forms.Form):
    to = forms.TypedChoiceField(label=gettext_lazy("Move to the class"), coerce=int)


@staff
def learner_page(request: HttpRequest, classroom_id: int, learner_id: int) -> HttpResponse:
    """One learner: their assignments lesson by lesson, their answers, when they last learned;
    a new password (for an account the school made), moving them, taking them out."""
    classroom = reachable_classroom(request, classroom_id)
    learner = _member(classroom, learner_id)
    others = [
        c
        for c in classrooms_for(principal_of(request)).filter(
            school=classroom.school, archived_at__isnull=True
        )
        if c.pk != classroom.pk
    ]
    move = MoveForm(request.POST if request.POST.get("action") == "move" else None)
    move.fields["to"].choices = [(c.pk, c.name) for c in others]
    if move.is_bound and move.is_valid():
        target = next(c for c in others if c.pk == move.cleaned_data["to"])
        try:
            classroom_member_move(
                classroom=classroom, learner=learner, to=target, actor=acting(request)
            )
        except ClassError as error:
            move.add_error("to", str(error))
        else:
            messages.success(
                request,
                _("%(name)s is in %(class)s now.") % {"name": learner.name, "class": target.name},
            )
            return redirect("lms:class", classroom_id=classroom.pk)
    record = learner_record(
        classroom=classroom, learner=learner, language=get_language(), request=request
    )
    return render(
        request,
        "lms/teach/learner.html",
        {"classroom": classroom, "record": record, "move": move if others else None},
        status=400 if move.is_bound else 200,
    )


@staff
def learner_password(request: HttpRequest, classroom_id: int, learner_id: int) -> HttpResponse:
    """Ask first; then a new password, on a sign-in card to print (shown this once)."""
    classroom = reachable_classroom(request, classroom_id)
    learner = _member(classroom, learner_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            account = learner_password_reset(
                classroom=classroom, learner=learner, actor=acting(request)
            )
        except ClassError as error:
            messages.error(request, str(error))
            return redirect("lms:learner", classroom_id=classroom.pk, learner_id=learner.pk)
        return render(
            request,
            "lms/teach/card.html",
            {
                "classroom": classroom,
                "accounts": [account],
                "join_url": join_url(request, classroom),
            },
        )
    return render(
        request, "lms/teach/password_confirm.html", {"classroom": classroom, "learner": learner}
    )


@staff
def learner_remove(request: HttpRequest, classroom_id: int, learner_id: int) -> HttpResponse:
    """Ask first; then take the learner out of the class (their progress stays theirs)."""
    classroom = reachable_classroom(request, classroom_id)
    learner = _member(classroom, learner_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        classroom_member_remove(classroom=classroom, learner=learner, actor=acting(request))
        messages.success(
            request,
            _("%(name)s is no longer in %(class)s.")
            % {"name": learner.name, "class": classroom.name},
        )
        return redirect("lms:class", classroom_id=classroom.pk)
    return render(
        request, "lms/teach/learner_remove.html", {"classroom": classroom, "learner": learner}
    )
