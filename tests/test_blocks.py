"""Every lesson block renders with its own template, and rejects what a learner cannot use."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from wagtail.blocks import StreamValue

from courses.blocks import (
    CalloutBlock,
    FigureBlock,
    GlossaryBlock,
    LessonStreamBlock,
    MediaBlock,
    QuestionBlock,
    StepsBlock,
    TextBlock,
)
from lms.activities import QuestionKind
from tests.factories import every_block, make_image, question

pytestmark = pytest.mark.django_db


def render_stream(raw: list[dict], **context) -> dict[str, str]:
    """Render each child of a raw stream the way the lesson template does."""
    stream = StreamValue(LessonStreamBlock(), raw, is_lazy=True)
    rendered = {}
    for child in stream:
        ctx = {"block_id": child.id, **context}
        rendered[child.id] = child.block.render(child.value, ctx)
    return rendered


def test_every_block_has_its_own_template():
    for block in (
        TextBlock,
        FigureBlock,
        StepsBlock,
        CalloutBlock,
        MediaBlock,
        GlossaryBlock,
        QuestionBlock,
    ):
        assert block._meta_class.template.startswith("courses/blocks/"), block


def test_each_block_type_renders():
    image = make_image()
    raw = every_block(image)
    html = render_stream(raw)
    by_type = {block["type"]: html[block["id"]] for block in raw}

    assert by_type["text"] == '<div class="block-text"><p>Wi-Fi is <b>wireless</b>.</p></div>\n'
    assert 'alt="A router on a shelf"' in by_type["image"]
    assert "<figcaption>A router.</figcaption>" in by_type["image"]
    assert '<ol class="steps">' in by_type["steps"]
    assert 'alt="The Settings screen"' in by_type["steps"]
    assert "Tap Wi-Fi." in by_type["steps"]
    assert "block-callout warning" in html[raw[4]["id"]]
    assert "block-callout tip" in html[raw[3]["id"]]
    assert "<dfn>Router</dfn>" in by_type["glossary"]
    assert 'preload="none"' in by_type["media"]
    assert "Tap the green button to join." in by_type["media"]
    assert "<details" in by_type["media"]


def test_images_are_responsive_modern_and_lazy():
    image = make_image()
    raw = every_block(image)
    html = render_stream(raw)[raw[1]["id"]]
    assert 'type="image/avif"' in html
    assert ".format-webp.width-320.webp 320w" in html  # the <img> fallback
    assert 'loading="lazy"' in html
    assert "320w" in html
    assert "960w" in html
    assert "sizes=" in html


def test_question_renders_a_form_that_works_without_javascript():
    raw = [question("multiple", correct=(0, 2), count=4)]
    html = render_stream(raw)[raw[0]["id"]]
    assert '<form class="block-question"' in html
    assert 'method="post"' in html
    assert html.count('type="checkbox"') == 4
    assert f'name="question" value="{raw[0]["id"]}"' in html
    assert "Choose all the answers that are right." in html

    single = [question("single")]
    assert render_stream(single)[single[0]["id"]].count('type="radio"') == 3


def test_question_value_becomes_an_lms_question_with_stable_ids():
    raw = question("true_false", correct=(1,))
    stream = StreamValue(LessonStreamBlock(), [raw], is_lazy=True)
    converted = stream[0].value.as_question(stream[0].id)
    assert converted.id == raw["id"]
    assert converted.kind is QuestionKind.TRUE_FALSE
    assert [c.id for c in converted.choices] == [c["id"] for c in raw["value"]["choices"]]
    assert converted.correct_ids == {raw["value"]["choices"][1]["id"]}


def _struct(block, **values):
    return block.to_python(values)


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        ("single", [True, True, False], "exactly one"),
        ("single", [False, False], "exactly one"),
        ("true_false", [True, False, False], "exactly two"),
        ("multiple", [False, False, False], "at least one"),
    ],
)
def test_question_rules_are_enforced(kind, choices, message):
    block = QuestionBlock()
    value = _struct(
        block,
        kind=kind,
        prompt="Q?",
        explanation="",
        choices=[
            {
                "type": "item",
                "id": str(uuid.uuid4()),
                "value": {"text": f"c{i}", "correct": correct, "feedback": "f"},
            }
            for i, correct in enumerate(choices)
        ],
    )
    with pytest.raises(ValidationError) as error:
        block.clean(value)
    assert message in str(error.value.block_errors["choices"])


def test_image_requires_alt_text():
    block = FigureBlock()
    image = make_image()
    with pytest.raises(ValidationError):
        block.clean(_struct(block, image=image.id, alt="", caption=""))
    assert block.clean(_struct(block, image=image.id, alt="A router", caption=""))


def test_step_screenshot_requires_alt_text():
    block = StepsBlock()
    image = make_image()
    value = _struct(
        block,
        title="",
        steps=[
            {
                "type": "item",
                "id": str(uuid.uuid4()),
                "value": {"text": "Tap.", "screenshot": image.id, "screenshot_alt": ""},
            }
        ],
    )
    with pytest.raises(ValidationError):
        block.clean(value)


def test_media_requires_a_source_and_a_transcript():
    block = MediaBlock()
    with pytest.raises(ValidationError):
        block.clean(
            _struct(
                block,
                kind="audio",
                title="A",
                file=None,
                url="",
                captions=None,
                transcript="<p>Words.</p>",
            )
        )
    with pytest.raises(ValidationError):
        block.clean(
            _struct(
                block,
                kind="audio",
                title="A",
                file=None,
                url="https://media.example.org/a.mp3",
                captions=None,
                transcript="",
            )
        )
