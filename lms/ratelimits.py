"""Rate limits for the pages people could hammer: sign-in, sign-up, joining a class with a code.

django-ratelimit counts in the shared cache (Redis in production). Each limit is per person
(the username being tried, or the signed-in user) and per network address, so one attacker
cannot lock a family out from elsewhere without also being slowed down, and a school full of
families behind one address is not stopped by one guesser. The API's equivalents are DRF
throttles (lms/api/throttles.py), which answer 429 with Retry-After.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable

from django.forms import Form
from django.forms.utils import ErrorDict
from django.http import HttpRequest
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle

from lms.backends import username_key
from lms.conf import lms_setting

Key = str | Callable[[str, HttpRequest], str]


def client_address(request: HttpRequest) -> str:
    """The client's address, the same way for these limits and the API's throttles: DRF's,
    which trusts X-Forwarded-For only as far as REST_FRAMEWORK["NUM_PROXIES"] proxies. Set
    as RATELIMIT_IP_META_KEY. Anything that is not an address falls back to the socket's."""
    address = BaseThrottle().get_ident(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return request.META.get("REMOTE_ADDR", "")
    return address


def tried_username(group: str, request: HttpRequest) -> str:
    """The username typed, the same however it is capitalised, spaced or spelled in Unicode
    (the key sign-in itself matches usernames by, see lms.backends)."""
    return username_key(request.POST.get("username", ""))


SIGN_IN = [(tried_username, "RATE_SIGN_IN_PER_USERNAME"), ("ip", "RATE_SIGN_IN_PER_ADDRESS")]
SIGN_UP = [("ip", "RATE_SIGN_UP_PER_ADDRESS")]
JOIN = [("user_or_ip", "RATE_JOIN_PER_USER"), ("ip", "RATE_JOIN_PER_ADDRESS")]
HELP = [("user_or_ip", "RATE_HELP_PER_USER"), ("ip", "RATE_HELP_PER_ADDRESS")]


def minutes_to_wait(request: HttpRequest, group: str, limits: list[tuple[Key, str]]) -> int:
    """Count this POST against every limit of ``group``; 0 when none is exceeded, otherwise
    the whole minutes until the last exceeded one frees up (to tell the person).

    ``limits`` are (key, setting name) pairs; a key is django-ratelimit's ("ip", "user_or_ip")
    or a function of the request. Every limit counts, even when an earlier one is already
    exceeded, so that a blocked guesser keeps being counted everywhere."""
    exceeded, wait_seconds = False, 0
    for key, setting in limits:
        usage = get_usage(
            request,
            group=f"puente:{group}",
            key=key,
            rate=lms_setting(setting),
            method="POST",
            increment=True,
        )
        if usage and usage["should_limit"]:
            exceeded, wait_seconds = True, max(wait_seconds, usage["time_left"])
    return max(1, math.ceil(wait_seconds / 60)) if exceeded else 0


def sign_in_wait_message(minutes: int) -> str:
    """The same words whether or not the account exists."""
    return ngettext(
        "Too many tries to sign in. Please wait %(minutes)d minute and try again.",
        "Too many tries to sign in. Please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}


def form_refused(form: Form, message: str) -> Form:
    """Mark a bound form as checked, without running its checks (no password is tried), with
    ``message`` as its error: its view shows it as it shows any other error."""
    form._errors = ErrorDict()  # what full_clean() starts from; clean() is not run
    form.cleaned_data = {}
    form.add_error(None, message)
    return form
