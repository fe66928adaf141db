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
