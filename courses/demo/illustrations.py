"""Flat illustrations for the demo curriculum, drawn with Pillow at load time.

Why draw them here instead of shipping image files:

* They are original work made on the machine, so they carry no third-party licence
  and can be shared under the project's own licence.
* The demo loads fully offline: no downloaded assets, no fonts that might be missing
  (the only text uses Pillow's built-in font).
* The alt text in the curriculum can describe exactly what is drawn: each drawing
  function's docstring is the description the alt text is written from, and its body
  is short enough to check that nothing else of note is in the picture.

Every picture is 960x600 RGB with a calm palette, thick dark outlines and large shapes,
so it stays legible on a cheap phone at 320 px wide. Shapes are drawn at twice the size
and reduced, which smooths the edges. Nothing random is used and the PNG is written
without metadata, so ``render_png`` returns the same bytes on every call and every run.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from functools import cache

from PIL import Image, ImageDraw, ImageFont

__all__ = ["HEIGHT", "ILLUSTRATIONS", "WIDTH", "render_png"]

WIDTH, HEIGHT = 960, 600
SCALE = 2  # drawn at 2x, then reduced: smooth edges, still flat colours

Color = tuple[int, int, int]
Point = tuple[float, float]
Box = tuple[float, float, float, float]

BG: Color = (236, 243, 247)
INK: Color = (33, 47, 72)
WHITE: Color = (255, 255, 255)
SCREEN: Color = (250, 252, 253)
PALE: Color = (222, 230, 238)
GRAY: Color = (190, 200, 211)
MID: Color = (120, 134, 152)
BLUE: Color = (52, 104, 164)
SKY: Color = (170, 212, 238)
TEAL: Color = (32, 145, 132)
GREEN: Color = (70, 165, 88)
GRASS: Color = (190, 222, 170)
YELLOW: Color = (245, 196, 84)
SAND: Color = (246, 224, 178)
CORAL: Color = (226, 104, 76)
RED: Color = (208, 48, 48)
BROWN: Color = (132, 88, 60)
STONE: Color = (232, 226, 214)
BOARD: Color = (46, 110, 84)
SKIN_LIGHT: Color = (243, 200, 160)
SKIN_MID: Color = (204, 142, 100)
SKIN_DARK: Color = (128, 80, 52)
HAIR_DARK: Color = (52, 38, 32)
HAIR_BROWN: Color = (110, 70, 40)
HAIR_GRAY: Color = (170, 170, 176)

LINE = 8  # standard outline width at 1x


class Pen:
    """ImageDraw wrapper that takes 1x coordinates and draws at ``SCALE``."""

    def __init__(self, image: Image.Image, scale: int) -> None:
        self.draw = ImageDraw.Draw(image)
        self.k = scale

    def _box(self, box: Box) -> list[float]:
        return [v * self.k for v in box]

    def _pts(self, points: Sequence[Point]) -> list[tuple[float, float]]:
        return [(x * self.k, y * self.k) for x, y in points]

    def rect(
        self, box: Box, fill: Color | None, outline: Color | None = INK, width: int = LINE
    ) -> None:
        self.draw.rectangle(self._box(box), fill=fill, outline=outline, width=width * self.k)

    def rrect(
        self,
        box: Box,
        radius: float,
        fill: Color | None,
        outline: Color | None = INK,
        width: int = LINE,
        corners: tuple[bool, bool, bool, bool] | None = None,
    ) -> None:
        self.draw.rounded_rectangle(
            self._box(box),
            radius=radius * self.k,
            fill=fill,
            outline=outline,
            width=width * self.k,
            corners=corners,
        )

    def ellipse(
        self, box: Box, fill: Color | None, outline: Color | None = INK, width: int = LINE
    ) -> None:
        self.draw.ellipse(self._box(box), fill=fill, outline=outline, width=width * self.k)

    def circle(
        self,
        center: Point,
        radius: float,
        fill: Color | None,
        outline: Color | None = INK,
        width: int = LINE,
    ) -> None:
        x, y = center
        self.ellipse((x - radius, y - radius, x + radius, y + radius), fill, outline, width)

    def polygon(
        self,
        points: Sequence[Point],
        fill: Color | None,
        outline: Color | None = INK,
        width: int = LINE,
    ) -> None:
        self.draw.polygon(self._pts(points), fill=fill, outline=outline, width=width * self.k)

    def line(self, points: Sequence[Point], color: Color = INK, width: int = LINE) -> None:
        """A polyline with round joints and round caps."""
        self.draw.line(self._pts(points), fill=color, width=width * self.k, joint="curve")
        for end in (points[0], points[-1]):
            self.circle(end, width / 2, color, None)

    def arc(
        self, box: Box, start: float, end: float, color: Color = INK, width: int = LINE
    ) -> None:
        self.draw.arc(self._box(box), start, end, fill=color, width=width * self.k)

    def text(self, center: Point, text: str, size: int, color: Color = INK, bold: int = 0) -> None:
        """Text centred on ``center``, in Pillow's built-in font (no font files needed)."""
        font = ImageFont.load_default(size=size * self.k)
        self.draw.text(
            self._pts([center])[0],
            text,
            font=font,
            fill=color,
            anchor="mm",
            stroke_width=bold * self.k,
            stroke_fill=color,
        )


