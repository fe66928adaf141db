"""What learners did and how far they got. Keyed by Wagtail translation keys, never page ids."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.models.learners import Learner


class EventKind(models.TextChoices):
    VIEWED = "viewed", _("Opened a lesson")
    PROGRESSED = "progressed", _("Moved through a lesson")
    ANSWERED = "answered", _("Answered a question")
    COMPLETED = "completed", _("Reached the end of a lesson")


class LearnerEvent(models.Model):
    """One thing a learner did, as sent by a page or an app. Recorded once per client UUID."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="events")
    event_id = models.UUIDField(help_text=_("Made by the client; replays are recognised by it."))
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    lesson_key = models.UUIDField(db_index=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)  # accepted events: when accepted
    language = models.CharField(max_length=10, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "event_id"], name="lms_event_once"),
        ]
        indexes = [models.Index(fields=["learner", "-occurred_at"], name="lms_event_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.lesson_key} at {self.occurred_at:%Y-%m-%d %H:%M}"


class CourseRegistration(models.Model):
    """A learner started a course. Its UUID is the xAPI context.registration of every
    statement the learner makes in that course."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="registrations")
    course_key = models.UUIDField()
    registration = models.UUIDField(unique=True)
    started_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "course_key"], name="lms_registration_once"),
        ]

    def __str__(self) -> str:
        return f"registration {self.registration}"


class LessonProgress(models.Model):
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="lessons")
    lesson_key = models.UUIDField()
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Furthest point, in %."))
    reached_end_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "lesson_key"], name="lms_lesson_progress"),
        ]

    def __str__(self) -> str:
        return f"lesson {self.lesson_key}: {self.progress}%"


class QuestionAttempt(models.Model):
    """Every answer a learner gave; none is overwritten."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="attempts")
    event = models.OneToOneField(LearnerEvent, on_delete=models.CASCADE, related_name="attempt")
    lesson_key = models.UUIDField()
    question_id = models.CharField(max_length=64)
    selected = models.JSONField(default=list)
    correct = models.BooleanField()
    answered_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["learner", "lesson_key"], name="lms_attempt_lesson")]

    def __str__(self) -> str:
        return f"question {self.question_id}: {'right' if self.correct else 'wrong'}"


class ActivityCompletion(models.Model):
    """A module or course a learner completed (lessons keep theirs in LessonProgress)."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="completions")
    activity_key = models.UUIDField()
    activity_type = models.CharField(max_length=20)
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "activity_key"], name="lms_completion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_type} {self.activity_key} completed"


class AcceptedEvent(models.Model):
    """An event the API checked and accepted, to be recorded in a moment by the delivery worker
    (a request that asked ``Prefer: respond-async``), or by the next page that reads the
    learner's progress, whichever comes first. Deleted in the transaction that records it."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="accepted_events")
    event = models.JSONField()  # EventInput.to_json()
    received_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["learner", "id"], name="lms_accepted_learner")]

    def __str__(self) -> str:
        return f"accepted event {self.event.get('id', '')}"
