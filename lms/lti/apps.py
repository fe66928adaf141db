from django.apps import AppConfig


class LtiConfig(AppConfig):
    """LTI 1.3, optional: a host adds ``lms.lti`` (and django-lti's ``lti_tool``) to
    INSTALLED_APPS, or leaves both out and the plugin has no LTI addresses, models or admin."""

    name = "lms.lti"
    label = "lms_lti"
    verbose_name = "LTI 1.3"  # a name, the same in every language
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lms.lti import grades, receivers
        from lms.queues import extra_queue_register

        receivers.connect()
        extra_queue_register(grades.SCORE_QUEUE)
