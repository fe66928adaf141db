from rest_framework import serializers


class LessonSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    summary = serializers.CharField(source="description")
    minutes = serializers.IntegerField(allow_null=True)
    questions = serializers.IntegerField(source="question_count")


class ModuleSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    summary = serializers.CharField(source="description")
    lessons = LessonSerializer(many=True, source="children")


class CourseSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    summary = serializers.CharField(source="description")
    minutes = serializers.IntegerField(allow_null=True)
    modules = ModuleSerializer(many=True, source="children")