def _canvas(bg: Color = BG) -> tuple[Image.Image, Pen]:
    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), bg)
    return image, Pen(image, SCALE)


def _finish(image: Image.Image) -> Image.Image:
    return image.reduce(SCALE)


# --- shared shapes ---------------------------------------------------------------------


def _ground(pen: Pen, top: float = 540, color: Color = GRASS) -> None:
    pen.rect((-10, top, WIDTH + 10, HEIGHT + 10), color, INK)


def _phone(pen: Pen, box: Box, screen: Color = SCREEN) -> Box:
    """A dark phone body with a speaker slot and home bar; returns the screen box."""
    x0, y0, x1, y1 = box
    cx = (x0 + x1) / 2
    pen.rrect(box, 38, INK, INK)
    inner = (x0 + 16, y0 + 46, x1 - 16, y1 - 40)
    pen.rrect(inner, 10, screen, None)
    pen.rrect((cx - 32, y0 + 20, cx + 32, y0 + 30), 5, MID, None)
    pen.rrect((cx - 40, y1 - 24, cx + 40, y1 - 16), 4, MID, None)
    return inner


def _header(pen: Pen, screen: Box, height: float, color: Color = BLUE) -> float:
    """A coloured title bar across the top of a screen; returns its bottom edge."""
    x0, y0, x1, _ = screen
    pen.rrect((x0, y0, x1, y0 + height), 10, color, None, corners=(True, True, False, False))
    return y0 + height


def _waves(
    pen: Pen,
    center: Point,
    radii: Sequence[float],
    start: float,
    end: float,
    color: Color = BLUE,
    width: int = 16,
    dot: bool = True,
) -> None:
    """Signal arcs (Wi-Fi style) around ``center``, angles in degrees clockwise from 3 o'clock."""
    cx, cy = center
    for r in radii:
        pen.arc((cx - r, cy - r, cx + r, cy + r), start, end, color, width)
        mid = r - width / 2
        for angle in (start, end):
            a = math.radians(angle)
            pen.circle((cx + mid * math.cos(a), cy + mid * math.sin(a)), width / 2, color, None)
    if dot:
        pen.circle(center, width * 0.85, color, None)


def _wifi_icon(pen: Pen, center: Point, size: float, color: Color = BLUE) -> None:
    """A compact Wi-Fi symbol whose dot sits at ``center``."""
    step = size / 3
    width = max(6, round(step * 0.45))
    _waves(pen, center, [step * 1.3, step * 2.2, step * 3.1], 225, 315, color, width)


def _toggle(pen: Pen, x: float, y: float, on: bool) -> None:
    """An on/off switch whose top-left corner is at (x, y)."""
    pen.rrect((x, y, x + 88, y + 46), 23, GREEN if on else GRAY, INK, 5)
    knob_x = x + 65 if on else x + 23
    pen.circle((knob_x, y + 23), 16, WHITE, INK, 5)


def _bar(pen: Pen, x: float, y: float, length: float, color: Color = GRAY, thick: int = 14) -> None:
    """A rounded bar that stands for a line of text."""
    pen.rrect((x, y, x + length, y + thick), thick / 2, color, None)


