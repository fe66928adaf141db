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
    """An educator or a school administrator. Granted in the Wagtail admin."""

    class Role(models.TextChoices):
        EDUCATOR = "educator", _("Educator or family liaison")
        ADMINISTRATOR = "administrator", _("School administrator")

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
