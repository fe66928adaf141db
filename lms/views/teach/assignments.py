"""Assignments: give a class a module (or a course), see who is where on it, change its due
date, note or learners, or take it back. Learners keep what they did either way."""

from __future__ import annotations

from datetime import date

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lms.access import principal_of
from lms.models import Assignment
from lms.selectors.dashboard import class_dashboard, class_members
from lms.selectors.outline import course_outlines
from lms.selectors.progress import Status
from lms.services.assignments import assignment_create, assignment_delete, assignment_update
from lms.services.classes import ClassError
from lms.views.access import staff
from lms.views.teach.common import acting, reachable_classroom


class AssignmentForm(forms.Form):
    activity = forms.ChoiceField(label=gettext_lazy("Module or course"))
    due_on = forms.DateField(
        label=gettext_lazy("Due date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note for learners (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note_language = forms.ChoiceField(
        label=gettext_lazy("The note is written in"), choices=settings.LANGUAGES, required=False
    )
    learners = forms.MultipleChoiceField(
        label=gettext_lazy("Only these learners (leave empty for the whole class)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, classroom, activities=None, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("note_language", get_language())
        super().__init__(*args, **kwargs)
        self.members = {str(learner.pk): learner for learner in class_members(classroom)}
        self.fields["learners"].choices = [(pk, m.name) for pk, m in self.members.items()]
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()
        if activities is None:
            del self.fields["activity"]
        else:
            self.fields["activity"].choices = activities

    def clean_due_on(self) -> date | None:
        due_on = self.cleaned_data["due_on"]
        changed = "due_on" in self.changed_data
        if due_on is not None and changed and due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date has passed. Choose today or a later day."))
        return due_on

    def chosen_learners(self) -> list:
        return [self.members[pk] for pk in self.cleaned_data["learners"]]


def _activity_choices(request: HttpRequest) -> list:
    choices = []
    for course in course_outlines(language=get_language(), request=request):
        group = [(course.key, _("Whole course: %(title)s") % {"title": course.title})]
        group += [(module.key, module.title) for module in course.children]
        choices.append((course.title, group))
    return choices


@staff
def assign(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = reachable_classroom(request, classroom_id)
    form = AssignmentForm(
        request.POST or None, classroom=classroom, activities=_activity_choices(request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            assignment_create(
                classroom=classroom,
                activity_key=form.cleaned_data["activity"],
                assigned_by=principal_of(request).user,
                due_on=form.cleaned_data["due_on"],
                note=form.cleaned_data["note"],
                note_language=form.cleaned_data["note_language"],
                learners=form.chosen_learners(),
            )
        except ClassError as error:
            form.add_error("activity", str(error))
        else:
            messages.success(request, _("Assigned."))
            return redirect("lms:class", classroom_id=classroom.pk)
    return render(
        request,
        "lms/teach/assign.html",
        {"classroom": classroom, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff
def assignment_page(request: HttpRequest, classroom_id: int, assignment_id: int) -> HttpResponse:
    """One assignment: its learners grouped by where they are (the most behind first), and
    the form to change it."""
    classroom = reachable_classroom(request, classroom_id)
    assignment = Assignment.objects.filter(pk=assignment_id, classroom=classroom).first()
    if assignment is None:
        raise Http404
    dashboard = class_dashboard(classroom=classroom, language=get_language(), request=request)
    number, summary = next(
        (
            (number, summary)
            for number, summary in enumerate(dashboard.summaries)
            if summary.column.assignment.pk == assignment.pk
        ),
        (None, None),
    )
    form = AssignmentForm(
        request.POST or None,
        classroom=classroom,
        initial={
            "due_on": assignment.due_on,
            "note": assignment.note,
            "note_language": assignment.note_language or get_language(),
            "learners": [str(pk) for pk in assignment.learners.values_list("pk", flat=True)],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            assignment_update(
                assignment=assignment,
                due_on=form.cleaned_data["due_on"],
                note=form.cleaned_data["note"],
                note_language=form.cleaned_data["note_language"],
                learners=form.chosen_learners(),
                actor=acting(request),
            )
        except ClassError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The assignment is changed."))
            return redirect(
                "lms:assignment", classroom_id=classroom.pk, assignment_id=assignment.pk
            )
    groups = []
    if summary is not None:
        rows = [row for row in dashboard.rows_behind_first if row.cells[number] is not None]
        for label, test in (
            (_("Overdue"), lambda cell: cell.overdue),
            (_("Not started"), lambda cell: not cell.overdue and cell.status == Status.NOT_STARTED),
            (_("In progress"), lambda cell: not cell.overdue and cell.status == Status.IN_PROGRESS),
            (_("Completed"), lambda cell: cell.status == Status.COMPLETED),
        ):
            members = [(row, row.cells[number]) for row in rows if test(row.cells[number])]
            if members:
                groups.append((label, members))
    return render(
        request,
        "lms/teach/assignment.html",
        {
            "classroom": classroom,
            "assignment": assignment,
            "summary": summary,
            "groups": groups,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@staff
def assignment_remove(request: HttpRequest, classroom_id: int, assignment_id: int) -> HttpResponse:
    """Ask first; then take the assignment back (learners keep their progress)."""
    classroom = reachable_classroom(request, classroom_id)
    assignment = Assignment.objects.filter(pk=assignment_id, classroom=classroom).first()
    if assignment is None:
        raise Http404
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        assignment_delete(assignment=assignment, actor=acting(request))
        messages.success(request, _("The assignment is deleted. Learners keep what they did."))
        return redirect("lms:class", classroom_id=classroom.pk)
    return render(
        request,
        "lms/teach/assignment_delete.html",
        {"classroom": classroom, "assignment": assignment},
    )
