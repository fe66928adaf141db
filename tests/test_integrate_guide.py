"""docs/integrate.md's curl examples, run as written against a live Puente."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from lms.models import IntegrationToken, LearnerEvent
from lms.services.integrations import integration_token_issue
from tests.people import build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
GUIDE = Path(__file__).resolve().parent.parent / "docs" / "integrate.md"
SHELL_BLOCK = re.compile(r"```sh\n(.*?)```", re.S)


def curl_examples() -> list[str]:
    blocks = SHELL_BLOCK.findall(GUIDE.read_text())
    return [block for block in blocks if block.lstrip().startswith("curl")]


def test_the_guide_has_an_example_for_each_scope():
    examples = "\n".join(curl_examples())
    for endpoint in ["/api/v1/catalog/", "/api/v1/classes/", "/dashboard/", "/api/v1/events/"]:
        assert endpoint in examples


def test_every_curl_example_works_as_written(live_server, course_tree):
    if shutil.which("curl") is None:
        pytest.fail("curl is needed to run the guide's examples", pytrace=False)
    world = build_world()
    issued = integration_token_issue(
        school=world.school,
        name="Guide",
        scopes=IntegrationToken.Scope.values,
        created_by=world.users["administrator"],
    )
    environment = {
        **os.environ,
        "PUENTE": live_server.url,
        "PUENTE_TOKEN": issued.secret,
        "CLASS_ID": str(world.class_a1.pk),
        "LEARNER_ID": str(world.learners["ana"].pk),
        "LESSON_KEY": str(course_tree.lessons[0].translation_key),
    }
    examples = curl_examples()
    assert len(examples) >= 5
    for example in examples:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", example],
            env=environment,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0, (example, result.stdout[:500], result.stderr[:500])
        assert json.loads(result.stdout), example
    assert LearnerEvent.objects.get().learner == world.learners["ana"]
