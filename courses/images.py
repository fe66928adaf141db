"""Responsive images for phones: a few small widths in modern formats, chosen by the browser."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from wagtail.images.models import AbstractImage, Filter, Picture
from wagtail.images.shortcuts import get_renditions_or_not_found

# AVIF first (smallest), WebP as the fallback every phone browser of the last years can show.
PICTURE_FILTERS = "format-{avif,webp}|width-{320,640,960}"
PICTURE_SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"


def picture_filter_specs() -> list[str]:
    return Filter.expand_spec(PICTURE_FILTERS)


def picture_html(
    image: AbstractImage,
    *,
    alt: str,
    css_class: str = "",
    tap_to_load: bool = False,
    first: bool = False,
) -> SafeString:
    """A <picture> with AVIF and WebP sources, lazy-loaded, with the given alt text.

    ``first``: the picture at the top of the page, likely its largest paint, loads at once
    and before other images (lazy-loading it delays the page's first meaningful paint).

    ``tap_to_load`` (the data saver): the picture sits in a closed <details>, and a browser
    does not fetch a lazy image that is not rendered, so it costs nothing until tapped.
    """
    renditions = get_renditions_or_not_found(image, picture_filter_specs())
    attrs = {"alt": alt, "sizes": PICTURE_SIZES, "loading": "lazy", "decoding": "async"}
    if first and not tap_to_load:
        attrs.update(loading="eager", fetchpriority="high")
    if css_class:
        attrs["class"] = css_class
    picture = Picture(renditions, attrs).__html__()
    if not tap_to_load:
        return SafeString(picture)
    return format_html(
        '<details class="tap-to-load"><summary><span class="tap-label">{}</span> '
        '<span class="meta">{}</span></summary>{}</details>',
        _("Show the picture"),
        alt,
        SafeString(picture),
    )


def picture_renditions_warm(image: AbstractImage) -> None:
    """Create every rendition a page will ask for, so the first visitor does not wait."""
    image.get_renditions(*picture_filter_specs())
