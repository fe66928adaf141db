"""Kept pages (courses/kept_pages.py): the gzip prepared from parts compressed once is the
page, byte for byte, for any token and ids; a page it does not fit is compressed as usual."""

from __future__ import annotations

import gzip
import re

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory

from courses.kept_pages import KeptPage
from courses.lesson_cache import CSRF_HOLE, EVENT_HOLE
from courses.middleware import GZipUnlessCompressedMiddleware

PAGE = (
    "<!doctype html><title>Home Wi-Fi</title>"
    + "<p>Your router is the box that brings the internet into your home.</p>" * 40
    + f'<form><input name="csrfmiddlewaretoken" value="{CSRF_HOLE}">'
    + f'<input name="event" value="{EVENT_HOLE}"></form>'
    + "<p>Your router is the box that brings the internet into your home.</p>" * 40
    + f'<form><input name="csrfmiddlewaretoken" value="{CSRF_HOLE}"></form>'
)


def gzipped(request, response: HttpResponse) -> HttpResponse:
    return GZipUnlessCompressedMiddleware(lambda _request: response)(request)


def test_the_prepared_gzip_is_the_page_with_this_request_s_token_and_ids():
    kept = KeptPage.from_html(PAGE)
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    response = kept.response(request)
    assert response.puente_gzip.matches(response.content)
    html = response.content.decode()
    assert "\x00" not in html
    tokens = re.findall(r'csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) == 2
    assert len(set(tokens)) == 1
    assert len(re.findall(r'name="event" value="[0-9a-f-]{36}"', html)) == 1
    plain = response.content
    sent = gzipped(request, response)
    assert sent["Content-Encoding"] == "gzip"
    assert gzip.decompress(sent.content) == plain
    # Far smaller than the page: the parts refer back across the holes.
    assert len(sent.content) < len(gzip.compress(PAGE.encode())) + 400


def test_a_page_whose_bytes_changed_after_is_compressed_as_usual():
    kept = KeptPage.from_html(PAGE)
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    response = kept.response(request)
    response.content = changed = response.content.replace(b"router", b"modem")
    sent = gzipped(request, response)
    assert gzip.decompress(sent.content) == changed


def test_a_token_of_another_width_gets_no_prepared_gzip(monkeypatch):
    kept = KeptPage.from_html(PAGE)
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    monkeypatch.setattr("courses.kept_pages.get_token", lambda _request: "short")
    response = kept.response(request)
    assert not hasattr(response, "puente_gzip")
    plain = response.content
    assert b'value="short"' in plain
    assert gzip.decompress(gzipped(request, response).content) == plain


def test_a_page_with_slots_is_filled_and_compressed_whole():
    kept = KeptPage.from_html(PAGE.replace("<title>", "\x00slot:account\x00<title>"))
    assert kept.slots == {"account"}
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    get_token(request)
    response = kept.response(request, {"account": "<nav>Ana</nav>"})
    assert b"<nav>Ana</nav><title>" in response.content
    assert not hasattr(response, "puente_gzip")


def test_a_phone_that_takes_no_gzip_gets_the_page_plain():
    kept = KeptPage.from_html(PAGE)
    request = RequestFactory().get("/")
    response = kept.response(request)
    plain = response.content
    sent = gzipped(request, response)
    assert not sent.has_header("Content-Encoding")
    assert sent.content == plain
    assert "Accept-Encoding" in sent["Vary"]
