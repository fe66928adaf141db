"""Responsive images for phones: a few small widths in modern formats, chosen by the browser."""

from __future__ import annotations

from django.utils.safestring import SafeString
from wagtail.images.models import AbstractImage, Filter, Picture
from wagtail.images.shortcuts import get_renditions_or_not_found

# AVIF first (smallest), WebP as the fallback every phone browser of the last years can show.
PICTURE_FILTERS = "format-{avif,webp}|width-{320,640,960}"
PICTURE_SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"


def picture_filter_specs() -> list[str]:
    return Filter.expand_spec(PICTURE_FILTERS)


def picture_html(image: AbstractImage, *, alt: str, css_class: str = "") -> SafeString:
    """A <picture> with AVIF and WebP sources, lazy-loaded, with the given alt text."""
    renditions = get_renditions_or_not_found(image, picture_filter_specs())
    attrs = {"alt": alt, "sizes": PICTURE_SIZES, "loading": "lazy", "decoding": "async"}
    if css_class:
        attrs["class"] = css_class
    return SafeString(Picture(renditions, attrs).__html__())


def picture_renditions_warm(image: AbstractImage) -> None:
    """Create every rendition a page will ask for, so the first visitor does not wait."""
    image.get_renditions(*picture_filter_specs())
