"""Decorators for the plugin's pages: who may open them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from lms.selectors.access import is_staff_member
from lms.selectors.learners import acting_as_child

View = Callable[..., HttpResponse]


def signed_in(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def grown_up(view: View) -> View:
    """Pages for the account's owner, not for a child using the shared phone."""

    @wraps(view)
    @signed_in
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if acting_as_child(request):
            messages.info(request, _("Ask a grown-up to enter the PIN to open this page."))
            return redirect("lms:who")
        return view(request, *args, **kwargs)

    return wrapper


def staff(view: View) -> View:
    """Pages for educators and school administrators; others get "not found"."""

    @wraps(view)
    @grown_up
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_member(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
