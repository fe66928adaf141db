from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request is too large.")
    default_code = "too_large"


def api_exception_handler(exc, context):
    """DRF's handler, with the error's code beside its message (``{"detail", "code"}``): an
    offline phone tells a CSRF failure (retry with a fresh token) from a profile it may not
    act as now (keep the events for later) without reading the words."""
    response = exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, APIException)
        and isinstance(response.data, dict)
        and "detail" in response.data
        and isinstance(exc.detail, str)
    ):
        response.data["code"] = exc.detail.code
    return response
