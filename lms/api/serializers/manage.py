"""Managing a class through the API: its name and state, assignments, learners, messages,
and the school's record of changes."""

from django.conf import settings
from rest_framework import serializers

from lms.models import ClassActivity, ClassMessage

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class ClassroomChangeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    archived = serializers.BooleanField(
        required=False,
        help_text="True archives the class (it leaves learners' to-do lists and takes no one "
        "new; it stays readable); false reopens it.",
    )


class ClassroomDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    school = serializers.IntegerField(source="school_id")
    school_name = serializers.CharField(source="school.name")
    join_code = serializers.CharField()
    archived_at = serializers.DateTimeField(allow_null=True)


class AssignmentChangeSerializer(serializers.Serializer):
    due_on = serializers.DateField(
        allow_null=True, required=False, help_text="Today or later; null: no due date."
    )
    note = serializers.CharField(max_length=1000, allow_blank=True, required=False)
    note_language = serializers.ChoiceField(
        choices=LANGUAGE_CODES, required=False, help_text="The language the note is written in."
    )
    learner_ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Only these learners of the class; empty: the whole class.",
    )


class LessonStatusSerializer(serializers.Serializer):
    key = serializers.CharField(source="node.key")
    title = serializers.CharField(source="node.title")
    status = serializers.CharField()


class AssignedRecordSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(source="column.assignment.pk")
    key = serializers.CharField(source="column.node.key")
    title = serializers.CharField(source="column.node.title")
    status = serializers.CharField(source="progress.status")
    percent = serializers.IntegerField(source="progress.percent")
    overdue = serializers.BooleanField(source="progress.overdue")
    lessons = LessonStatusSerializer(many=True)


class AnswerRecordSerializer(serializers.Serializer):
    lesson = serializers.CharField(source="lesson.key")
    question = serializers.CharField(source="prompt")
    chosen = serializers.ListField(child=serializers.CharField())
    correct = serializers.BooleanField()
    tries = serializers.IntegerField()
    answered_at = serializers.DateTimeField()


class LearnerRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="learner.pk")
    name = serializers.CharField(source="learner.name")
    username = serializers.SerializerMethodField()
    preferred_language = serializers.CharField(source="learner.preferred_language")
    last_active = serializers.DateTimeField(allow_null=True)
    school_made_account = serializers.BooleanField(
        help_text="Whether the school made the account (and may give it a new password)."
    )
    assignments = AssignedRecordSerializer(many=True)
    answers = AnswerRecordSerializer(many=True)

    def get_username(self, record) -> str | None:
        return record.learner.user.get_username() if record.learner.user_id else None


class MoveSerializer(serializers.Serializer):
    to = serializers.IntegerField(help_text="The id of another class of the same school.")


class MessageSerializer(serializers.ModelSerializer):
    language = serializers.ChoiceField(
        choices=LANGUAGE_CODES, help_text="The language the message is written in."
    )

    class Meta:
        model = ClassMessage
        fields = ["id", "text", "language", "created_at"]
        read_only_fields = ["id", "created_at"]


class ActivitySerializer(serializers.ModelSerializer):
    classroom = serializers.IntegerField(source="classroom_id", allow_null=True)
    school = serializers.IntegerField(source="school_id")
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ClassActivity
        fields = [
            "id",
            "school",
            "classroom",
            "actor",
            "integration",
            "action",
            "detail",
            "created_at",
        ]

    def get_actor(self, entry) -> str | None:
        return entry.actor.get_username() if entry.actor_id else None
