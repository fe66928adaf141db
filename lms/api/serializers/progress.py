from rest_framework import serializers


class LessonProgressSerializer(serializers.Serializer):
    key = serializers.CharField(source="node.key")
    title = serializers.CharField(source="node.title")
    url = serializers.CharField(source="node.url")
    status = serializers.ChoiceField(choices=["not_started", "in_progress", "completed"])
    questions = serializers.IntegerField(source="node.question_count")
    questions_right = serializers.IntegerField()


class ModuleProgressSerializer(serializers.Serializer):
    key = serializers.CharField(source="node.key")
    title = serializers.CharField(source="node.title")
    url = serializers.CharField(source="node.url")
    percent = serializers.IntegerField()
    completed = serializers.BooleanField()
    lessons = LessonProgressSerializer(many=True)


class CourseProgressSerializer(serializers.Serializer):
    key = serializers.CharField(source="node.key")
    title = serializers.CharField(source="node.title")
    url = serializers.CharField(source="node.url")
    started = serializers.BooleanField()
    completed = serializers.BooleanField()
    percent = serializers.IntegerField()
    questions = serializers.IntegerField(source="questions_total")
    questions_right = serializers.IntegerField()
    continue_url = serializers.SerializerMethodField()
    modules = ModuleProgressSerializer(many=True)

    def get_continue_url(self, course) -> str | None:
        return course.continue_lesson.node.url if course.continue_lesson else None


class AssignedSerializer(serializers.Serializer):
    key = serializers.CharField(source="node.key")
    title = serializers.CharField(source="node.title")
    url = serializers.CharField(source="node.url")
    due_on = serializers.DateField(source="assignment.due_on", allow_null=True)
    note = serializers.CharField(source="assignment.note")
    classroom = serializers.CharField(source="assignment.classroom.name")
    assigned_by = serializers.CharField(source="assigned_by_name")
    status = serializers.CharField(source="progress.status")
    percent = serializers.IntegerField(source="progress.percent")
    overdue = serializers.BooleanField(source="progress.overdue")


class HouseholdMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_child = serializers.BooleanField()
    courses = CourseProgressSerializer(many=True)
    assignments = AssignedSerializer(many=True)
