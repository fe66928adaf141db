from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lms.models import Assignment, Classroom, School


class ClassroomSerializer(serializers.ModelSerializer):
    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.none())
    school_name = serializers.CharField(source="school.name", read_only=True)
    learners = serializers.IntegerField(source="learner_count", read_only=True)

    class Meta:
        model = Classroom
        fields = ["id", "name", "school", "school_name", "join_code", "learners"]
        read_only_fields = ["join_code"]


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    username = serializers.CharField(read_only=True, allow_null=True)
    preferred_language = serializers.CharField(read_only=True)


class NewMemberSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES], required=False, allow_blank=True
    )
    username = serializers.CharField(max_length=150, required=False, allow_blank=True)


class NewAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="learner.pk")
    name = serializers.CharField(source="learner.name")
    username = serializers.CharField()
    password = serializers.CharField(help_text="Shown once; only its hash is kept.")


class JoinSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    learner = serializers.IntegerField(
        required=False, help_text="A caregiver's child profile to join; default: yourself."
    )


class AssignmentSerializer(serializers.ModelSerializer):
    learners = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    learner_ids = serializers.ListField(
        child=serializers.IntegerField(),
        write_only=True,
        required=False,
        help_text="Only these learners of the class; empty or absent: the whole class.",
    )

    class Meta:
        model = Assignment
        fields = [
            "id",
            "activity_key",
            "activity_type",
            "due_on",
            "note",
            "note_language",
            "learners",
            "learner_ids",
            "created_at",
        ]
        read_only_fields = ["activity_type", "created_at"]


class CellSerializer(serializers.Serializer):
    status = serializers.CharField()
    percent = serializers.IntegerField()
    overdue = serializers.BooleanField()


class DashboardRowSerializer(serializers.Serializer):
    learner = serializers.IntegerField(source="learner.pk")
    name = serializers.CharField(source="learner.name")
    last_active = serializers.DateTimeField(allow_null=True)
    cells = CellSerializer(many=True, allow_null=True)


class DashboardColumnSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(source="assignment.pk")
    key = serializers.CharField(source="node.key")
    title = serializers.CharField(source="node.title")
    due_on = serializers.DateField(source="assignment.due_on", allow_null=True)


class QuestionStatSerializer(serializers.Serializer):
    lesson = serializers.CharField(source="lesson.key")
    lesson_title = serializers.CharField(source="lesson.title")
    question = serializers.CharField(source="prompt")
    attempts = serializers.IntegerField()
    right = serializers.IntegerField()
    learners = serializers.IntegerField()
    success_percent = serializers.IntegerField()


class DayCountSerializer(serializers.Serializer):
    day = serializers.DateField()
    lessons_completed = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    columns = DashboardColumnSerializer(many=True)
    rows = DashboardRowSerializer(many=True)
    hardest_questions = QuestionStatSerializer(many=True)
    completions_by_day = serializers.SerializerMethodField()

    @extend_schema_field(DayCountSerializer(many=True))
    def get_completions_by_day(self, dashboard) -> list[dict]:
        return [{"day": day, "lessons_completed": n} for day, n in dashboard.completions_by_day]
