"""Pages kept whole in the cache, with holes for what each request makes its own, and (for
pages the same for every reader) their gzip done once.

A kept page (an anonymous reader's lesson, courses/page_cache.py, or a signed-in reader's
shell, courses/page_shell.py) is the same bytes for every request except its holes: the CSRF
token, each form's event id, and the personal parts (slots) of a shell.

For an anonymous reader's page, compressing the whole page again for each request was the
largest cost of answering from the cache. So each part between two holes is compressed once,
when the page is kept, and the token and ids are put between them per request. This works
because deflate streams concatenate: a part compressed on its own and ended with a full flush
is a run of deflate blocks that ends on a byte. Each part may still refer back into the parts
before it (they are its compressor's dictionary), because the token and the ids have fixed
widths: the reader's inflater finds the same bytes at the same distances. The gzip frame
(header, CRC-32, length) is written here, because neither Python's gzip module nor Django's
middleware can join precompressed parts. GZipUnlessCompressedMiddleware (courses/middleware.py)
sends the result while the response's bytes are still the ones it was made for.

Measured on the demo's English lesson: 9,821 bytes against 9,553 for gzip of the whole page
(the token and ids go uncompressed, and each part starts a new block).

A shell's slots have no fixed width, and compressing them alone cost a signed-in page 7 to
15 % more bytes for a quarter of a millisecond: shells are compressed whole, as usual.
"""

from __future__ import annotations

import re
import secrets
import struct
import uuid
import zlib
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from courses.lesson_cache import CSRF_HOLE, EVENT_HOLE

# A part of the page made for a request: the CSRF token, an event id, or a named slot.
HOLES = re.compile("(\x00csrf\x00|\x00event\x00|\x00slot:[\\w-]+\x00)")
SLOT_PREFIX = "\x00slot:"
FINAL_BLOCK = b"\x03\x00"  # an empty fixed-Huffman block with BFINAL set
WINDOW = 32 * 1024  # how far back deflate refers
# In a part's dictionary, the token and the ids are this byte, which no page holds: nothing
# refers into them. A masked CSRF token (django.middleware.csrf) and a UUID are always this
# long.
PLACEHOLDER = b"\x01"
FIXED_WIDTHS = {CSRF_HOLE: 64, EVENT_HOLE: 36}


@dataclass(frozen=True)
class KeptPage:
    """A page's fixed parts, as UTF-8 and as deflate blocks, and the holes between them."""

    parts: tuple[bytes, ...]
    deflated: tuple[bytes, ...]
    holes: tuple[str, ...]

    @classmethod
    def from_html(cls, html: str) -> KeptPage:
        pieces = HOLES.split(html)
        parts = tuple(piece.encode() for piece in pieces[0::2])
        holes = tuple(pieces[1::2])
        deflated: tuple[bytes, ...] = ()
        if all(hole in FIXED_WIDTHS for hole in holes) and PLACEHOLDER not in html.encode():
            window = b""
            for part, hole in zip(parts, (*holes, None), strict=True):
                deflated += (_deflate(part, dictionary=window[-WINDOW:]),)
                window += part + PLACEHOLDER * FIXED_WIDTHS.get(hole, 0)
        return cls(parts=parts, deflated=deflated, holes=holes)

    @property
    def slots(self) -> set[str]:
        return {hole[len(SLOT_PREFIX) : -1] for hole in self.holes if hole.startswith(SLOT_PREFIX)}

    def response(self, request: HttpRequest, slots: dict[str, str] | None = None) -> HttpResponse:
        """The page with this request's CSRF token, a new event id for each form and
        ``slots`` filled in; with its gzip prepared when the page has no slots."""
        token = get_token(request)
        fillings = []
        for hole in self.holes:
            if hole == CSRF_HOLE:
                fillings.append(token.encode())
            elif hole == EVENT_HOLE:
                fillings.append(str(uuid.uuid4()).encode())
            else:
                fillings.append((slots or {})[hole[len(SLOT_PREFIX) : -1]].encode())
        body = [self.parts[0]]
        for filling, part in zip(fillings, self.parts[1:], strict=True):
            body += (filling, part)
        content = b"".join(body)
        response = HttpResponse(content)
        if self.deflated and all(
            len(filling) == FIXED_WIDTHS[hole]
            for filling, hole in zip(fillings, self.holes, strict=True)
        ):
            stream = [self.deflated[0]]
            for filling, part_deflated in zip(fillings, self.deflated[1:], strict=True):
                stream += (_stored(filling), part_deflated)
            stream.append(FINAL_BLOCK)
            response.puente_gzip = PreparedGzip(b"".join(stream), zlib.crc32(content), len(content))
        return response


@dataclass(frozen=True)
class PreparedGzip:
    """A response body's deflate stream, made from kept parts, and what it decompresses to."""

    deflated: bytes
    crc: int
    size: int

    def matches(self, content: bytes) -> bool:
        return len(content) == self.size and zlib.crc32(content) == self.crc

    def gzip(self, max_random_bytes: int) -> bytes:
        """The gzip member, with a random file name of up to ``max_random_bytes`` in its
        header as Django's own gzip adds (a length that varies defeats BREACH-style
        guessing of secrets in compressed pages)."""
        flags, name = 0, b""
        if max_random_bytes:
            name = b"a" * secrets.randbelow(max_random_bytes) + b"\x00"
            flags = 8  # FNAME
        header = struct.pack("<BBBBIBB", 0x1F, 0x8B, 8, flags, 0, 0, 255) + name
        return header + self.deflated + struct.pack("<II", self.crc, self.size & 0xFFFFFFFF)


def _deflate(data: bytes, *, dictionary: bytes) -> bytes:
    """Raw deflate blocks for ``data``, referring back at most into ``dictionary`` (the bytes
    written just before it), ending on a byte boundary, not final."""
    options = {"zdict": dictionary} if dictionary else {}
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, **options)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def _stored(data: bytes) -> bytes:
    """``data`` as stored deflate blocks (no compression), not final."""
    blocks = []
    for start in range(0, len(data), 0xFFFF):
        chunk = data[start : start + 0xFFFF]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)
