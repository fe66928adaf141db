"""A laptop or a school server: debug on, an insecure key unless one is given."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "django-insecure-puente-dev-only"  # noqa: F405 # dev default only
ALLOWED_HOSTS = ALLOWED_HOSTS + ["[::1]", "testserver"]  # noqa: F405

# Serve static files from the apps (runserver --nostatic is not needed): no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
