"""Settings shared by every environment.

Everything that differs between a laptop and production is read from environment variables
(documented in docs/configuration.md); the defaults give a zero-setup site on SQLite.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.conf.locale import LANG_INFO

from lms.languages import EXTRA_LANG_INFO

BASE_DIR = Path(__file__).resolve().parent.parent.parent
COURSES_DIR = BASE_DIR / "courses"


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated environment variable as a list, blanks dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Which kind of site this is ("development", "test" or "production"): commands that would be
# wrong on a real site (the demo's known passwords) check it.
PUENTE_ENVIRONMENT = "development"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Earlier secret keys, still accepted for sessions and links signed before a rotation.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# A stale form (a page left open across a sign-out) gets a kind page in the reader's language.
CSRF_FAILURE_VIEW = "courses.errors.csrf_failure"

# The public address of this site, without a trailing slash. Used for absolute links in the
# Wagtail admin and, later, as the homePage of learners' xAPI accounts.
PUENTE_BASE_URL = os.environ.get("PUENTE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = PUENTE_BASE_URL

INSTALLED_APPS = [
    "courses",
    "lms",
    "lms.lti",  # optional: LTI 1.3 launches, deep linking, rosters and grades
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "lti_tool",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
]

MIDDLEWARE = [
    # Outermost: a request id for every log line, and one line per request (errors included).
    "courses.observability.RequestLogMiddleware",
    # Load balancers probe by the server's address: answered before the host is checked.
    "courses.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Early in the list, so that it sees every response last (with the LTI frame origin).
    "courses.middleware.ContentSecurityPolicyMiddleware",
    "courses.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "courses.middleware.GZipUnlessCompressedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "courses.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Restores an LTI launch from the cache for the pages that need it (deep linking), when
    # they ask for it.
    "lms.lti.middleware.LtiLaunchMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After the clickjacking middleware in this list, so it sees responses first.
    "lms.lti.middleware.LtiFrameMiddleware",
    # Innermost: it stands in for the view, and everything above treats its pages as fresh.
    "courses.page_cache.AnonymousPageCacheMiddleware",
]

ROOT_URLCONF = "courses.urls"
WSGI_APPLICATION = "courses.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# No request waits long for a database that does not answer: connecting gives up after
# DATABASE_CONNECT_TIMEOUT seconds and any statement after DATABASE_STATEMENT_TIMEOUT
# milliseconds (0: none; set it to 0 for a long migration). The page then says "try again in
# a minute" with 503 (courses/errors.py), and the delivery worker waits and reconnects.
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
DATABASE_STATEMENT_TIMEOUT = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "30000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": DATABASE_CONNECT_TIMEOUT,
        "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT}",
        # A server that vanished (a network cut, a killed VM) is noticed within a minute.
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the delivery worker share one SQLite file: WAL lets readers work
    # beside a writer, and IMMEDIATE transactions take the write lock up front instead of
    # failing halfway with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation. The interface speaks every language below; course content exists per
# locale through Wagtail's i18n, and a page not yet translated falls back to English.
LANGUAGE_CODE = "en"
# The ten most common home languages of English learners in US schools (NCES). Adding one is
# described in docs/languages.md.
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("vi", "Tiếng Việt"),
    ("zh-hans", "简体中文"),
    ("ar", "العربية"),
    ("pt-br", "Português (Brasil)"),
    ("ru", "Русский"),
    ("ht", "Kreyòl ayisyen"),
    ("so", "Soomaali"),
    ("hmn", "Hmoob"),
]
# Django names and directions only the languages it ships; these three it does not.
LANG_INFO.update(EXTRA_LANG_INFO)
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
LOCALE_PATHS = [COURSES_DIR / "locale"]
FORMAT_MODULE_PATH = ["courses.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Serve uploaded media from Django itself (a laptop, a school server, tests). In production put
# MEDIA_ROOT behind the web server or use object storage, and set PUENTE_SERVE_MEDIA=0.
PUENTE_SERVE_MEDIA = env_bool("PUENTE_SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# One process keeps its cache in memory. With several web processes set REDIS_URL: LTI login
# state and nonces, rate limits and cached pages must be shared by all of them.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Seconds a cache call may take before Redis counts as down (courses/cache.py: pages go on).
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.5"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "courses.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "puente",
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "puente",
        }
    }

# Whole lesson pages for readers who are not signed in are kept this long at most
# (courses/page_cache.py); publishing anything replaces them at once. 0 turns it off.
PUENTE_PAGE_CACHE_SECONDS = int(os.environ.get("PUENTE_PAGE_CACHE_SECONDS", "600"))

# Email: only for learners who gave an address and forgot their password (most families use
# a recovery code instead). On a laptop the messages are printed in the terminal.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Puente <puente@localhost>")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
# Whether "send me a link by email" is offered (production: only with EMAIL_HOST).
PUENTE_EMAIL_RESET = True

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
AUTHENTICATION_BACKENDS = ["lms.backends.LearnerModelBackend"]
LOGIN_URL = "lms:login"
LOGIN_REDIRECT_URL = "lms:home"

# Learning management (the lms plugin) and xAPI delivery. Without XAPI_LRS_ENDPOINT (and
# without endpoints added in the admin) statements wait in the outbox; nothing is lost.
PUENTE_PLATFORM = "Puente"
XAPI_LRS_ENDPOINT = os.environ.get("XAPI_LRS_ENDPOINT", "")
XAPI_LRS_USERNAME = os.environ.get("XAPI_LRS_USERNAME", "")
XAPI_LRS_PASSWORD = os.environ.get("XAPI_LRS_PASSWORD", "")
# Fernet keys that encrypt secrets stored in the database (LRS passwords), the first one in use;
# see lms/encryption.py. Without them a key is derived from SECRET_KEY (not in production).
PUENTE_SECRET_KEYS = env_list("PUENTE_SECRET_KEYS")
PUENTE_XAPI_BATCH_SIZE = int(os.environ.get("PUENTE_XAPI_BATCH_SIZE", "100"))
# Acknowledged statements older than this are deleted by `manage.py purge` (run daily).
PUENTE_RETENTION_DAYS = int(os.environ.get("PUENTE_RETENTION_DAYS", "90"))
# How long a worker may hold claimed statements before another worker may take them over.
PUENTE_XAPI_LEASE_SECONDS = int(os.environ.get("PUENTE_XAPI_LEASE_SECONDS", "120"))
# Retries after an LRS failure wait base * 2^attempts (with jitter), at most max seconds.
PUENTE_XAPI_BACKOFF_BASE_SECONDS = float(os.environ.get("PUENTE_XAPI_BACKOFF_BASE_SECONDS", "5"))
PUENTE_XAPI_BACKOFF_MAX_SECONDS = float(os.environ.get("PUENTE_XAPI_BACKOFF_MAX_SECONDS", "3600"))

# The API's authentication, parsers and errors are set on its views (lms/api/views/base.py).
REST_FRAMEWORK = {
    # drf-spectacular's decorators read this when the views are imported.
    "DEFAULT_SCHEMA_CLASS": "lms.api.schema.PuenteAutoSchema",
    # How many proxies in front of Puente add to X-Forwarded-For (0: use the socket's address).
    # Rate limits per address count the client's address this way (lms.ratelimits).
    "NUM_PROXIES": int(os.environ.get("PUENTE_TRUSTED_PROXIES", "0")),
}
RATELIMIT_IP_META_KEY = "lms.ratelimits.client_address"
# Rate limits ("count/period", period s, m, h or d); the defaults are in lms/conf.py. A school
# or a library puts many families behind one address: the per-address limits are generous.
_rates = {
    "PUENTE_RATE_SIGN_IN_PER_USERNAME": os.environ.get("PUENTE_RATE_SIGN_IN_PER_USERNAME"),
    "PUENTE_RATE_SIGN_IN_PER_ADDRESS": os.environ.get("PUENTE_RATE_SIGN_IN_PER_ADDRESS"),
    "PUENTE_RATE_SIGN_UP_PER_ADDRESS": os.environ.get("PUENTE_RATE_SIGN_UP_PER_ADDRESS"),
    "PUENTE_RATE_JOIN_PER_USER": os.environ.get("PUENTE_RATE_JOIN_PER_USER"),
    "PUENTE_RATE_JOIN_PER_ADDRESS": os.environ.get("PUENTE_RATE_JOIN_PER_ADDRESS"),
    "PUENTE_RATE_EVENTS_PER_USER": os.environ.get("PUENTE_RATE_EVENTS_PER_USER"),
    "PUENTE_RATE_EVENTS_PER_ADDRESS": os.environ.get("PUENTE_RATE_EVENTS_PER_ADDRESS"),
    "PUENTE_RATE_HELP_PER_USER": os.environ.get("PUENTE_RATE_HELP_PER_USER"),
    "PUENTE_RATE_HELP_PER_ADDRESS": os.environ.get("PUENTE_RATE_HELP_PER_ADDRESS"),
}
globals().update({name: value for name, value in _rates.items() if value})
# With the cache down, rate limits let requests through rather than lock everyone out.
RATELIMIT_FAIL_OPEN = True
SPECTACULAR_SETTINGS = {
    "TITLE": "Puente API",
    "DESCRIPTION": "Learner events, progress and the course catalog.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every language field of the API takes the same codes: one enum, named once.
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "lms.api.serializers.manage.LANGUAGE_CODES",
        "HelpStatusEnum": "lms.models.help.HelpStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "lms.api.schema.add_error_responses",
    ],
}

# Content-Security-Policy: no inline script, no inline style but the stylesheet every page
# inlines (allowed by its hash, added by the middleware), nothing from other sites. The Wagtail
# admin is left out: it is for editors, and its editing widgets still need inline styles.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *env_list("PUENTE_CSP_MEDIA_ORIGINS")],
        # Editors may link a lesson's video or audio to a file elsewhere (MediaBlock.url);
        # media cannot run script, so any HTTPS source may play.
        "media-src": [SELF, "https:", *env_list("PUENTE_CSP_MEDIA_ORIGINS")],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}

# Wagtail
WAGTAIL_SITE_NAME = "Puente"
# Search in the learner's language: on PostgreSQL each page is indexed with its own language's
# text-search rules (courses/search/postgres.py); SQLite uses Wagtail's database backend.
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "courses.search.postgres"
        if "postgresql" in DATABASES["default"]["ENGINE"]
        else "wagtail.search.backends.database",
        "SEARCH_CONFIG": "simple",
    }
}
WAGTAILDOCS_EXTENSIONS = ["pdf", "mp3", "m4a", "ogg", "oga", "mp4", "webm", "vtt", "txt"]
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_AVIF_QUALITY = 60
WAGTAILIMAGES_WEBP_QUALITY = 75
# Particularly long lessons can exceed Django's default of 1000 fields in the page editor.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Bodies larger than this get 413 (courses.middleware.RequestSizeLimitMiddleware): a batch of
# 100 events is about 30 KB, a roster file at most 1 MB. The Wagtail admin (uploads) is exempt.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("PUENTE_MAX_BODY_BYTES", str(2_621_440)))

# Prometheus metrics at /metrics for a scraper sending "Authorization: Bearer <this>"; without
# it there is no metrics endpoint. Several gunicorn processes: set PROMETHEUS_MULTIPROC_DIR.
PUENTE_METRICS_TOKEN = os.environ.get("PUENTE_METRICS_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "courses.request_ids.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        # LOG_FORMAT=json: one JSON object per line, for log collectors.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("LOG_FORMAT") == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail runs its reference-index and search updates as tasks; one line each is noise.
        "django_tasks": {"level": "WARNING"},
        # Wagtail's audit log lines ("Page published") are also kept in its admin history.
        "wagtail": {"level": os.environ.get("LOG_LEVEL_WAGTAIL", "WARNING")},
        # One line per request (courses.observability): LOG_REQUESTS=0 leaves them to the proxy.
        "puente.requests": {
            "level": "INFO" if env_bool("LOG_REQUESTS", True) else "WARNING",
        },
        # Django's own "Not Found: /x" lines repeat what the request line says.
        "django.request": {"level": "ERROR"},
    },
}
