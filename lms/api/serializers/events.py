from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from lms.models import EventKind


class EventSerializer(serializers.Serializer):
    """One thing a learner did, as the client saw it."""

    id = serializers.UUIDField(help_text=_("Made by the client; sending it again is harmless."))
    type = serializers.ChoiceField(choices=EventKind.choices)
    lesson = serializers.UUIDField(help_text=_("The lesson's key (its Wagtail translation_key)."))
    occurred_at = serializers.DateTimeField(
        help_text=_(
            "When it happened (RFC 3339; without an offset it is taken as UTC). "
            "Up to 30 days ago; a time in the future counts as now."
        )
    )
    language = serializers.CharField(required=False, allow_blank=True, max_length=10)
    question = serializers.CharField(
        required=False, max_length=64, help_text=_("For 'answered': the question's id.")
    )
    choices = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=20,
        help_text=_("For 'answered': the ids of the chosen answers."),
    )
    progress = serializers.IntegerField(
        required=False, min_value=0, max_value=100, help_text=_("For 'progressed': 0-100.")
    )
    duration_seconds = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=86_400,
        help_text=_("For 'completed': time spent on the lesson."),
    )

    def validate(self, attrs: dict) -> dict:
        if attrs["type"] == EventKind.ANSWERED:
            if not attrs.get("question"):
                raise serializers.ValidationError({"question": _("An answer needs its question.")})
            if not attrs.get("choices"):
                raise serializers.ValidationError({"choices": _("An answer needs a choice.")})
        if attrs["type"] == EventKind.PROGRESSED and attrs.get("progress") is None:
            raise serializers.ValidationError({"progress": _("Say how far, from 0 to 100.")})
        return attrs


class EventBatchSerializer(serializers.Serializer):
    """Schema only: the view validates each event on its own so one bad event costs nothing."""

    learner = serializers.IntegerField(
        required=False,
        help_text=_(
            "With an integration token: the learner the events are for (a learner in one of "
            "the token's school's classes). Signed in as a learner: leave it out."
        ),
    )
    events = EventSerializer(many=True)


class EventResultSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(
        choices=["recorded", "duplicate", "accepted", "rejected"],
        help_text=_(
            "'accepted' (with Prefer: respond-async): checked and kept, recorded in a moment; "
            "a duplicate is then recorded once."
        ),
    )
    errors = serializers.DictField(required=False)
    correct = serializers.BooleanField(required=False, allow_null=True)
    lesson_completed = serializers.BooleanField(required=False)
    unanswered_questions = serializers.ListField(child=serializers.CharField(), required=False)


class EventBatchResultSerializer(serializers.Serializer):
    recorded = serializers.IntegerField()
    accepted = serializers.IntegerField(
        required=False, help_text=_("With Prefer: respond-async: events kept to record later.")
    )
    duplicates = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = EventResultSerializer(many=True)