def _person(
    pen: Pen,
    tile: Box,
    skin: Color,
    shirt: Color,
    hair: Color,
    bg: Color | None = None,
) -> tuple[float, float, float]:
    """Head and shoulders filling a video tile; returns head centre x, y and radius."""
    x0, y0, x1, y1 = tile
    h = y1 - y0
    cx = (x0 + x1) / 2
    if bg is not None:
        pen.rect(tile, bg, None)
    head_r = h * 0.19
    head_y = y0 + h * 0.42
    body_w = h * 0.36
    line = max(4, round(h / 40))
    pen.rrect(
        (cx - body_w, y0 + h * 0.66, cx + body_w, y1),
        h * 0.16,
        shirt,
        INK,
        line,
        corners=(True, True, False, False),
    )
    pen.circle((cx, head_y - head_r * 0.22), head_r * 1.1, hair, INK, line)
    pen.circle((cx, head_y), head_r, skin, INK, line)
    return cx, head_y, head_r


def _laptop(pen: Pen, lid: Box) -> Box:
    """A laptop whose lid fills ``lid``; returns the screen box."""
    x0, y0, x1, y1 = lid
    pen.rrect(lid, 20, INK, INK)
    screen = (x0 + 18, y0 + 18, x1 - 18, y1 - 18)
    pen.rect(screen, SCREEN, None)
    spread = (x1 - x0) * 0.09
    pen.polygon(
        [(x0 - spread, y1 + 34), (x0, y1), (x1, y1), (x1 + spread, y1 + 34)],
        GRAY,
        INK,
    )
    cx = (x0 + x1) / 2
    pen.rrect((cx - 60, y1 + 6, cx + 60, y1 + 16), 5, MID, None)
    return screen


def _bubble(pen: Pen, box: Box, fill: Color = WHITE, outline: Color = INK) -> None:
    """A speech bubble with a tail at its bottom-left corner."""
    x0, _, _, y1 = box
    pen.polygon([(x0 + 20, y1 - 10), (x0 + 4, y1 + 26), (x0 + 56, y1 - 10)], fill, outline, 6)
    pen.rrect(box, 20, fill, outline, 6)
    pen.rect((x0 + 22, y1 - 14, x0 + 52, y1 - 3), fill, None)


def _open_book(pen: Pen, center: Point, size: float, line: int = 4) -> None:
    """A white open book seen from the front, its spine at ``center``."""
    x, y = center
    h = size * 1.2
    for side in (-1, 1):
        pen.polygon(
            [
                (x, y - h * 0.35),
                (x + side * size, y - h * 0.6),
                (x + side * size, y + h * 0.4),
                (x, y + h * 0.65),
            ],
            WHITE,
            INK,
            line,
        )


def _check(pen: Pen, center: Point, radius: float) -> None:
    """A green circle with a white tick."""
    x, y = center
    pen.circle(center, radius, GREEN, INK, 6)
    r = radius
    pen.line(
        [(x - r * 0.45, y), (x - r * 0.12, y + r * 0.35), (x + r * 0.48, y - r * 0.35)], WHITE, 9
    )


# --- the illustrations -----------------------------------------------------------------


def course_cover() -> Image.Image:
    """A house with a Wi-Fi signal above the roof and a phone in front of it."""
    image, pen = _canvas()
    _ground(pen, 520)
    pen.rect((220, 300, 580, 530), SAND)
    pen.polygon([(180, 312), (400, 168), (620, 312)], CORAL)
    pen.rect((270, 400, 360, 530), BLUE)
    pen.circle((343, 468), 7, YELLOW, None)
    pen.rect((420, 350, 490, 420), SKY)
    pen.rect((452, 350, 458, 420), INK, None)
    pen.rect((420, 382, 490, 388), INK, None)
    _waves(pen, (400, 140), [52, 92, 132], 228, 312, BLUE, 18)
    screen = _phone(pen, (540, 270, 710, 585))
    sx0, sy0, sx1, _ = screen
    _wifi_icon(pen, ((sx0 + sx1) / 2, sy0 + 140), 60, TEAL)
    _bar(pen, sx0 + 24, sy0 + 170, sx1 - sx0 - 48, GRAY)
    _bar(pen, sx0 + 40, sy0 + 196, sx1 - sx0 - 80, GRAY)
    return _finish(image)


