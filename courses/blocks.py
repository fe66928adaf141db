"""StreamField blocks that lessons are built from.

Each block renders with its own template under ``courses/blocks/``. Blocks that carry images
ask for alt text; media carries a transcript; questions say which answers are right and give
feedback for every choice, so a learner without JavaScript gets the same help.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

from lms.activities import Choice, Question, QuestionKind

INLINE_FEATURES = ["bold", "italic", "link"]
TEXT_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link"]


class TextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("features", TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "courses/blocks/text.html"
        label = _("Text")
        description = _("Paragraphs and lists in plain language.")
        preview_value = "<p>Wi-Fi lets your phone use the internet without using your data.</p>"


def require_alt_text(
    value: blocks.StructValue, *, image_field: str, alt_field: str
) -> blocks.StructValue:
    """Raise a field error when an image is set without alt text."""
    if value.get(image_field) and not (value.get(alt_field) or "").strip():
        raise StructBlockValidationError(
            block_errors={
                alt_field: ValidationError(_("Describe the picture for people who cannot see it."))
            }
        )
    return value


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt = blocks.CharBlock(
        label=_("Alt text"),
        max_length=250,
        help_text=_("What the picture shows and why it matters, for screen-reader users."),
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    def clean(self, value: blocks.StructValue) -> blocks.StructValue:
        return require_alt_text(super().clean(value), image_field="image", alt_field="alt")

    class Meta:
        icon = "image"
        template = "courses/blocks/figure.html"
        label = _("Image")
        description = _("A picture with required alt text and an optional caption.")


class StepBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Step"), rows=2)
    screenshot = ImageChooserBlock(required=False)
    screenshot_alt = blocks.CharBlock(
        required=False, max_length=250, label=_("Screenshot alt text")
    )

    def clean(self, value: blocks.StructValue) -> blocks.StructValue:
        return require_alt_text(
            super().clean(value), image_field="screenshot", alt_field="screenshot_alt"
        )

    class Meta:
        icon = "list-ol"
        label = _("Step")


class StepsBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, max_length=120)
    steps = blocks.ListBlock(StepBlock(), min_num=1)

    class Meta:
        icon = "list-ol"
        template = "courses/blocks/steps.html"
        label = _("Step-by-step instructions")
        description = _("Numbered steps, each with an optional screenshot.")


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(choices=[("tip", _("Tip")), ("warning", _("Warning"))], default="tip")
    title = blocks.CharBlock(required=False, max_length=120)
    text = blocks.TextBlock()

    class Meta:
        icon = "warning"
        template = "courses/blocks/callout.html"
        label = _("Tip or warning")
        description = _("A short tip or a warning that stands out from the text.")


class MediaBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(choices=[("video", _("Video")), ("audio", _("Audio"))])
    title = blocks.CharBlock(max_length=120)
    file = DocumentChooserBlock(required=False, help_text=_("An uploaded video or audio file."))
    url = blocks.URLBlock(required=False, help_text=_("Or the address of the file elsewhere."))
    captions = DocumentChooserBlock(required=False, help_text=_("WebVTT captions for a video."))
    transcript = blocks.RichTextBlock(
        features=TEXT_FEATURES,
        help_text=_("Everything said and shown, for people who cannot play or hear it."),
    )

    def clean(self, value: blocks.StructValue) -> blocks.StructValue:
        value = super().clean(value)
        if not value.get("file") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"file": ValidationError(_("Choose a file or give its address."))}
            )
        return value

    class Meta:
        icon = "media"
        template = "courses/blocks/media.html"
        label = _("Video or audio")
        description = _("A video or audio clip that only loads when played, with a transcript.")


class GlossaryBlock(blocks.StructBlock):
    term = blocks.CharBlock(max_length=80)
    definition = blocks.TextBlock()

    class Meta:
        icon = "help"
        template = "courses/blocks/glossary.html"
        label = _("Glossary term")
        description = _("A word and what it means.")


class AnswerChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=250)
    correct = blocks.BooleanBlock(required=False, default=False)
    feedback = blocks.TextBlock(
        rows=2, help_text=_("Shown when a learner picks this answer: say why it is right or not.")
    )

    class Meta:
        icon = "radio-full"
        label = _("Answer")


class QuestionValue(blocks.StructValue):
    def as_question(self, block_id: str) -> Question:
        """This question as the LMS plugin sees it; choice ids are the list items' block ids."""
        return Question(
            id=str(block_id),
            kind=QuestionKind(self["kind"]),
            prompt=self["prompt"],
            explanation=self.get("explanation") or "",
            choices=tuple(
                Choice(
                    id=str(bound.id),
                    text=bound.value["text"],
                    correct=bool(bound.value["correct"]),
                    feedback=bound.value["feedback"],
                )
                for bound in self["choices"].bound_blocks
            ),
        )


class QuestionBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[
            (QuestionKind.SINGLE.value, _("One answer")),
            (QuestionKind.MULTIPLE.value, _("Several answers")),
            (QuestionKind.TRUE_FALSE.value, _("True or false")),
        ],
        default=QuestionKind.SINGLE.value,
    )
    prompt = blocks.TextBlock(rows=2)
    choices = blocks.ListBlock(AnswerChoiceBlock(), min_num=2, max_num=8)
    explanation = blocks.TextBlock(
        required=False, rows=2, help_text=_("Shown after answering: why the answer is right.")
    )

    def clean(self, value: blocks.StructValue) -> blocks.StructValue:
        value = super().clean(value)
        kind = value["kind"]
        correct_count = sum(1 for choice in value["choices"] if choice["correct"])
        if kind == QuestionKind.TRUE_FALSE and len(value["choices"]) != 2:
            message = _("A true-or-false question has exactly two answers.")
        elif kind != QuestionKind.MULTIPLE and correct_count != 1:
            message = _("Mark exactly one answer as correct.")
        elif kind == QuestionKind.MULTIPLE and correct_count < 1:
            message = _("Mark at least one answer as correct.")
        else:
            return value
        raise StructBlockValidationError(block_errors={"choices": ValidationError(message)})

    def get_context(self, value: QuestionValue, parent_context: dict | None = None) -> dict:
        context = super().get_context(value, parent_context=parent_context)
        parent_context = parent_context or {}
        block_id = parent_context.get("block_id")
        context["question"] = value.as_question(block_id) if block_id else None
        context["answer"] = parent_context.get("answers", {}).get(str(block_id))
        # Rendered into the form: submitting the same form twice records one answer.
        context["event_id"] = uuid.uuid4()
        question = context["question"]
        if question is not None:
            # For instant feedback on the phone (JavaScript), the same the server gives.
            context["client_data_id"] = f"question-data-{question.id}"
            context["client_data"] = {
                "id": question.id,
                "correct": sorted(question.correct_ids),
                "choices": [{"id": c.id, "feedback": c.feedback} for c in question.choices],
                "explanation": question.explanation,
            }
        return context

    class Meta:
        icon = "help"
        template = "courses/blocks/question.html"
        value_class = QuestionValue
        label = _("Check your understanding")
        description = _("A question with feedback for every answer.")


class LessonStreamBlock(blocks.StreamBlock):
    text = TextBlock()
    image = FigureBlock()
    steps = StepsBlock()
    callout = CalloutBlock()
    media = MediaBlock()
    glossary = GlossaryBlock()
    question = QuestionBlock()
