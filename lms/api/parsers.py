"""The API's JSON parser: DRF's, with text made valid Unicode the way browsers do it."""

from __future__ import annotations

import codecs
import io
import re
from typing import Any

from django.conf import settings
from rest_framework.parsers import JSONParser

# The json module joins escaped surrogate pairs ("\ud83d\ude00") into one character, so any
# surrogate left in a parsed string stands alone.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
ESCAPE = b"\\u"


class UnicodeJSONParser(JSONParser):
    """JSON may spell a lone UTF-16 surrogate ("\\ud800", e.g. from JavaScript text cut in the
    middle of an emoji); Python reads it into a str that no UTF-8 text can hold, so saving it,
    logging it or echoing it in an error message fails with a 500. Neither DRF nor the json
    module has an option for it. Each one becomes U+FFFD, as browsers do for USVString and as
    Django does for undecodable form data, so a batch keeps its good events and a field with
    one is judged like any other text."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        body = stream.read()
        data = super().parse(io.BytesIO(body), media_type, parser_context)
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        if ESCAPE not in body and codecs.lookup(encoding).name == "utf-8":
            # UTF-8 cannot carry a surrogate (the decoder refuses one): only a \u escape can
            # spell it, so without one there is nothing to look for in a batch's thousand
            # strings. Other charsets can (UTF-7 does).
            return data
        return without_lone_surrogates(data)


def without_lone_surrogates(data: Any) -> Any:
    """Parsed JSON with every lone surrogate in its strings and keys replaced by U+FFFD."""
    if isinstance(data, str):
        return data if data.isascii() else LONE_SURROGATE.sub("\ufffd", data)
    if isinstance(data, list):
        return [without_lone_surrogates(item) for item in data]
    if isinstance(data, dict):
        return {
            without_lone_surrogates(key): without_lone_surrogates(value)
            for key, value in data.items()
        }
    return data
