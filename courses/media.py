"""Uploaded media served by Django itself (a laptop, a school server, the tests; in production
the web server or object storage serves them: docs/production.md says how to cache them)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.static import serve

# A rendition's file name changes with its picture and its size: a phone may keep it a year
# and never ask again.
IMMUTABLE = "public, max-age=31536000, immutable"
RENDITIONS = "images/"


def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if path.startswith(RENDITIONS):
        response["Cache-Control"] = IMMUTABLE
    return response
