"""Settings for the test suite: fast hashing, a local cache, no outside services."""

from .base import *  # noqa: F403

DEBUG = False
PUENTE_ENVIRONMENT = "test"
SECRET_KEY = "puente-tests-only"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A file, not memory: the delivery worker tests run a worker in a subprocess against it.
(BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405 # ignored by git, absent in a fresh clone
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}  # noqa: F405

# Serve static files from the apps, as in development, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Pages are not indexed for search as tests save them (a quarter of building a course tree):
# the search tests turn it back on (tests/test_search.py).
WAGTAILSEARCH_BACKENDS = {
    "default": {**WAGTAILSEARCH_BACKENDS["default"], "AUTO_UPDATE": False}  # noqa: F405
}
