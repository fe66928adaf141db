"""In a real browser: save a module, learn offline, come back online — the progress reaches the
server and its statements reach the LRS, once each."""

import pytest

from lms.models import AcceptedEvent, LearnerEvent, LessonProgress, QuestionAttempt, Statement
from lms.services.accepted_events import accepted_events_record
from lms.services.learners import learner_sign_up
from lms.services.xapi import endpoints_sync_from_settings
from lms.xapi.worker import DeliveryWorker
from tests.browser import queued, wait_for, wait_until_sent
from tests.conftest import PASSWORD
from tests.factories import build_course_tree

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def answer_rightly(page, lesson):
    """Answer every question of the lesson with its right choices, as a learner taps them;
    each answer is kept on the phone before the next tap."""
    for question in lesson.lms_questions():
        form = page.locator(f"#q-{question.id}")
        before = queued(page)
        for choice in question.choices:
            if choice.correct:
                form.locator(f"input[value='{choice.id}']").check()
        form.locator("button[type=submit]").click()
        assert "right" in form.locator(".result").text_content()
        if not page.evaluate("navigator.onLine"):
            wait_for(lambda before=before: queued(page) == before + 1)


def test_learn_offline_then_sync(phone, live_server, ralph_clean, settings):
    settings.XAPI_LRS_ENDPOINT = ralph_clean.endpoint
    settings.XAPI_LRS_USERNAME = ralph_clean.username
    settings.XAPI_LRS_PASSWORD = ralph_clean.password
    endpoints_sync_from_settings()
    tree = build_course_tree(modules=1, lessons_per_module=3, translate_to=())
    first, second = (lesson.specific for lesson in tree.lessons[:2])
    learner = learner_sign_up(username="nadia", password=PASSWORD, preferred_language="en")

    page = phone.new_page()
    from tests.browser import sign_in

    sign_in(page, live_server.url, "nadia", PASSWORD)
    page.goto(live_server.url + tree.modules[0].get_url())
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.click("button[data-pack]")
    page.wait_for_function(  # a function, not a string: the site's CSP forbids eval
        "() => document.getElementById('save-status').textContent.startsWith('Saved')"
    )
    assert not LearnerEvent.objects.exists(), "saving lessons is not opening them"

    def visit_offline(url: str) -> None:
        """Open a saved lesson; its visit is kept on the phone before the test moves on."""
        before = queued(page)
        page.goto(live_server.url + url)
        wait_for(lambda: queued(page) == before + 1)

    phone.set_offline(True)
    visit_offline(first.get_url())
    assert page.title().startswith(first.title)
    answer_rightly(page, first)
    before = queued(page)
    page.click("form.finish-form button")
    assert "Saved on this phone" in page.locator(".lesson-finish").text_content()
    wait_for(lambda: queued(page) == before + 1)
    visit_offline(second.get_url())
    answer_rightly(page, second)
    visit_offline(tree.lessons[2].get_url())  # saved too: opens
    assert page.title().startswith("Lesson 1.3")
    page.goto(live_server.url + "/en/never-saved/")
    assert page.title().startswith("You are offline")
    expected = 3 + len(first.lms_questions()) + len(second.lms_questions()) + 1
    assert queued(page) == expected  # 3 visits, the answers, 1 finish
    assert not LearnerEvent.objects.exists()

    phone.set_offline(False)
    page.goto(live_server.url + second.get_url())
    wait_until_sent(page)
    # Sent with Prefer: respond-async: checked and kept, to be recorded in a moment (the page
    # and its service worker may both have sent them: a duplicate is recorded once).
    accepted = AcceptedEvent.objects.filter(learner=learner).values_list("event__id", flat=True)
    assert len(set(accepted)) == expected
    # Whatever reads her progress first records them: here, her progress page.
    page.goto(live_server.url + "/en/learn/progress/")
    assert not AcceptedEvent.objects.exists()

    kinds = sorted(LearnerEvent.objects.filter(learner=learner).values_list("kind", flat=True))
    assert kinds.count("answered") == len(first.lms_questions()) + len(second.lms_questions())
    assert kinds.count("completed") == 1
    assert QuestionAttempt.objects.filter(learner=learner, correct=True).count() == 4
    done = LessonProgress.objects.get(learner=learner, lesson_key=first.translation_key)
    assert done.completed_at is not None

    worker = DeliveryWorker()
    worker.run(once=True)
    worker.close()
    stored = ralph_clean.statement_ids()
    assert len(stored) == len(set(stored)) == Statement.objects.count() > 10