def home_wifi() -> Image.Image:
    """A Wi-Fi router with two antennas sending out signal waves."""
    image, pen = _canvas()
    pen.rect((-10, 500, WIDTH + 10, HEIGHT + 10), STONE)
    for x in (320, 616):
        pen.rrect((x, 200, x + 24, 380), 12, INK, INK)
    pen.rrect((300, 488, 340, 510), 6, INK, INK)
    pen.rrect((620, 488, 660, 510), 6, INK, INK)
    pen.rrect((250, 370, 710, 494), 28, WHITE)
    for i, color in enumerate((GREEN, GREEN, GREEN, YELLOW)):
        pen.circle((330 + i * 52, 432), 13, color, INK, 4)
    pen.rrect((560, 420, 660, 444), 12, PALE, INK, 4)
    _waves(pen, (480, 330), [58, 108, 158, 208], 232, 308, BLUE, 20)
    _waves(pen, (332, 200), [40, 74], 190, 250, TEAL, 14, dot=False)
    _waves(pen, (628, 200), [40, 74], 290, 350, TEAL, 14, dot=False)
    return _finish(image)


def phone_hotspot() -> Image.Image:
    """A phone sharing its signal with a laptop, with waves between them."""
    image, pen = _canvas()
    screen = _phone(pen, (110, 130, 300, 500))
    sx0, sy0, sx1, _ = screen
    _wifi_icon(pen, ((sx0 + sx1) / 2, sy0 + 170), 80, TEAL)
    _bar(pen, sx0 + 30, sy0 + 200, sx1 - sx0 - 60, GRAY)
    _waves(pen, (300, 315), [70, 125, 180], -38, 38, TEAL, 20, dot=False)
    lap = _laptop(pen, (560, 170, 870, 390))
    lx0, ly0, lx1, _ = lap
    _wifi_icon(pen, ((lx0 + lx1) / 2, ly0 + 120), 80, TEAL)
    _check(pen, ((lx0 + lx1) / 2 + 80, ly0 + 120), 22)
    return _finish(image)


def phone_settings() -> Image.Image:
    """A phone screen with a list of settings, each with an on/off switch."""
    image, pen = _canvas()
    screen = _phone(pen, (320, 20, 640, 580))
    sx0, sy0, sx1, sy1 = screen
    top = _header(pen, screen, 70)
    _bar(pen, sx0 + 24, sy0 + 28, 120, WHITE, 16)
    rows = [(BLUE, True), (CORAL, False), (TEAL, True), (YELLOW, False)]
    row_h = (sy1 - top) / len(rows)
    for i, (color, on) in enumerate(rows):
        y = top + i * row_h
        cy = y + row_h / 2
        pen.circle((sx0 + 40, cy), 20, color, INK, 5)
        _bar(pen, sx0 + 74, cy - 8, 92, MID, 16)
        _toggle(pen, sx1 - 108, cy - 23, on)
        if i:
            pen.line([(sx0 + 16, y), (sx1 - 16, y)], PALE, 4)
    return _finish(image)


def text_size() -> Image.Image:
    """A phone screen with a small letter A, a slider, and a large letter A."""
    image, pen = _canvas()
    screen = _phone(pen, (300, 20, 660, 580))
    sx0, sy0, sx1, sy1 = screen
    cy = (sy0 + sy1) / 2
    pen.rrect((sx0 + 14, cy - 100, sx1 - 14, cy + 100), 20, WHITE, GRAY, 4)
    pen.text((sx0 + 46, cy + 4), "A", 56, INK, 1)
    pen.text((sx1 - 58, cy - 6), "A", 120, INK, 2)
    track = (sx0 + 86, sx1 - 122)
    pen.rrect((track[0], cy - 7, track[1], cy + 7), 7, GRAY, None)
    knob = track[0] + (track[1] - track[0]) * 0.65
    pen.rrect((track[0], cy - 7, knob, cy + 7), 7, BLUE, None)
    pen.circle((knob, cy), 20, WHITE, INK, 6)
    return _finish(image)


