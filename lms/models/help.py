"""Help for a family who is stuck: a school's help desk, places to get help in person, and the
requests families send ("Get help") with the answers they get back."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.models.learners import Learner
from lms.models.people import Classroom, School


class HelpDesk(models.Model):
    """How a school's helpers can be reached. One school's desk is the site's default: it
    answers families who are in no class."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="help_desk")
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    hours = models.CharField(
        _("hours"), max_length=200, blank=True, help_text=_("For example: Mon-Fri 3-7 pm")
    )
    # The language the hours (and places) are written in: marked with lang= on the page.
    language = models.CharField(_("written in"), max_length=10, default="en")
    is_site_default = models.BooleanField(
        _("answers families in no class"),
        default=False,
        help_text=_("One school's help desk answers the families who are in no class."),
    )

    class Meta:
        verbose_name = _("help desk")
        constraints = [
            models.UniqueConstraint(
                fields=["is_site_default"],
                condition=models.Q(is_site_default=True),
                name="lms_one_default_help_desk",
            )
        ]

    def __str__(self) -> str:
        return f"help desk of {self.school_id}"


class HelpPlace(models.Model):
    """Somewhere to get help in person: a library, a community centre."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="help_places")
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    language = models.CharField(_("written in"), max_length=10, default="en")

    class Meta:
        verbose_name = _("place to get help")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class HelpStatus(models.TextChoices):
    # With a context: "In progress" of a lesson is another word in some languages.
    NEW = "new", pgettext_lazy("help request", "New")
    IN_PROGRESS = "in-progress", pgettext_lazy("help request", "In progress")
    ANSWERED = "answered", pgettext_lazy("help request", "Answered")
    CLOSED = "closed", pgettext_lazy("help request", "Closed")


class ContactWay(models.TextChoices):
    PUENTE = "puente", _("Answer me here in Puente")
    CALL = "call", _("Call me")
    TEXT = "text", _("Send me a text message")


class BestTime(models.TextChoices):
    ANY = "any", _("Any time")
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")


class HelpRequest(models.Model):
    """A learner asked for help, from a lesson, a question or their home page.

    ``client_id`` is made by the phone: a request queued offline and sent twice is kept once.
    The message text never leaves Puente (no xAPI statement or log line carries it).
    """

    client_id = models.UUIDField(unique=True)
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="help_requests")
    # Who answers: the class's school and educators, or the site's default help desk.
    school = models.ForeignKey(
        School, null=True, on_delete=models.SET_NULL, related_name="help_requests"
    )
    classroom = models.ForeignKey(
        Classroom, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lesson_key = models.UUIDField(null=True, blank=True)
    question_id = models.CharField(max_length=64, blank=True)
    message = models.TextField(max_length=1000)
    # The language the family wrote in: the one to answer in.
    language = models.CharField(max_length=10)
    contact = models.CharField(max_length=10, choices=ContactWay.choices, default=ContactWay.PUENTE)
    phone = models.CharField(max_length=30, blank=True)
    best_time = models.CharField(max_length=10, choices=BestTime.choices, default=BestTime.ANY)
    status = models.CharField(
        max_length=12, choices=HelpStatus.choices, default=HelpStatus.NEW, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_back_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    first_reply_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("help request")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "status"], name="lms_help_queue")]

    def __str__(self) -> str:
        return f"help request {self.pk} ({self.status})"


class HelpReply(models.Model):
    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=2000)
    language = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the family first saw it: until then it is marked new on their pages.
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("help reply")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"reply to {self.request_id}"
