"""Phones with poor connectivity: the service worker, the web app manifest and its icons, the
offline page, "save this module for offline", and the data-saver setting.

All of it is progressive enhancement: pages work the same without JavaScript; with it, opened
lessons stay readable offline and progress made offline waits on the phone until it can be sent.
"""

from __future__ import annotations

import functools
import hashlib
import json
from io import BytesIO

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from PIL import Image, ImageDraw

from courses.images import picture_filter_specs
from courses.models import LessonPage, ModulePage

DATA_SAVER_COOKIE = "puente_data_saver"
PUENTE_JS = "puente/js/puente.js"  # the service worker imports its queue
CORE_STATIC = ("puente/css/puente.css", "puente/js/boot.js", PUENTE_JS, "puente/js/listen.js")
ICON_SIZES = (192, 512)
BRAND = (11, 92, 173)


@functools.cache
def static_version() -> str:
    """A hash of the core static files, so that a new release refreshes phones' caches."""
    digest = hashlib.sha256()
    for name in CORE_STATIC:
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the site's root so that it can look after every page."""
    offline_pages = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            offline_pages[code] = reverse("offline")
    config = {
        "version": static_version(),
        "core": [static(name) for name in CORE_STATIC],
        "offlinePages": offline_pages,
        "defaultLanguage": settings.LANGUAGE_CODE,
    }
    return render(
        request,
        "courses/sw.js",
        {"config": json.dumps(config), "queue_script": json.dumps(static(PUENTE_JS))},
        content_type="application/javascript; charset=utf-8",
    )


@cache_control(max_age=86400)
def manifest(request: HttpRequest) -> JsonResponse:
    """So that the site can be added to a phone's home screen."""
    return JsonResponse(
        {
            "name": "Puente",
            "short_name": "Puente",
            "description": _("Digital skills for the whole family."),
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0b5cad",
            "icons": [
                {
                    "src": reverse("icon", kwargs={"size": size}),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "any maskable",
                }
                for size in ICON_SIZES
            ],
        },
        content_type="application/manifest+json",
    )


@functools.cache
def icon_png(size: int) -> bytes:
    """A bridge over water on the brand colour, drawn with Pillow (no asset files)."""
    scale = size / 512
    image = Image.new("RGB", (size, size), BRAND)
    draw = ImageDraw.Draw(image)
    white = (255, 255, 255)
    # The maskable safe zone is the central 80%: keep the drawing inside it.
    draw.arc(
        [96 * scale, 170 * scale, 416 * scale, 490 * scale],
        180,
        360,
        fill=white,
        width=round(28 * scale),
    )
    draw.rectangle([88 * scale, 322 * scale, 424 * scale, 350 * scale], fill=white)
    for x in (150, 206, 256, 306, 362):
        draw.line(
            [x * scale, 330 * scale, x * scale, (250 if x == 256 else 270) * scale],
            fill=white,
            width=round(14 * scale),
        )
    draw.rectangle([88 * scale, 380 * scale, 424 * scale, 396 * scale], fill=(120, 180, 230))
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@cache_control(max_age=7 * 86400)
def icon(request: HttpRequest, size: int) -> HttpResponse:
    if size not in ICON_SIZES:
        raise Http404
    return HttpResponse(icon_png(size), content_type="image/png")


def offline_page(request: HttpRequest) -> HttpResponse:
    """What a learner sees offline when the page they wanted was never saved."""
    return render(request, "courses/offline.html")


def offline_pack(request: HttpRequest, module_id: int) -> JsonResponse:
    """Everything "Save this module for offline" stores: its page, its lessons, and their
    images at phone sizes."""
    module = ModulePage.objects.live().filter(pk=module_id).first()
    if module is None or any(
        not restriction.accept_request(request) for restriction in module.get_view_restrictions()
    ):
        raise Http404
    lessons = LessonPage.objects.live().child_of(module).order_by("path")
    urls = [module.get_url(request)]
    phone_specs = [spec for spec in picture_filter_specs() if not spec.endswith("960")]
    for lesson in lessons:
        urls.append(lesson.get_url(request))
        for image in lesson.lesson_images():
            urls.extend(rendition.url for rendition in image.get_renditions(*phone_specs).values())
    return JsonResponse({"module": module.title, "urls": urls})


@require_POST
def data_saver(request: HttpRequest) -> HttpResponse:
    """Turn the data saver on or off: with it on, pictures load only when tapped."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = redirect(target)
    if request.POST.get("on") == "1":
        response.set_cookie(DATA_SAVER_COOKIE, "1", max_age=365 * 86400, samesite="Lax")
    else:
        response.delete_cookie(DATA_SAVER_COOKIE)
    return response


def data_saver_on(request: HttpRequest | None) -> bool:
    return bool(request and request.COOKIES.get(DATA_SAVER_COOKIE) == "1")
