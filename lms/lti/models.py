"""LTI 1.3: which school a platform belongs to, which Puente activity each resource link opens,
and the durable queue of scores going back to platforms' gradebooks.

django-lti (``lti_tool``) keeps registrations, deployments, keys, platform users, contexts and
resource links; these models add what Puente needs on top of them. They belong to the optional
``lms.lti`` app (label ``lms_lti``), in the tables the ``lms`` app first made for them.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from lti_tool.models import LtiContext, LtiRegistration, LtiResourceLink, LtiUser

from lms.models.learners import Learner
from lms.models.people import Classroom, School
from lms.models.queues import QueuedDelivery


class LtiPlatform(models.Model):
    """The school whose classes a platform's courses become when rosters are synced."""

    registration = models.OneToOneField(
        LtiRegistration, on_delete=models.CASCADE, related_name="puente_platform"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="lti_platforms")

    class Meta:
        db_table = "lms_ltiplatform"
        verbose_name = _("LTI platform")

    def __str__(self) -> str:
        return f"{self.registration} → {self.school}"


class LtiActivityLink(models.Model):
    """A platform's resource link and the Puente module or course it opens, per learner who
    launched it, with the line item (gradebook column) their scores go to."""

    resource_link = models.ForeignKey(
        LtiResourceLink, on_delete=models.CASCADE, related_name="puente_links"
    )
    lti_user = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="puente_links")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="lti_links")
    activity_key = models.UUIDField()
    activity_type = models.CharField(max_length=20)
    lineitem_url = models.URLField(max_length=500, blank=True)
    launched_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "lms_ltiactivitylink"
        constraints = [
            models.UniqueConstraint(fields=["resource_link", "lti_user"], name="lms_lti_link_once"),
        ]
        indexes = [models.Index(fields=["learner", "activity_key"], name="lms_lti_link_activity")]

    def __str__(self) -> str:
        return f"{self.resource_link_id} → {self.activity_key}"


class LtiClassLink(models.Model):
    """A platform course (context) whose roster is synced into a Puente class."""

    context = models.OneToOneField(
        LtiContext, on_delete=models.CASCADE, related_name="puente_class"
    )
    classroom = models.OneToOneField(
        Classroom, on_delete=models.CASCADE, related_name="lti_context"
    )
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "lms_lticlasslink"

    def __str__(self) -> str:
        return f"{self.context_id} → {self.classroom_id}"


class ScoreDelivery(QueuedDelivery):
    """A score for a platform's line item, sent by the delivery worker and retried until the
    platform takes it. Its timestamp is fixed when it is made, so a late retry never replaces
    a newer score (the platform keeps the latest timestamp)."""

    link = models.ForeignKey(LtiActivityLink, on_delete=models.CASCADE, related_name="scores")
    score_given = models.FloatField()
    score_maximum = models.FloatField()
    activity_progress = models.CharField(max_length=20)
    grading_progress = models.CharField(max_length=20)
    timestamp = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "lms_scoredelivery"
        verbose_name = _("score delivery")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="lms_score_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score_given}/{self.score_maximum} → {self.link_id}: {self.status}"
