"""The ``lti`` fixture: Puente on the live server with a course, a school, and a real LTI 1.3
platform (tests/lti_platform.py) registered for that school. A pytest plugin, loaded from
tests/conftest.py; Django models are imported inside the fixture, after Django is set up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.lti_platform import Platform, PlatformBrowser


@dataclass
class LtiWorld:
    tool: str
    platform: Platform
    registration: Any  # lti_tool.models.LtiRegistration
    school: Any  # lms.models.School
    tree: Any  # tests.factories.CourseTree

    def browser(self) -> PlatformBrowser:
        return PlatformBrowser(self.platform, self.tool)

    @property
    def module(self):
        return self.tree.modules[0]


@pytest.fixture
def lti(live_server):
    from lti_tool.models import LtiRegistration

    from lms.lti.services import lti_registration_configure
    from lms.models import School
    from tests.factories import build_course_tree

    tree = build_course_tree(modules=2, lessons_per_module=2, translate_to=("es",))
    school = School.objects.create(name="Lincoln Elementary")
    registration_uuid = uuid.uuid4()
    platform = Platform(tool_base=live_server.url, registration_uuid=registration_uuid)
    registration = LtiRegistration.objects.create(
        name="In-suite LMS",
        uuid=registration_uuid,
        issuer=platform.base,
        client_id=platform.state.client_id,
        auth_url=f"{platform.base}/auth",
        token_url=f"{platform.base}/token",
        keyset_url=f"{platform.base}/jwks",
    )
    lti_registration_configure(
        registration=registration, school=school, deployment_ids=["deployment-1"]
    )
    yield LtiWorld(live_server.url, platform, registration, school, tree)
    platform.stop()
