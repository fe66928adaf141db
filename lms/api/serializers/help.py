from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from lms.models import BestTime, ContactWay, HelpStatus
from lms.services.help import MESSAGE_MAX, PHONE_MAX, REPLY_MAX


class HelpAskSerializer(serializers.Serializer):
    """A family's request for help, as a page or the phone's offline queue sends it."""

    id = serializers.UUIDField(help_text=_("Made by the client; sending it again is harmless."))
    message = serializers.CharField(max_length=MESSAGE_MAX)
    language = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        help_text=_("The language the message is written in (the page's, by default)."),
    )
    lesson = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("The lesson's key, when asked from one.")
    )
    question = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text=_("The question's id.")
    )
    contact = serializers.ChoiceField(choices=ContactWay.choices, default=ContactWay.PUENTE)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=PHONE_MAX)
    consent = serializers.BooleanField(
        default=False, help_text=_("The family agrees to be called or texted at this number.")
    )
    best_time = serializers.ChoiceField(choices=BestTime.choices, default=BestTime.ANY)


class HelpReplySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(max_length=REPLY_MAX)
    language = serializers.CharField(max_length=10)
    created_at = serializers.DateTimeField(read_only=True)
    seen = serializers.SerializerMethodField()

    def get_seen(self, reply) -> bool:
        return reply.seen_at is not None


class HelpRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=HelpStatus.choices)
    created_at = serializers.DateTimeField()
    learner = serializers.IntegerField(source="learner_id")
    learner_name = serializers.CharField(source="learner.name")
    school = serializers.IntegerField(source="school_id", allow_null=True)
    classroom = serializers.IntegerField(source="classroom_id", allow_null=True)
    lesson = serializers.UUIDField(source="lesson_key", allow_null=True)
    question = serializers.CharField(source="question_id")
    language = serializers.CharField(help_text=_("The language the family wrote in."))
    message = serializers.CharField()
    contact = serializers.ChoiceField(choices=ContactWay.choices)
    phone = serializers.CharField()
    best_time = serializers.ChoiceField(choices=BestTime.choices)
    assigned = serializers.SerializerMethodField(help_text=_("Someone has taken it."))
    called_back_at = serializers.DateTimeField(allow_null=True)
    first_reply_at = serializers.DateTimeField(allow_null=True)
    replies = HelpReplySerializer(many=True, source="replies.all")

    def get_assigned(self, request) -> bool:
        return request.assigned_to_id is not None


class HelpHandlingSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HelpStatus.choices, required=False)
    take = serializers.BooleanField(
        required=False,
        help_text=_("true: the calling person takes the request; false: nobody has it."),
    )
    called_back = serializers.BooleanField(
        required=False, help_text=_("true: someone called the family back (it answers it).")
    )
