"""Tokens that other systems use to call Puente's API, each limited to a school and scopes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.models.people import School


class IntegrationToken(models.Model):
    """Shown once when issued; only a hash of its secret is kept. Revoking is immediate."""

    class Scope(models.TextChoices):
        CATALOG_READ = "catalog:read", _("Read the course catalog")
        PROGRESS_READ = "progress:read", _("Read the progress of the school's classes")
        EVENTS_WRITE = "events:write", _("Record learner events for the school's learners")
        CLASSES_WRITE = (
            "classes:write",
            _("Manage the school's classes: learners, assignments, messages"),
        )
        HELP_READ = "help:read", _("Read the school's help requests")
        HELP_WRITE = "help:write", _("Answer the school's help requests")

    name = models.CharField(_("integration"), max_length=120)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="tokens")
    scopes = models.JSONField(default=list)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("integration token")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def scope_labels(self) -> list[str]:
        labels = dict(self.Scope.choices)
        return [str(labels.get(scope, scope)) for scope in self.scopes]
