"""An LTI launch in a real browser, inside the LMS's iframe: the LMS (127.0.0.1) and Puente
(localhost) are different sites, so Puente's cookies in the frame are third-party ones."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from lms.models import Learner
from tests.browser import CHROMIUM_ARGS, PHONE, chromium_path

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def cookie_blocking_phone(browser, tmp_path):
    """A phone whose browser blocks third-party cookies, as Safari and many Chrome users do.
    Chromium takes that setting from its profile, so the context gets a profile of its own."""
    preferences = tmp_path / "Default" / "Preferences"
    preferences.parent.mkdir(parents=True)
    preferences.write_text(
        json.dumps({"profile": {"block_third_party_cookies": True, "cookie_controls_mode": 1}})
    )
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path),
        executable_path=chromium_path(),
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        is_mobile=True,
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def test_a_framed_launch_without_third_party_cookies_continues_in_a_new_window(
    lti, cookie_blocking_phone
):
    module_key = str(lti.module.translation_key)
    query = urlencode(
        {
            "user": "student-1",
            "kind": "resource",
            "rl": "link-1",
            "custom": json.dumps({"puente_activity": module_key}),
        }
    )
    page = cookie_blocking_phone.new_page()
    page.goto(f"{lti.platform.base}/course?{query}")

    frame = page.frame_locator("#tool")
    # Puente cannot keep a session in the frame: it says so, in the learner's language, and
    # offers the new window instead of failing the launch.
    new_window_link = frame.locator("#lti1p3-new-tab-link")
    new_window_link.wait_for(state="visible")
    warning = frame.locator("#lti1p3-warning-msg").inner_text()
    assert "new tab or window" in warning
    assert not Learner.objects.exists()

    with page.expect_popup() as popup_info:
        new_window_link.click()
    popup = popup_info.value
    spanish_module = lti.tree.translation(lti.module, "es")
    popup.wait_for_url(lti.tool + spanish_module.get_url())
    assert popup.locator("html").get_attribute("lang") == "es"
    assert popup.locator("h1").inner_text() == spanish_module.title
    learner = Learner.objects.get()
    assert learner.preferred_language == "es"

    # In that window the learner is signed in: their progress is theirs.
    lesson = lti.tree.translation(lti.module.get_children().first(), "es")
    popup.goto(lti.tool + lesson.get_url())
    assert popup.locator("html").get_attribute("lang") == "es"
    assert learner.lessons.count() == 1