def data_saver() -> Image.Image:
    """A phone screen with a half-full gauge showing data used this month."""
    image, pen = _canvas()
    screen = _phone(pen, (320, 20, 640, 580))
    sx0, sy0, sx1, _ = screen
    cx = (sx0 + sx1) / 2
    # calendar page for "this month"
    pen.rrect((cx - 44, sy0 + 34, cx + 44, sy0 + 118), 10, WHITE, INK, 6)
    pen.rrect(
        (cx - 44, sy0 + 34, cx + 44, sy0 + 60),
        10,
        CORAL,
        INK,
        6,
        corners=(True, True, False, False),
    )
    for dx in (-22, 22):
        pen.line([(cx + dx, sy0 + 24), (cx + dx, sy0 + 44)], INK, 8)
    for row in range(2):
        for col in range(3):
            pen.circle((cx - 24 + col * 24, sy0 + 78 + row * 22), 5, MID, None)
    # gauge: half of a semicircle filled
    gy = sy0 + 320
    r = 112
    box = (cx - r, gy - r, cx + r, gy + r)
    pen.arc(box, 180, 360, GRAY, 40)
    pen.arc(box, 180, 270, TEAL, 40)
    pen.arc((cx - r - 4, gy - r - 4, cx + r + 4, gy + r + 4), 180, 360, INK, 5)
    pen.arc((cx - r + 40, gy - r + 40, cx + r - 40, gy + r - 40), 180, 360, INK, 5)
    pen.line([(cx - r - 2, gy), (cx - r + 42, gy)], INK, 5)
    pen.line([(cx + r - 42, gy), (cx + r + 2, gy)], INK, 5)
    pen.line([(cx, gy), (cx, gy - r + 30)], INK, 10)
    pen.circle((cx, gy), 16, INK, None)
    pen.text((cx, gy + 60), "50%", 48, INK, 1)
    _bar(pen, cx - 70, gy + 104, 140, GRAY, 16)
    return _finish(image)


def strong_password() -> Image.Image:
    """A padlock beside a password box filled with dots."""
    image, pen = _canvas()
    # padlock
    cx = 250
    pen.arc((cx - 82, 120, cx + 82, 284), 180, 360, INK, 34)
    pen.rect((cx - 82, 200, cx - 48, 280), INK, None)
    pen.rect((cx + 48, 200, cx + 82, 280), INK, None)
    pen.rrect((cx - 130, 260, cx + 130, 480), 28, YELLOW)
    pen.circle((cx, 350), 24, INK, None)
    pen.polygon([(cx - 12, 360), (cx + 12, 360), (cx + 18, 420), (cx - 18, 420)], INK, None)
    # password box
    pen.rrect((440, 250, 880, 370), 24, WHITE)
    for i in range(8):
        pen.circle((490 + i * 46, 310), 15, INK, None)
    pen.rrect((440 + 32 + 8 * 46, 280, 440 + 38 + 8 * 46, 340), 3, BLUE, None)
    return _finish(image)


def two_step_code() -> Image.Image:
    """A phone screen showing a text message with a six-digit code."""
    image, pen = _canvas()
    screen = _phone(pen, (300, 20, 660, 580))
    sx0, sy0, sx1, _ = screen
    top = _header(pen, screen, 70)
    pen.circle((sx0 + 44, sy0 + 35), 20, SKY, WHITE, 4)
    _bar(pen, sx0 + 78, sy0 + 28, 120, WHITE, 16)
    box = (sx0 + 20, top + 60, sx1 - 20, top + 250)
    _bubble(pen, box, WHITE, INK)
    bx0, by0, bx1, by1 = box
    _bar(pen, bx0 + 26, by0 + 30, 200, GRAY, 16)
    _bar(pen, bx0 + 26, by0 + 58, 140, GRAY, 16)
    pen.rrect((bx0 + 18, by0 + 96, bx1 - 18, by1 - 24), 12, SKY, None)
    pen.text(((bx0 + bx1) / 2, (by0 + 96 + by1 - 24) / 2), "482 913", 52, INK, 1)
    return _finish(image)


def scam_warning() -> Image.Image:
    """A phone screen with a message marked by a red warning triangle."""
    image, pen = _canvas()
    screen = _phone(pen, (320, 20, 640, 580))
    sx0, sy0, sx1, _ = screen
    top = _header(pen, screen, 70)
    pen.circle((sx0 + 44, sy0 + 35), 20, SKY, WHITE, 4)
    _bar(pen, sx0 + 78, sy0 + 28, 120, WHITE, 16)
    box = (sx0 + 20, top + 130, sx1 - 20, top + 330)
    _bubble(pen, box, WHITE, RED)
    bx0, by0, bx1, _ = box
    for i, length in enumerate((190, 196, 130)):
        _bar(pen, bx0 + 26, by0 + 40 + i * 30, length, GRAY, 16)
    _bar(pen, bx0 + 26, by0 + 140, 150, BLUE, 16)
    # warning triangle over the top of the message
    tx, ty = (bx0 + bx1) / 2, by0 - 20
    pen.polygon([(tx, ty - 100), (tx - 82, ty + 42), (tx + 82, ty + 42)], RED, INK, 7)
    pen.rrect((tx - 9, ty - 52, tx + 9, ty + 6), 9, WHITE, None)
    pen.circle((tx, ty + 24), 10, WHITE, None)
    return _finish(image)


