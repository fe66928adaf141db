"""Calling a platform's LTI services (grades, rosters) with timeouts.

PyLTI1p3 calls platforms without timeouts; a hung platform must hang neither the worker nor a
request, so every call goes through a session that always sets one.
"""

from __future__ import annotations

import requests
from lti_tool.models import LtiRegistration
from pylti1p3.service_connector import ServiceConnector

from lms.conf import lms_setting


class TimeoutSession(requests.Session):
    def request(self, *args, **kwargs):
        kwargs.setdefault(
            "timeout", (lms_setting("XAPI_CONNECT_TIMEOUT"), lms_setting("XAPI_READ_TIMEOUT"))
        )
        return super().request(*args, **kwargs)


def platform_connector(registration: LtiRegistration) -> ServiceConnector:
    """A connector to the platform's services (it fetches and keeps its access tokens)."""
    return ServiceConnector(registration.to_registration(), TimeoutSession())
