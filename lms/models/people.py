"""Who learns with whom: households sharing a phone, schools, classes, and assignments."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.models.learners import Learner


class Household(models.Model):
    """A caregiver and the children who learn on the family's shared phone.

    The caregiver's PIN guards switching away from a child's profile, so a child cannot open
    the caregiver's profile (or a sibling's) on the shared phone.
    """

    caregiver = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="household"
    )
    pin = models.CharField(max_length=128, help_text=_("Hashed, like a password."))
    # Wrong PINs in a row, counted in the database (one row, updated atomically) so that
    # tries sent at the same time cannot slip past the limit.
    pin_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    pin_locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household")

    def __str__(self) -> str:
        return f"household of {self.caregiver_id}"


class School(models.Model):
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("school")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.Model):
    """An educator, a school administrator or a helper (who answers families' help requests).
    Granted in the Wagtail admin."""

    class Role(models.TextChoices):
        EDUCATOR = "educator", _("Educator or family liaison")
        ADMINISTRATOR = "administrator", _("School administrator")
        HELPER = "helper", _("Helper (help desk or digital navigator)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EDUCATOR)
    # The educator's opaque id in xAPI statements (context.instructor).
    actor_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("staff role")
        constraints = [
            models.UniqueConstraint(fields=["user", "school", "role"], name="lms_staff_role_once"),
        ]

    def __str__(self) -> str:
        return f"{self.role} at {self.school}"


class Classroom(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classrooms")
    name = models.CharField(_("class name"), max_length=120)
    join_code = models.CharField(max_length=12, unique=True)
    educators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="classrooms_taught", blank=True
    )
    # The class's opaque id in xAPI statements (context.team).
    group_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # An archived class is over: it leaves learners' to-do lists and takes no one new, but
    # stays readable (and exportable) for its educators.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClassMembership(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="memberships")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["classroom", "learner"], name="lms_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} in {self.classroom_id}"


class Assignment(models.Model):
    """A module or a whole course, assigned to a class or to chosen learners in it."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    activity_key = models.UUIDField(help_text=_("The module's or course's translation key."))
    activity_type = models.CharField(max_length=20)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=1000)
    # The language the note is written in (it may differ from a family's): marked with lang=.
    note_language = models.CharField(max_length=10, blank=True)
    # Empty: the whole class.
    learners = models.ManyToManyField(Learner, blank=True, related_name="assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["classroom", "activity_key"], name="lms_assignment_activity")
        ]

    def __str__(self) -> str:
        return f"{self.activity_type} {self.activity_key} to {self.classroom_id}"


class ClassMessage(models.Model):
    """A short announcement from a class's educator to its families."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=1000)
    # The language it is written in: marked with lang= for screen readers and readers.
    language = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("class message")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"message to {self.classroom_id}"


class ClassActivity(models.Model):
    """What an educator (or an integration) changed in a class, and when: the school
    administrator's record of who changed which assignment."""

    class Action(models.TextChoices):
        CLASS_CREATED = "class-created", _("Made the class")
        CLASS_RENAMED = "class-renamed", _("Renamed the class")
        CLASS_ARCHIVED = "class-archived", _("Archived the class")
        CLASS_REOPENED = "class-reopened", _("Reopened the class")
        ASSIGNED = "assigned", _("Assigned")
        ASSIGNMENT_CHANGED = "assignment-changed", _("Changed an assignment")
        ASSIGNMENT_DELETED = "assignment-deleted", _("Deleted an assignment")
        LEARNER_ADDED = "learner-added", _("Added a learner")
        LEARNER_REMOVED = "learner-removed", _("Removed a learner")
        LEARNER_MOVED = "learner-moved", _("Moved a learner to another class")
        PASSWORD_RESET = "password-reset", _("Gave a learner a new password")
        MESSAGE_SENT = "message-sent", _("Sent a message to families")
        MESSAGE_DELETED = "message-deleted", _("Deleted a message")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="activity")
    classroom = models.ForeignKey(
        Classroom, null=True, on_delete=models.SET_NULL, related_name="activity"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An integration's changes name its token.
    integration = models.CharField(max_length=120, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    # What was changed, in a few words (a module's title, a learner's name, a class's).
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("class activity")
        verbose_name_plural = _("class activity")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} in {self.classroom_id}"
