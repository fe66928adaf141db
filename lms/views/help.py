"""A family's help pages: "Get help" (ask a person, read the answers) and "Where to get help"
(the help desk's hours and phone, places to go in person)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from lms.access import acting_profiles, principal_of
from lms.forms import HelpForm, request_uuid
from lms.ratelimits import HELP, minutes_to_wait
from lms.selectors.help import (
    help_requests_for_page,
    help_route,
    help_subject,
    where_to_get_help,
)
from lms.services.help import (
    HelpError,
    help_replies_mark_seen,
    help_request_create,
)
from lms.views.access import anyone, signed_in


@signed_in
def help_ask(request: HttpRequest) -> HttpResponse:
    """Ask a person for help (about a lesson or a question, when it came from one), and read
    the answers to earlier requests."""
    principal = principal_of(request)
    source = request.POST if request.method == "POST" else request.GET
    initial = {
        "request_id": uuid.uuid4(),
        "lesson": source.get("lesson") or None,
        "question": source.get("question", "")[:64],
    }
    form = HelpForm(request.POST or None, initial=initial)
    wait = minutes_to_wait(request, "help", HELP) if request.method == "POST" else 0
    if wait:
        form.is_valid()
        form.add_error(
            None,
            ngettext(
                "You sent many requests. Please wait %(minutes)d minute and try again.",
                "You sent many requests. Please wait %(minutes)d minutes and try again.",
                wait,
            )
            % {"minutes": wait},
        )
    elif request.method == "POST" and form.is_valid():
        try:
            help_request, _created = help_request_create(learner=principal.profile, ask=form.ask())
        except HelpError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request,
                _("Sent. A person will answer you. Their answer shows here and on your home."),
            )
            return redirect(f"{request.path}#request-{help_request.pk}")
    lesson_key = request_uuid(form["lesson"].value())
    requests = help_requests_for_page(principal=principal, language=get_language(), request=request)
    response = render(
        request,
        "lms/help/ask.html",
        {
            "form": form,
            "learner": principal.profile,
            "about": help_subject(
                lesson_key=lesson_key,
                question_id=form["question"].value() or "",
                language=get_language(),
                request=request,
            ),
            "requests": requests,
            "where": where_to_get_help(school=help_route(learner=principal.profile).school),
            "show_learner": len(acting_profiles(principal)) > 1,
        },
        status=429 if wait else (400 if request.method == "POST" else 200),
    )
    # Seen now: on the next visit they are no longer marked new.
    help_replies_mark_seen(learners=[r.learner for r in requests if r.new_replies])
    return response


@anyone
def help_places(request: HttpRequest) -> HttpResponse:
    """Where to get help: the help desk (of the learner's school, or the site's) and places
    to go in person. Open to everyone, signed in or not."""
    principal = principal_of(request)
    school = help_route(learner=principal.profile).school if principal.is_person else None
    return render(
        request,
        "lms/help/places.html",
        {"where": where_to_get_help(school=school), "signed_in": principal.is_person},
    )