def test_queued_progress_survives_a_new_sign_in_and_refused_events_leave_the_queue(
    phone, live_server
):
    """Queued events used to carry the CSRF token of when they were queued: signing in again
    rotated it, every replay got 403 and stayed queued forever. Now they are sent with the
    page's token; an event the server refuses for good leaves the queue and the learner is
    told."""
    import uuid

    from tests.browser import sign_in

    tree = build_course_tree(modules=1, lessons_per_module=2, translate_to=())
    learner = learner_sign_up(username="lupe", password=PASSWORD, preferred_language="en")
    lesson_url = live_server.url + tree.lessons[0].get_url()
    page = phone.new_page()
    sign_in(page, live_server.url, "lupe", PASSWORD)
    page.goto(lesson_url)
    good, gone = str(uuid.uuid4()), str(uuid.uuid4())
    phone.set_offline(True)  # nothing is sent while the events are queued
    page.evaluate(
        """(args) => Promise.all([
            PuenteQueue.add({id: args.good, type: "viewed", lesson: args.lesson,
                             occurred_at: new Date().toISOString()}, args.learner),
            PuenteQueue.add({id: args.gone, type: "viewed", lesson: args.missing,
                             occurred_at: new Date().toISOString()}, args.learner)])""",
        {
            "good": good,
            "gone": gone,
            "lesson": str(tree.lessons[1].translation_key),
            "missing": str(uuid.uuid4()),  # a lesson deleted since: refused for good
            "learner": learner.pk,
        },
    )
    assert queued(page) == 2
    phone.set_offline(False)
    old_token = next(c["value"] for c in phone.cookies() if c["name"] == "csrftoken")
    # Signing out and in again (another family member used the phone) changes the token.
    page.goto(live_server.url + "/en/learn/")
    page.click("form[action$='/sign-out/'] button")
    sign_in(page, live_server.url, "lupe", PASSWORD)
    assert next(c["value"] for c in phone.cookies() if c["name"] == "csrftoken") != old_token

    page.goto(lesson_url)
    wait_until_sent(page)
    assert LearnerEvent.objects.filter(learner=learner, event_id=good).exists()
    assert not LearnerEvent.objects.filter(event_id=gone).exists()
    refused = page.evaluate("PuenteQueue.refused()")
    assert [item["id"] for item in refused] == [gone]
    assert "lesson" in refused[0]["reason"]
    notice = page.locator("#main .message.warning")
    notice.wait_for()
    assert "could not be recorded (1)" in notice.text_content()
    notice.locator("button").click()
    page.wait_for_function("() => !document.querySelector('#main .message.warning')")
    assert page.evaluate("PuenteQueue.refused()") == []


def test_a_childs_session_keeps_the_caregivers_queued_events_for_later(phone, live_server):
    """On a shared phone a child's profile may not send the caregiver's queued events: they
    wait (403 profile_not_allowed is not a refusal) until a grown-up is back."""
    import uuid

    from lms.services.households import household_child_add, household_create
    from tests.browser import sign_in
    from tests.people import PIN

    tree = build_course_tree(modules=1, lessons_per_module=2, translate_to=())
    caregiver = learner_sign_up(username="rosa2", password=PASSWORD, preferred_language="en")
    household = household_create(caregiver=caregiver.user, pin=PIN)
    child = household_child_add(household=household, display_name="Nico", preferred_language="en")
    page = phone.new_page()
    sign_in(page, live_server.url, "rosa2", PASSWORD)
    page.goto(live_server.url + "/en/learn/who/")
    page.click(f"form:has(input[name=learner][value='{child.pk}']) button")
    page.goto(live_server.url + tree.lessons[0].get_url())
    mine = str(uuid.uuid4())
    page.evaluate(
        """(args) => PuenteQueue.add({id: args.id, type: "viewed", lesson: args.lesson,
                     occurred_at: new Date().toISOString()}, args.learner)
            .then(() => PuenteQueue.flush())""",
        {"id": mine, "lesson": str(tree.lessons[1].translation_key), "learner": caregiver.pk},
    )
    assert queued(page) == 1  # kept, not refused
    assert page.evaluate("PuenteQueue.refused()") == []
    assert not LearnerEvent.objects.filter(event_id=mine).exists()
    # The caregiver comes back with the PIN: the event goes, as hers.
    page.goto(live_server.url + "/en/learn/who/")
    page.fill(f"#pin-{caregiver.pk}", PIN)
    page.click(f"form:has(input[name=learner][value='{caregiver.pk}']) button")
    page.goto(live_server.url + tree.lessons[0].get_url())
    wait_until_sent(page)
    assert AcceptedEvent.objects.get(event__id=mine).learner == caregiver
    accepted_events_record()  # the worker's turn
    assert LearnerEvent.objects.get(event_id=mine).learner == caregiver


def test_the_offline_page_is_in_the_familys_language_without_storing_all_ten(phone, live_server):
    tree = build_course_tree(modules=1, lessons_per_module=1, translate_to=("es",))
    page = phone.new_page()
    page.goto(live_server.url + tree.translation(tree.lessons[0], "es").get_url())
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    stored = page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
            }
            return urls.filter((path) => path.endsWith("/offline/")).sort();
        }"""
    )
    # The default language's and the one this family reads in: not every language's.
    assert stored == ["/en/offline/", "/es/offline/"]
    phone.set_offline(True)
    page.goto(live_server.url + "/es/never-saved/")
    assert page.title().startswith("Está sin conexión")
    page.goto(live_server.url + "/ar/never-saved/")  # a language not read yet: the default
    assert page.title().startswith("You are offline")
    phone.set_offline(False)
