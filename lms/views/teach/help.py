"""The help queue (made for a phone, like the class dashboard): families' requests, newest
first, to take, answer in Puente or call back; and the school's help desk and places."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lms.access import administered_schools, principal_of
from lms.models import HelpDesk, HelpPlace, HelpStatus
from lms.selectors.activities import lesson_links
from lms.selectors.help import (
    help_figures,
    help_queue,
    help_queue_counts,
    help_request_in_queue,
    help_subject,
)
from lms.services.help import (
    REPLY_MAX,
    HelpError,
    help_desk_save,
    help_place_add,
    help_place_remove,
    help_reply_send,
    help_request_assign,
    help_request_called_back,
    help_request_status_set,
)
from lms.views.access import school_admin, staff

REQUESTS_PER_PAGE = 30
OPEN_FILTER = "open"


@staff
def queue(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    status = request.GET.get("status", OPEN_FILTER)
    if status not in (OPEN_FILTER, *HelpStatus.values):
        status = OPEN_FILTER
    mine = request.GET.get("mine") == "1"
    requests = help_queue(principal=principal, mine=mine)
    if status == OPEN_FILTER:
        requests = requests.filter(status__in=(HelpStatus.NEW, HelpStatus.IN_PROGRESS))
    else:
        requests = requests.filter(status=status)
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    titles = lesson_links([r.lesson_key for r in items], get_language(), request)
    for item in items:
        item.about = titles.get(str(item.lesson_key)) if item.lesson_key else None
    counts = help_queue_counts(principal=principal)
    administered = administered_schools(principal)
    return render(
        request,
        "lms/teach/help_queue.html",
        {
            "page": page,
            "requests": items,
            "status": status,
            "mine": mine,
            "open_count": counts[HelpStatus.NEW] + counts[HelpStatus.IN_PROGRESS],
            "tabs": [(value, label, counts[value]) for value, label in HelpStatus.choices],
            "figures": help_figures(schools=administered) if administered.exists() else None,
        },
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your answer"),
        max_length=REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    language = forms.ChoiceField(label=gettext_lazy("Written in"), choices=settings.LANGUAGES)


def _handle(help_request, action: str | None, status: str | None, user) -> None:
    """Take or give back the request, mark a call back, or set its status."""
    if action == "assign":
        help_request_assign(request=help_request, user=user)
    elif action == "unassign":
        help_request_assign(request=help_request, user=None)
    elif action == "called-back":
        help_request_called_back(request=help_request, user=user)
    elif action == "status":
        help_request_status_set(request=help_request, status=status)
    else:
        raise HelpError(_("Choose what to do."))


@staff
def request_page(request: HttpRequest, help_request_id: int) -> HttpResponse:
    principal = principal_of(request)
    help_request = help_request_in_queue(principal=principal, request_id=help_request_id)
    if help_request is None:
        raise Http404
    form = ReplyForm(
        request.POST if request.POST.get("action") == "reply" else None,
        initial={"language": help_request.language},
    )
    error = None
    action = request.POST.get("action")
    if request.method == "POST" and action == "reply":
        if form.is_valid():
            try:
                help_reply_send(request=help_request, author=principal.user, **form.cleaned_data)
            except HelpError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Sent. The family sees it on their home page."))
                return redirect("lms:help-request", help_request_id=help_request.pk)
    elif request.method == "POST":
        try:
            _handle(help_request, action, request.POST.get("status"), principal.user)
        except HelpError as refused:
            error = str(refused)
        else:
            messages.success(request, _("Saved."))
            return redirect("lms:help-request", help_request_id=help_request.pk)
    about = help_subject(
        lesson_key=help_request.lesson_key,
        question_id=help_request.question_id,
        language=help_request.language,
        request=request,
    )
    return render(
        request,
        "lms/teach/help_request.html",
        {
            "item": help_request,
            "about": about,
            "form": form,
            "error": error,
            "statuses": HelpStatus.choices,
            "assigned_to_me": help_request.assigned_to_id == principal.user.pk,
        },
        status=400 if request.method == "POST" else 200,
    )


class DeskForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Help desk phone"), max_length=30, required=False)
    hours = forms.CharField(
        label=gettext_lazy("Hours"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example: Mon-Fri 3-7 pm"),
    )
    language = forms.ChoiceField(label=gettext_lazy("Written in"), choices=settings.LANGUAGES)


class PlaceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Place"), max_length=120)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200)
    hours = forms.CharField(label=gettext_lazy("Hours"), max_length=200, required=False)
    language = forms.ChoiceField(label=gettext_lazy("Written in"), choices=settings.LANGUAGES)


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@school_admin
def desk(request: HttpRequest) -> HttpResponse:
    """The help desk's phone and hours and the places to get help in person, for each school
    the administrator runs. Families see them on "Where to get help"."""
    schools = list(administered_schools(principal_of(request)))
    if request.method == "POST" and request.POST.get("action") == "remove-place":
        place = HelpPlace.objects.filter(
            pk=_number(request.POST.get("place")), school__in=schools
        ).first()
        if place is None:
            raise Http404
        help_place_remove(place=place)
        messages.success(request, _("The place is removed."))
        return redirect("lms:help-desk")
    chosen = next((s for s in schools if str(s.pk) == request.POST.get("school")), None)
    action = request.POST.get("action")
    desks = {d.school_id: d for d in HelpDesk.objects.filter(school__in=schools)}
    sections = []
    for school in schools:
        current = desks.get(school.pk)
        posted = request.method == "POST" and chosen == school
        desk_form = DeskForm(
            request.POST if posted and action == "desk" else None,
            prefix=f"desk-{school.pk}",
            initial={
                "phone": current.phone if current else "",
                "hours": current.hours if current else "",
                "language": current.language if current else get_language(),
            },
        )
        place_form = PlaceForm(
            request.POST if posted and action == "place" else None,
            prefix=f"place-{school.pk}",
            initial={"language": get_language()},
        )
        sections.append(
            {
                "school": school,
                "desk": current,
                "desk_form": desk_form,
                "place_form": place_form,
                "places": HelpPlace.objects.filter(school=school),
            }
        )
        if not posted:
            continue
        try:
            if action == "desk" and desk_form.is_valid():
                help_desk_save(school=school, **desk_form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("lms:help-desk")
            if action == "place" and place_form.is_valid():
                help_place_add(school=school, **place_form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("lms:help-desk")
        except HelpError as error:
            (desk_form if action == "desk" else place_form).add_error(None, str(error))
    return render(
        request,
        "lms/teach/help_desk.html",
        {"sections": sections},
        status=400 if request.method == "POST" else 200,
    )
