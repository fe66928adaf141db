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
    actor_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("learner")

    def __str__(self) -> str:
        return self.display_name or (self.user.get_username() if self.user_id else str(self.pk))
