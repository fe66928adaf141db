"""Decorators for the plugin's pages: who may open them (decided by ``lms.access``).

Each one also marks the view with its audience (``view.audience``), which the permission
matrix test reads for every URL.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from lms.access import Audience, principal_in_audience, principal_of

View = Callable[..., HttpResponse]


def for_audience(audience: str) -> Callable[[View], View]:
    """Open the view to ``audience`` only.

    Not signed in: the sign-in page. A child's profile active where a grown-up is needed: the
    "Who is learning now?" page, which asks for the PIN. Anyone else: "not found".
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            principal = principal_of(request)
            if audience != Audience.ANYONE and not principal.is_person:
                return redirect_to_login(request.get_full_path())
            if audience not in (Audience.ANYONE, Audience.PERSON) and principal.is_child:
                messages.info(request, _("Ask a grown-up to enter the PIN to open this page."))
                return redirect("lms:who")
            if not principal_in_audience(principal, audience):
                raise Http404
            return view(request, *args, **kwargs)

        wrapper.audience = audience
        return wrapper

    return decorate


signed_in = for_audience(Audience.PERSON)
grown_up = for_audience(Audience.GROWN_UP)
staff = for_audience(Audience.STAFF)
school_admin = for_audience(Audience.SCHOOL_ADMIN)
anyone = for_audience(Audience.ANYONE)
