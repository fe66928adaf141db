"""Educators' pages: classes, the class dashboard, assigning, adding learners, the sign-in
sheet with its QR code, and the CSV export."""

from __future__ import annotations

import csv
import io

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from lms.access import (
    administered_schools,
    classroom_for,
    classrooms_for,
    principal_of,
    schools_for,
)
from lms.charts import bar_chart_svg
from lms.models import School
from lms.selectors.dashboard import class_csv_rows, class_dashboard, class_members
from lms.selectors.outline import course_outlines
from lms.services.classes import (
    ClassError,
    assignment_create,
    classroom_create,
    classroom_member_add,
    roster_import,
)
from lms.views.access import staff

ROSTER_MAX_BYTES = 1024 * 1024


def _classroom(request: HttpRequest, classroom_id: int):
    """The class, if the signed-in educator or administrator reaches it now; else 404."""
    classroom = classroom_for(principal_of(request), classroom_id)
    if classroom is None:
        raise Http404
    return classroom


class ClassroomForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Class name"), max_length=120)
    school = forms.ModelChoiceField(queryset=School.objects.none(), label=gettext_lazy("School"))


@staff
def classes(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    schools = schools_for(principal)
    form = ClassroomForm(request.POST or None, initial={"school": schools.first()})
    form.fields["school"].queryset = schools
    if request.method == "POST" and form.is_valid():
        try:
            classroom = classroom_create(
                school=form.cleaned_data["school"],
                name=form.cleaned_data["name"],
                educator=request.user,
            )
        except ClassError as error:
            form.add_error("name", str(error))
        else:
            return redirect("lms:class", classroom_id=classroom.pk)
    return render(
        request,
        "lms/teach/classes.html",
        {
            "classrooms": classrooms_for(principal).select_related("school").order_by("name"),
            "form": form,
            "single_school": schools.count() == 1,
            "administers_a_school": administered_schools(principal).exists(),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff
def class_page(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _classroom(request, classroom_id)
    dashboard = class_dashboard(classroom=classroom, language=get_language(), request=request)
    total = sum(count for _day, count in dashboard.completions_by_day)
    chart = bar_chart_svg(
        dashboard.completions_by_day,
        title=_("Lessons completed each day, last 30 days"),
        description=ngettext(
            "%(total)d lesson completed in 30 days.",
            "%(total)d lessons completed in 30 days.",
            total,
        )
        % {"total": total},
        chart_id="completions",
    )
    return render(
        request,
        "lms/teach/class.html",
        {"classroom": classroom, "dashboard": dashboard, "chart": chart},
    )


class AssignForm(forms.Form):
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
    learners = forms.MultipleChoiceField(
        label=gettext_lazy("Only these learners (leave empty for the whole class)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _assign_form(request: HttpRequest, classroom, data=None) -> AssignForm:
    form = AssignForm(data)
    choices = []
    for course in course_outlines(language=get_language(), request=request):
        group = [(course.key, _("Whole course: %(title)s") % {"title": course.title})]
        group += [(module.key, module.title) for module in course.children]
        choices.append((course.title, group))
    form.fields["activity"].choices = choices
    form.fields["learners"].choices = [
        (str(learner.pk), learner.name) for learner in class_members(classroom)
    ]
    return form


@staff
def assign(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _classroom(request, classroom_id)
    form = _assign_form(request, classroom, request.POST or None)
    if request.method == "POST" and form.is_valid():
        members = {str(learner.pk): learner for learner in class_members(classroom)}
        try:
            assignment_create(
                classroom=classroom,
                activity_key=form.cleaned_data["activity"],
                assigned_by=request.user,
                due_on=form.cleaned_data["due_on"],
                note=form.cleaned_data["note"],
                learners=[members[pk] for pk in form.cleaned_data["learners"]],
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
            "(en, es, vi, zh-hans, ar) and “username”; then one learner per line."
        ),
    )


@staff
def learners(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """Add one learner or import a roster; new accounts appear once on a sign-in sheet."""
    classroom = _classroom(request, classroom_id)
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
            created.append(classroom_member_add(classroom=classroom, **one.cleaned_data))
        except ClassError as error:
            one.add_error("display_name", str(error))
    elif roster.is_bound and roster.is_valid():
        upload = roster.cleaned_data["roster"]
        if upload.size > ROSTER_MAX_BYTES:
            roster.add_error("roster", _("The file is larger than 1 MB."))
        else:
            try:
                report = roster_import(classroom=classroom, data=upload.read())
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
            "members": class_members(classroom),
        },
        status=400 if invalid else 200,
    )


def _join_url(request: HttpRequest, classroom) -> str:
    """The class's join link: no language in it, so that each family's phone (or their
    profile's choice) picks the language they read."""
    return request.build_absolute_uri(reverse("join-link", args=[classroom.join_code]))


@staff
def sign_in_sheet(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """A page to print: how to join the class, its code and QR code, and its learners."""
    classroom = _classroom(request, classroom_id)
    return render(
        request,
        "lms/teach/sheet.html",
        {
            "classroom": classroom,
            "join_url": _join_url(request, classroom),
            "members": class_members(classroom),
        },
    )


@staff
def qr_code(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _classroom(request, classroom_id)
    buffer = io.BytesIO()
    segno.make(_join_url(request, classroom), error="m").save(
        buffer,
        kind="svg",
        scale=6,
        border=2,
        title=_("QR code to join %(class)s") % {"class": classroom.name},
    )
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


@staff
def export_csv(request: HttpRequest, classroom_id: int) -> StreamingHttpResponse:
    classroom = _classroom(request, classroom_id)
    writer = csv.writer(_Echo())
    rows = class_csv_rows(classroom=classroom, language=get_language())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    filename = f"puente-{slugify(classroom.name) or 'class'}-{timezone.localdate()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