def school_app() -> Image.Image:
    """A phone screen with a school app showing a list of classes and a message button."""
    image, pen = _canvas()
    screen = _phone(pen, (320, 20, 640, 580))
    sx0, sy0, sx1, sy1 = screen
    top = _header(pen, screen, 96)
    # school building icon in the header
    ix, iy = sx0 + 52, sy0 + 58
    pen.line([(ix, iy - 30), (ix, iy - 44)], WHITE, 4)
    pen.polygon([(ix + 2, iy - 46), (ix + 18, iy - 41), (ix + 2, iy - 36)], YELLOW, None)
    pen.polygon([(ix - 32, iy - 8), (ix, iy - 32), (ix + 32, iy - 8)], WHITE, None)
    pen.rect((ix - 26, iy - 10, ix + 26, iy + 26), WHITE, None)
    pen.rect((ix - 8, iy + 6, ix + 8, iy + 26), BLUE, None)
    _bar(pen, sx0 + 100, sy0 + 36, 140, WHITE, 16)
    _bar(pen, sx0 + 100, sy0 + 62, 90, SKY, 12)
    # class list, each class with a book icon
    for i, color in enumerate((CORAL, TEAL, YELLOW)):
        y = top + 18 + i * 84
        pen.rrect((sx0 + 14, y, sx1 - 14, y + 72), 14, WHITE, GRAY, 4)
        pen.rrect((sx0 + 26, y + 11, sx0 + 76, y + 61), 10, color, INK, 4)
        _open_book(pen, (sx0 + 51, y + 36), 18)
        _bar(pen, sx0 + 92, y + 20, 130, INK, 14)
        _bar(pen, sx0 + 92, y + 44, 90, GRAY, 12)
        pen.line([(sx1 - 44, y + 25), (sx1 - 32, y + 36), (sx1 - 44, y + 47)], MID, 5)
    # message button
    by = sy1 - 86
    pen.rrect((sx0 + 24, by, sx1 - 24, by + 66), 33, TEAL, INK, 6)
    mx, my = sx0 + 72, by + 33
    pen.polygon([(mx - 10, my + 6), (mx - 16, my + 22), (mx + 4, my + 8)], WHITE, None)
    pen.rrect((mx - 22, my - 16, mx + 22, my + 10), 9, WHITE, None)
    pen.text((sx0 + 168, my), "Message", 32, WHITE, 1)
    return _finish(image)


def video_class() -> Image.Image:
    """A laptop screen showing a video class: a teacher in a big tile and small student tiles."""
    image, pen = _canvas()
    screen = _laptop(pen, (150, 50, 810, 470))
    x0, y0, x1, y1 = screen
    gap = 12
    big = (x0 + gap, y0 + gap, x0 + 440, y1 - gap)
    pen.rect(big, SAND, None)
    bx0, by0, bx1, by1 = big
    pen.rect((bx0 + 40, by0 + 24, bx1 - 40, by0 + 170), BOARD, BROWN, 8)
    _bar(pen, bx0 + 64, by0 + 50, 100, WHITE, 8)
    _bar(pen, bx0 + 64, by0 + 70, 70, WHITE, 8)
    _bar(pen, bx1 - 150, by0 + 50, 86, WHITE, 8)
    _person(pen, (bx0 + 60, by0 + 80, bx1 - 60, by1), SKIN_MID, CORAL, HAIR_DARK)
    pen.rect(big, None, INK, 5)
    students = [
        (SKIN_LIGHT, BLUE, HAIR_BROWN, SKY),
        (SKIN_DARK, YELLOW, HAIR_DARK, GRASS),
        (SKIN_MID, TEAL, HAIR_DARK, SAND),
    ]
    tile_h = (y1 - y0 - gap * 4) / 3
    for i, (skin, shirt, hair, bg) in enumerate(students):
        ty = y0 + gap + i * (tile_h + gap)
        tile = (bx1 + gap, ty, x1 - gap, ty + tile_h)
        _person(pen, tile, skin, shirt, hair, bg)
        pen.rect(tile, None, INK, 4)
    return _finish(image)


