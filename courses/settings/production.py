"""Production: every secret and address comes from the environment; nothing insecure by default."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list

DEBUG = False
PUENTE_ENVIRONMENT = "production"
if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY for production.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS for production (comma-separated).")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    raise ImproperlyConfigured(
        "Set DATABASE_URL to a PostgreSQL database for production (postgres://user:pass@host/db)."
    )
if not PUENTE_SECRET_KEYS:  # noqa: F405
    raise ImproperlyConfigured(
        "Set PUENTE_SECRET_KEYS for production: it encrypts LRS passwords stored in the "
        'database. Make a key with: python -c "from cryptography.fernet import Fernet; '
        'print(Fernet.generate_key().decode())"'
    )
if not REDIS_URL:  # noqa: F405
    raise ImproperlyConfigured(
        "Set REDIS_URL for production (redis://host:6379/0): rate limits, LTI login state and "
        "nonces must be shared by every web process."
    )

STORAGES = {
    # Uploaded images and documents: the file system by default; any Django storage backend
    # (object storage, say) by its dotted path.
    "default": {
        "BACKEND": os.environ.get(
            "PUENTE_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"
        )
    },
    # Compressed (gzip and Brotli when available) and hashed names, cached forever by browsers.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Load balancers probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# LTI launches run inside the LMS's iframe, a third-party context: browsers send the session and
# CSRF cookies there only when they are SameSite=None (and Secure). Where the browser blocks
# third-party cookies anyway, the launch falls back to a new window (see lms/lti/views.py).
SESSION_COOKIE_SAMESITE = os.environ.get("DJANGO_SESSION_COOKIE_SAMESITE", "None")
CSRF_COOKIE_SAMESITE = os.environ.get("DJANGO_CSRF_COOKIE_SAMESITE", "None")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Without a mail server, nothing is sent (reset links must not end up in logs) and the email
# way back in is not offered.
if not EMAIL_HOST:  # noqa: F405
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    PUENTE_EMAIL_RESET = False

# Uploaded media are served by the web server or object storage in production.
PUENTE_SERVE_MEDIA = env_bool("PUENTE_SERVE_MEDIA", False)

# drf-spectacular's deploy check builds a schema of every URL, Wagtail's and wagtail-localize's
# admin APIs included, and warns about them. Puente's own schema (/api/v1/) is validated by the
# test suite instead (tests/test_production.py).
SPECTACULAR_SETTINGS = {**SPECTACULAR_SETTINGS, "ENABLE_DJANGO_DEPLOY_CHECK": False}  # noqa: F405
