"""Settings for bench/load.py's gunicorn: production's middleware and cache (Redis), plain
HTTP on loopback, and a minimal view to compare with."""

from courses.settings.dev import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.serve_urls"
# One machine plays many phones: the limits still run, at rates it cannot reach.
PUENTE_RATE_EVENTS_PER_USER = "1000000/m"
PUENTE_RATE_EVENTS_PER_ADDRESS = "1000000/m"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
