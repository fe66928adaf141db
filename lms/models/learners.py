import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Learner(models.Model):
    """Someone who learns. Usually a user account; a child's profile may have no account.

    ``actor_id`` is the opaque name of the learner's xAPI account: statements never carry a
    name, an email or anything else that identifies a person.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="learner",
    )
    display_name = models.CharField(_("name or nickname"), max_length=60, blank=True)
    preferred_language = models.CharField(max_length=10, blank=True)
    phone = models.CharField(_("phone (optional)"), max_length=30, blank=True)
    # The caregiver's own profile and the children's profiles share a household.
    household = models.ForeignKey(
        "lms.Household", null=True, blank=True, on_delete=models.CASCADE, related_name="members"
    )
    actor_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The school whose educator made this account (roster, "add a learner"): its educators
    # may give it a new password. Accounts people made themselves are theirs alone.
    created_by_school = models.ForeignKey(
        "lms.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("learner")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or (self.user.get_username() if self.user_id else str(self.pk))

    @property
    def is_child_profile(self) -> bool:
        """A profile without an account of its own, managed by a caregiver."""
        return self.user_id is None


class RecoveryCode(models.Model):
    """A one-time code a learner keeps on paper to get back into their account without
    email. Only its hash is stored; using it issues a new one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_code"
    )
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("recovery code")

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"
