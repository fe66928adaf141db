from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    label = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from courses.observability import sign_in_failed

        user_login_failed.connect(sign_in_failed, dispatch_uid="puente-sign-in-failed")

        from django.db.models.signals import post_delete, post_save
        from wagtail.images import get_image_model

        # A new picture file means new renditions: cached lesson bodies must not name the
        # old ones (courses/lesson_cache.py).
        for signal in (post_save, post_delete):
            signal.connect(
                picture_changed,
                sender=get_image_model(),
                dispatch_uid=f"puente-picture-changed-{signal!r}",
            )


def picture_changed(sender, **kwargs) -> None:
    from lms.selectors.activities import content_changed

    content_changed()