def telehealth_visit() -> Image.Image:
    """A phone screen showing a video call with a doctor, with camera and microphone buttons."""
    image, pen = _canvas()
    screen = _phone(pen, (320, 20, 640, 580))
    sx0, sy0, sx1, sy1 = screen
    video = (sx0, sy0, sx1, sy1 - 120)
    pen.rrect(video, 10, SKY, None, corners=(True, True, False, False))
    vx0, vy0, vx1, vy1 = video
    # medical cross on the wall behind the doctor
    pen.rect((vx1 - 70, vy0 + 30, vx1 - 50, vy0 + 90), WHITE, None)
    pen.rect((vx1 - 90, vy0 + 50, vx1 - 30, vy0 + 70), WHITE, None)
    tile = (vx0, vy0 + 70, vx1, vy1)
    cx, _, _ = _person(pen, tile, SKIN_DARK, WHITE, HAIR_GRAY)
    # white coat: shirt collar, lapels and a stethoscope around the neck
    neck = tile[1] + (tile[3] - tile[1]) * 0.66
    pen.polygon([(cx - 38, neck), (cx + 38, neck), (cx, neck + 62)], TEAL, INK, 5)
    pen.line([(cx - 38, neck + 2), (cx - 6, vy1)], INK, 5)
    pen.line([(cx + 38, neck + 2), (cx + 6, vy1)], INK, 5)
    pen.line([(cx - 50, neck + 4), (cx - 62, neck + 44), (cx - 60, neck + 70)], INK, 7)
    pen.line([(cx + 50, neck + 4), (cx + 62, neck + 44), (cx + 60, neck + 60)], INK, 7)
    pen.circle((cx + 60, neck + 68), 11, GRAY, INK, 5)
    # call buttons: camera and microphone
    by = vy1 + 60
    cam, mic = sx0 + (sx1 - sx0) * 0.3, sx0 + (sx1 - sx0) * 0.7
    for bx in (cam, mic):
        pen.circle((bx, by), 40, WHITE, INK, 6)
    pen.rrect((cam - 24, by - 14, cam + 8, by + 14), 5, INK, None)
    pen.polygon([(cam + 6, by), (cam + 24, by - 13), (cam + 24, by + 13)], INK, None)
    pen.rrect((mic - 9, by - 26, mic + 9, by + 4), 9, INK, None)
    pen.arc((mic - 18, by - 22, mic + 18, by + 14), 0, 180, INK, 5)
    pen.line([(mic, by + 14), (mic, by + 24)], INK, 5)
    pen.line([(mic - 10, by + 24), (mic + 10, by + 24)], INK, 5)
    return _finish(image)


def library_help() -> Image.Image:
    """A library building with a sign that says Help."""
    image, pen = _canvas()
    _ground(pen, 520)
    # steps and base
    pen.rect((90, 490, 610, 525), STONE)
    pen.rect((120, 460, 580, 492), STONE)
    # columns and wall
    pen.rect((140, 210, 560, 462), SAND)
    for x in (160, 240, 420, 500):
        pen.rect((x, 220, x + 40, 462), WHITE, INK, 6)
    pen.rrect((300, 320, 400, 462), 46, BROWN, INK, 8, corners=(True, True, False, False))
    # roof: beam and pediment with an open book
    pen.rect((110, 180, 590, 222), STONE)
    pen.polygon([(100, 184), (350, 60), (600, 184)], STONE)
    _open_book(pen, (350, 140), 45, 5)
    # the Help sign on two posts
    pen.rect((700, 380, 716, 525), BROWN, INK, 5)
    pen.rect((824, 380, 840, 525), BROWN, INK, 5)
    pen.rrect((650, 270, 890, 390), 18, YELLOW)
    pen.text((770, 332), "Help", 70, INK, 2)
    return _finish(image)


ILLUSTRATIONS: dict[str, Callable[[], Image.Image]] = {
    "course-cover": course_cover,
    "home-wifi": home_wifi,
    "phone-hotspot": phone_hotspot,
    "phone-settings": phone_settings,
    "text-size": text_size,
    "data-saver": data_saver,
    "strong-password": strong_password,
    "two-step-code": two_step_code,
    "scam-warning": scam_warning,
    "school-app": school_app,
    "video-class": video_class,
    "telehealth-visit": telehealth_visit,
    "library-help": library_help,
}


@cache
def render_png(name: str) -> bytes:
    """PNG bytes for the illustration ``name``; the same bytes on every call and every run.

    Raises ``KeyError`` for an unknown name.
    """
    image = ILLUSTRATIONS[name]()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
