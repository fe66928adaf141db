"""The Wagtail admin's sign-in, with the site's sign-in limits: the same counters, so tries
at one door count at the other."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from wagtail.admin.views.account import LoginView

from lms.ratelimits import SIGN_IN, form_refused, minutes_to_wait, sign_in_wait_message


class AdminLoginView(LoginView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        minutes = minutes_to_wait(request, "sign-in", SIGN_IN)
        if minutes:
            form = form_refused(self.get_form(), sign_in_wait_message(minutes))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)
