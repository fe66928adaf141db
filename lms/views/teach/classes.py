"""Classes: the list, a class's dashboard (made for a phone), its settings, the sign-in sheet
with its QR code, the CSV export, and the school's record of changes."""

from __future__ import annotations

import csv
import io

import segno
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lms.access import administered_schools, classrooms_for, principal_of, schools_for
from lms.models import School
from lms.selectors.assignments import messages_for_classroom
from lms.selectors.class_activity import class_activity_for_schools
from lms.selectors.dashboard import class_csv_rows, class_dashboard, class_members
from lms.services.classes import (
    ClassError,
    classroom_archive,
    classroom_create,
    classroom_rename,
)
from lms.views.access import school_admin, staff
from lms.views.teach.common import acting, reachable_classroom

LEARNERS_PER_PAGE = 30
ACTIVITY_PER_PAGE = 50


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
                educator=principal.user,
            )
        except ClassError as error:
            form.add_error("name", str(error))
        else:
            return redirect("lms:class", classroom_id=classroom.pk)
    classrooms = list(classrooms_for(principal).select_related("school").order_by("name"))
    return render(
        request,
        "lms/teach/classes.html",
        {
            "classrooms": [c for c in classrooms if c.archived_at is None],
            "archived": [c for c in classrooms if c.archived_at is not None],
            "form": form,
            "single_school": schools.count() == 1,
            "administers_a_school": administered_schools(principal).exists(),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff
def class_page(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """Who is behind, and on what: a card per assignment, then the learners most behind
    first, a page at a time (the CSV has them all)."""
    classroom = reachable_classroom(request, classroom_id)
    dashboard = class_dashboard(classroom=classroom, language=get_language(), request=request)
    page = Paginator(dashboard.rows_behind_first, LEARNERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    weeks = dashboard.completions_by_week
    busiest = max((count for _start, count in weeks), default=0)
    return render(
        request,
        "lms/teach/class.html",
        {
            "classroom": classroom,
            "dashboard": dashboard,
            "learners_page": page,
            "weeks": [
                (start, count, round(100 * count / busiest) if busiest else 0)
                for start, count in weeks
            ],
            "class_messages": messages_for_classroom(classroom=classroom)[:3],
        },
    )


class RenameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Class name"), max_length=120)


@staff
def class_settings(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """Rename the class, or archive it when it is over (and reopen it)."""
    classroom = reachable_classroom(request, classroom_id)
    action = request.POST.get("action")
    form = RenameForm(
        request.POST if action == "rename" else None, initial={"name": classroom.name}
    )
    if request.method == "POST":
        try:
            if action == "rename" and form.is_valid():
                classroom_rename(
                    classroom=classroom, name=form.cleaned_data["name"], actor=acting(request)
                )
                messages.success(request, _("The class is renamed."))
                return redirect("lms:class", classroom_id=classroom.pk)
            if action in ("archive", "reopen"):
                classroom_archive(
                    classroom=classroom, archived=action == "archive", actor=acting(request)
                )
                if action == "archive":
                    messages.success(
                        request,
                        _(
                            "The class is archived: it left learners' to-do lists. You can "
                            "still read it and download it."
                        ),
                    )
                else:
                    messages.success(request, _("The class is open again."))
                return redirect("lms:class", classroom_id=classroom.pk)
        except ClassError as error:
            form.add_error("name", str(error))
    return render(
        request,
        "lms/teach/settings.html",
        {"classroom": classroom, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def join_url(request: HttpRequest, classroom) -> str:
    """The class's join link: no language in it, so that each family's phone (or their
    profile's choice) picks the language they read."""
    return request.build_absolute_uri(reverse("lms:join-link", args=[classroom.join_code]))


@staff
def sign_in_sheet(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """A page to print: how to join the class, its code and QR code, and its learners."""
    classroom = reachable_classroom(request, classroom_id)
    return render(
        request,
        "lms/teach/sheet.html",
        {
            "classroom": classroom,
            "join_url": join_url(request, classroom),
            "members": class_members(classroom),
        },
    )


@staff
def qr_code(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = reachable_classroom(request, classroom_id)
    buffer = io.BytesIO()
    segno.make(join_url(request, classroom), error="m").save(
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
    classroom = reachable_classroom(request, classroom_id)
    writer = csv.writer(_Echo())
    rows = class_csv_rows(classroom=classroom, language=get_language())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    filename = f"puente-{slugify(classroom.name) or 'class'}-{timezone.localdate()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@school_admin
def activity(request: HttpRequest) -> HttpResponse:
    """What educators (and integrations) changed in the school's classes, newest first."""
    entries = class_activity_for_schools(administered_schools(principal_of(request)))
    page = Paginator(entries, ACTIVITY_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "lms/teach/activity.html", {"page": page})
