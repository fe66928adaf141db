"""Small charts drawn on the server as SVG: no chart library, nothing to download, readable
without JavaScript. Each chart comes with a title and a description for screen readers;
templates show the same numbers in a table too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString

WIDTH = 600
HEIGHT = 180
PADDING = 28


def bar_chart_svg(
    series: Sequence[tuple[date, int]], *, title: str, description: str, chart_id: str
) -> SafeString:
    """Bars for daily counts, the highest labelled; scales to its container."""
    count = len(series)
    top = max((value for _day, value in series), default=0)
    highest = top or 1  # the scale; an empty chart is flat
    slot = (WIDTH - 2 * PADDING) / max(count, 1)
    bar = max(slot * 0.7, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="none">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<line x1="{PADDING}" y1="{HEIGHT - PADDING}" x2="{WIDTH - PADDING}" '
        f'y2="{HEIGHT - PADDING}" class="axis"/>',
    ]
    plot_height = HEIGHT - 2 * PADDING
    for index, (day, value) in enumerate(series):
        height = plot_height * value / highest
        x = PADDING + index * slot + (slot - bar) / 2
        y = HEIGHT - PADDING - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" class="bar">'
            f"<title>{escape(day.isoformat())}: {value}</title></rect>"
        )
    parts.append(f'<text x="{PADDING}" y="{PADDING - 10}" class="label">{top}</text>')
    if series:
        first, last = series[0][0].isoformat(), series[-1][0].isoformat()
        parts.append(
            f'<text x="{PADDING}" y="{HEIGHT - 8}" class="label">{first}</text>'
            f'<text x="{WIDTH - PADDING}" y="{HEIGHT - 8}" class="label" '
            f'text-anchor="end">{last}</text>'
        )
    parts.append("</svg>")
    return SafeString("".join(parts))
