"""The xAPI outbox: statements written with the progress that implies them, and their
delivery to each Learning Record Store. Nothing is marked delivered before the LRS says so."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lms.encryption import EncryptedTextField
from lms.models.learners import Learner
from lms.models.progress import LearnerEvent
from lms.models.queues import QueuedDelivery


class InsertedAsValuesJSONField(models.JSONField):
    """A JSONField that ``bulk_create`` inserts as a plain VALUES list on PostgreSQL.

    Django 5.2 bulk-inserts through ``UNNEST`` of one array per column, and psycopg, binding
    on the client, quotes an array of JSON text in Python, one regular-expression match per
    double quote: 100 statements took 36 ms to store that way, 24 ms with VALUES (measured
    2026-11-30, docs/benchmarks.md). A field with ``get_placeholder`` keeps Django on VALUES."""

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s"  # the placeholder Django writes for any field without this method


class Statement(models.Model):
    """An xAPI statement, frozen when its event was recorded: every retry sends these bytes.

    Deleting a learner (or the account that owns them) deletes their statements and any
    delivery not yet made: nothing about an erased person is sent afterwards. Statements an LRS
    already stored stay there, under the learner's opaque id only.
    """

    id = models.UUIDField(primary_key=True, editable=False)
    learner = models.ForeignKey(
        Learner, null=True, on_delete=models.CASCADE, related_name="statements"
    )
    event = models.ForeignKey(
        LearnerEvent, null=True, on_delete=models.SET_NULL, related_name="statements"
    )
    verb = models.CharField(max_length=40)
    payload = InsertedAsValuesJSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("xAPI statement")

    def __str__(self) -> str:
        return f"{self.verb} {self.id}"


class LrsEndpoint(models.Model):
    """A Learning Record Store that receives every statement (a district's, a state's...)."""

    SETTINGS_KEY = "default"

    key = models.SlugField(unique=True, help_text=_("A short name, unique."))
    name = models.CharField(max_length=100)
    url = models.URLField(
        help_text=_("The xAPI base address, for example https://lrs.example.org/xAPI/")
    )
    username = models.CharField(max_length=200, blank=True)
    # Encrypted with PUENTE_SECRET_KEYS (lms.encryption); never shown again in the admin.
    password = EncryptedTextField(blank=True)
    from_settings = models.BooleanField(
        default=False, editable=False, help_text=_("Configured by XAPI_LRS_* settings.")
    )
    enabled = models.BooleanField(default=True)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    pause_reason = models.TextField(blank=True, editable=False)
    # A fingerprint of the credentials the LRS refused: other credentials resume sending.
    paused_credentials = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Statements recorded before this endpoint existed are queued for it in chunks.
    backfill_cursor = models.DateTimeField(null=True, blank=True, editable=False)
    backfill_cursor_id = models.UUIDField(null=True, blank=True, editable=False)
    backfill_done = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("LRS endpoint")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class StatementDelivery(QueuedDelivery):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(LrsEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("statement delivery")
        constraints = [
            models.UniqueConstraint(fields=["statement", "endpoint"], name="lms_delivery_once"),
        ]
        indexes = [
            # The worker's claim query reads only due pending rows: it stays as fast with a
            # million delivered rows as with none.
            models.Index(
                fields=["endpoint", "next_attempt_at"],
                condition=Q(status="pending"),
                name="lms_delivery_due",
            ),
            models.Index(fields=["endpoint", "status"], name="lms_delivery_status"),
            # The health check counts dead rows on every probe: without this it read the whole
            # status index (55 ms at ten million delivered rows).
            models.Index(fields=["endpoint"], condition=Q(status="dead"), name="lms_delivery_dead"),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} -> {self.endpoint_id}: {self.status}"
