"""xAPI activity IRIs resolve: JSON metadata for an LRS, the page for a person."""

import pytest

from lms.models import Statement
from lms.services.progress import learner_event_record
from tests.factories import lesson_event

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


def iri_path(iri: str) -> str:
    return "/xapi/" + iri.split("/xapi/", 1)[1]


@pytest.fixture
def answered(course_tree, learner):
    """The statement of an answer: it names a question, its lesson, module and course."""
    lesson = course_tree.lessons[0]
    question = lesson.specific.lms_questions()[0]
    event = lesson_event(
        lesson,
        "answered",
        question_id=question.id,
        choice_ids=(question.choices[0].id,),
    )
    learner_event_record(learner=learner, event=event)
    return Statement.objects.get(verb="answered").payload


def test_every_activity_iri_of_a_statement_answers_its_definition_as_json(client, answered):
    activities = [answered["object"], *answered["context"]["contextActivities"]["parent"]]
    activities += answered["context"]["contextActivities"].get("grouping", [])
    kinds = set()
    for activity in activities:
        response = client.get(iri_path(activity["id"]), **JSON)
        assert response.status_code == 200, activity["id"]
        assert response["Content-Type"] == "application/json"
        definition = response.json()
        assert definition["type"] == activity["definition"]["type"]
        kinds.add(definition["type"].rsplit("/", 1)[-1])
        assert set(definition["name"]) == {"en", "es"}  # every language
        if "interaction" not in definition["type"]:
            assert definition["name"]["es"].startswith("[es]")
        assert "Accept" in response["Vary"]
    assert {"cmi.interaction", "lesson", "module", "course"} <= kinds
    question = client.get(iri_path(answered["object"]["id"]), **JSON).json()
    assert question == answered["object"]["definition"] | {
        "name": question["name"],
        "description": question["description"],
    }
    assert question["interactionType"] == "choice"


def test_a_browser_goes_to_the_page_in_its_language(client, answered, course_tree):
    lesson_iri = iri_path(answered["context"]["contextActivities"]["parent"][0]["id"])
    english = client.get(lesson_iri, **BROWSER)
    assert english.status_code == 302
    assert english["Location"] == course_tree.lessons[0].url
    spanish = client.get(lesson_iri, HTTP_ACCEPT_LANGUAGE="es", **BROWSER)
    assert spanish["Location"] == course_tree.translation(course_tree.lessons[0], "es").url
    question = client.get(iri_path(answered["object"]["id"]), **BROWSER)
    assert question.status_code == 302
    question_id = answered["object"]["id"].rsplit("/", 1)[-1]
    assert question["Location"] == f"{course_tree.lessons[0].url}#q-{question_id}"


def test_unknown_activities_are_404_either_way(client, course_tree):
    unknown = "/xapi/activities/lesson/00000000-0000-4000-8000-000000000000"
    assert client.get(unknown, **JSON).status_code == 404
    assert client.get(unknown, **BROWSER).status_code == 404
    module_as_lesson = f"/xapi/activities/lesson/{course_tree.modules[0].translation_key}"
    assert client.get(module_as_lesson, **JSON).status_code == 404
    assert client.get("/xapi/activities/nonsense/" + unknown[-36:], **JSON).status_code == 404
