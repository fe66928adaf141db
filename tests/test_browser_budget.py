"""The lesson page's budget as a browser sees it: up to the load event, at most 12 KB
(compressed) in at most 4 requests, lesson images excluded (puente.js comes after the load
event, boot.js). (bench/phone_budget.py measures
the same under a slow-3G profile on a production-like server, with first contentful paint.)"""

import base64
import gzip

import pytest

from tests.browser import LoadRecorder
from tests.factories import build_course_tree

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BYTES_BUDGET = 12 * 1024
REQUEST_BUDGET = 4


def test_lesson_page_budget(phone, live_server):
    tree = build_course_tree(modules=1, lessons_per_module=2, translate_to=())
    url = live_server.url + tree.lessons[0].get_url()  # the lesson with every block type
    page = phone.new_page()
    cdp = phone.new_cdp_session(page)
    recorder = LoadRecorder(cdp)
    page.goto(url, wait_until="load")
    recorder.load_done()

    counted = recorder.before_load()
    transferred = 0
    for request_id in counted:
        if recorder.compressed.get(request_id):
            transferred += recorder.sizes[request_id]
        else:  # the test server does not compress static files; production does
            body = cdp.send("Network.getResponseBody", {"requestId": request_id})
            raw = base64.b64decode(body["body"]) if body["base64Encoded"] else body["body"].encode()
            transferred += len(gzip.compress(raw))
    assert len(counted) <= REQUEST_BUDGET, sorted(counted.values())
    assert transferred <= BYTES_BUDGET, (transferred, sorted(counted.values()))
    assert not any("font" in u or u.endswith((".woff", ".woff2")) for u in counted.values())
    assert not any(u.endswith("/puente.js") for u in counted.values())
    page.wait_for_function("document.documentElement.dataset.puente === 'ready'")


def test_data_saver_loads_pictures_only_when_tapped(phone, live_server):
    tree = build_course_tree(modules=1, lessons_per_module=1, translate_to=())
    page = phone.new_page()
    pictures: list[str] = []
    page.on("request", lambda r: pictures.append(r.url) if "/media/images/" in r.url else None)
    page.goto(live_server.url + tree.lessons[0].get_url())
    page.click("form.data-saver button")  # a plain form: works without JavaScript
    # Until the network is quiet, pictures of the page before may still be on their way.
    page.wait_for_load_state("networkidle")
    pictures.clear()
    page.reload(wait_until="networkidle")
    page.mouse.wheel(0, 5000)  # scrolling does not load them either
    page.wait_for_timeout(300)
    assert pictures == []
    page.locator("details.tap-to-load summary").first.click()
    page.wait_for_function(  # a function, not a string: the site's CSP forbids eval
        "() => document.querySelector('details.tap-to-load[open] img').complete"
    )
    assert len(pictures) == 1
