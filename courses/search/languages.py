"""How each language's text is searched.

PostgreSQL stems words with a text-search configuration per language ("conectar" finds
"conéctese"); a language without one (Vietnamese, Haitian Creole, Somali, Hmong) is matched
word for word ("simple"). Chinese is written without spaces, so no tokenizer of SQLite or
PostgreSQL finds a word inside a sentence: its characters are indexed and searched one by one,
which finds every page holding all the characters of the query.
"""

from __future__ import annotations

import re

SEARCH_CONFIGS = {
    "en": "english",
    "es": "spanish",
    "pt": "portuguese",
    "ru": "russian",
    "ar": "arabic",
}
UNSPACED_LANGUAGES = ("zh",)
HAN = re.compile(r"([\u3400-\u9fff\uf900-\ufaff])")


def search_config(language: str) -> str:
    """PostgreSQL's text-search configuration for a Django language code ("pt-br")."""
    return SEARCH_CONFIGS.get(language.split("-")[0].lower(), "simple")


def is_unspaced(language: str) -> bool:
    return language.split("-")[0].lower() in UNSPACED_LANGUAGES


def spaced_characters(text: str) -> str:
    """Chinese characters as separate words, for indexing and for queries."""
    return HAN.sub(r" \1 ", text)
