"""Progress from the server-rendered pages, without JavaScript: sign up, open, answer, finish."""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lms.models import LearnerEvent, LessonProgress, QuestionAttempt, Statement
from tests.conftest import PASSWORD
from tests.factories import answer_form

pytestmark = pytest.mark.django_db


def test_sign_up_needs_no_email(client):
    response = client.post(
        "/es/accounts/sign-up/",
        {
            "username": "abuela",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "preferred_language": "es",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="abuela")
    assert user.email == ""
    assert user.learner.preferred_language == "es"


def test_sign_up_errors_are_shown_in_the_learners_language(client):
    response = client.post("/es/accounts/sign-up/", {"username": "", "password1": "x"})
    assert response.status_code == 200
    assert "Este campo es obligatorio." in response.content.decode()


def test_sign_in_redirects_back_but_never_off_site(client, learner):
    response = client.post(
        "/en/accounts/sign-in/",
        {"username": "learner", "password": PASSWORD, "next": "https://evil.example.org/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/es/learn/"  # home, in the language the learner chose


def test_anonymous_learners_are_invited_to_save_progress(course_tree, client):
    html = client.get(course_tree.lessons[0].get_url()).content.decode()
    assert "to save your progress" in html
    assert "I finished this lesson" not in html
    assert not LearnerEvent.objects.exists()


def test_opening_a_lesson_records_one_visit(course_tree, learner_client, learner):
    url = course_tree.lessons[0].get_url()
    learner_client.get(url)
    learner_client.get(url)  # a refresh is the same visit
    assert LearnerEvent.objects.filter(kind="viewed").count() == 1
    assert list(Statement.objects.order_by("created_at").values_list("verb", flat=True)) == [
        "registered",
        "experienced",
    ]


def test_answering_and_finishing_a_lesson_without_javascript(course_tree, learner_client, learner):
    lesson = course_tree.lessons[0].specific
    url = lesson.get_url()
    html = learner_client.get(url).content.decode()
    assert "I finished this lesson" in html

    response = learner_client.post(url, {"action": "finish", "event": str(uuid.uuid4())})
    assert response.status_code == 200
    assert "Answer these questions first" in response.content.decode()

    for question in lesson.lms_questions():
        event_id = answer_form(html, question.id)
        data = {
            "question": question.id,
            "event": event_id,
            "choice": [c.id for c in question.choices if c.correct],
        }
        learner_client.post(url, data)
        learner_client.post(url, data)  # the same form sent twice is one answer
    assert QuestionAttempt.objects.count() == len(lesson.lms_questions())

    finish_id = re.search(
        r'name="action" value="finish">\s*<input type="hidden" '
        r'name="event" value="([^"]+)"',
        html,
    ).group(1)
    response = learner_client.post(url, {"action": "finish", "event": finish_id})
    assert response.status_code == 302
    assert response["Location"] == course_tree.lessons[1].get_url()
    learner_client.post(url, {"action": "finish", "event": finish_id})  # sent twice
    assert LearnerEvent.objects.filter(kind="completed", event_id=finish_id).count() == 1
    assert LessonProgress.objects.get(learner=learner).completed_at is not None
    next_page = learner_client.get(response["Location"]).content.decode()
    assert "Well done! You finished" in next_page
    page = learner_client.get(url).content.decode()
    assert "You finished this lesson" in page


def test_finishing_needs_a_signed_in_learner(course_tree, client):
    url = course_tree.lessons[0].get_url()
    response = client.post(url, {"action": "finish"})
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/sign-in/?next=")


def test_module_and_course_pages_show_progress(course_tree, learner_client, learner):
    lesson = course_tree.lessons[1].specific
    question = lesson.lms_questions()[0]
    url = lesson.get_url()
    learner_client.get(url)
    learner_client.post(
        url, {"question": question.id, "choice": [c.id for c in question.choices if c.correct]}
    )
    learner_client.post(url, {"action": "finish"})
    module_html = learner_client.get(course_tree.modules[0].get_url()).content.decode()
    assert module_html.count('<span class="status status-completed">') == 1
    course_html = learner_client.get(course_tree.course.get_url()).content.decode()
    assert 'value="17"' in course_html  # <progress> 1 of 6 lessons
    assert "Continue where you left off" in course_html
    assert f'href="{course_tree.lessons[2].get_url()}">Continue' in course_html


def test_my_progress_page(course_tree, learner_client):
    learner_client.get(course_tree.lessons[0].get_url())
    response = learner_client.get("/en/learn/progress/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Family Digital Skills" in html
    assert "In progress" in html
    assert "Questions answered right: 0 of 8" in html
    assert Client().get("/en/learn/progress/").status_code == 302


def test_a_signed_in_learners_lesson_page_stays_within_the_query_budget(
    course_tree, learner_client
):
    url = course_tree.lessons[0].get_url()
    learner_client.get(url)  # the first visit records it; a later view only reads
    with CaptureQueriesContext(connection) as queries:
        response = learner_client.get(url)
    assert response.status_code == 200
    assert len(queries.captured_queries) <= 10, [q["sql"][:90] for q in queries.captured_queries]


@pytest.mark.parametrize("language", ["en", "es", "ar"])
def test_signing_out_lands_on_the_home_page_in_the_same_language(
    learner_client, course_tree, language
):
    response = learner_client.post(f"/{language}/accounts/sign-out/")
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/"
    assert "_auth_user_id" not in learner_client.session
    home = learner_client.get(response["Location"], follow=True)
    assert home.status_code == 200
    assert len(list(home.context["messages"])) == 1
    # A child's profile on a shared phone ends with the session too.
    assert "puente_active_learner" not in learner_client.session
