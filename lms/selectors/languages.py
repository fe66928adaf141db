"""Each interface language's translation and how far it can be trusted, read from the compiled
catalogues' headers (``X-Puente-Translation-Status``: ``reviewed`` once a speaker has read it,
``needs-review`` for a draft). Shown to editors in the admin (Settings, Languages)."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language_info, to_locale

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "locale"
STATUS_HEADER = "x-puente-translation-status"


@dataclass(frozen=True)
class LanguageStatus:
    code: str
    name: str  # in its own language, as settings.LANGUAGES gives it
    direction: str
    status: str  # "source", "reviewed", "needs-review" or "missing"
    translated: int  # messages in the plugin's compiled catalogue
    translator: str


def language_statuses() -> list[LanguageStatus]:
    statuses = []
    for code, name in settings.LANGUAGES:
        direction = "rtl" if get_language_info(code)["bidi"] else "ltr"
        if code == settings.LANGUAGE_CODE:
            statuses.append(LanguageStatus(code, name, direction, "source", 0, ""))
            continue
        compiled = CATALOGUE_DIR / to_locale(code) / "LC_MESSAGES" / "django.mo"
        if not compiled.exists():
            statuses.append(LanguageStatus(code, name, direction, "missing", 0, ""))
            continue
        with compiled.open("rb") as file:
            catalogue = gettext.GNUTranslations(file)
        headers = catalogue.info()
        statuses.append(
            LanguageStatus(
                code=code,
                name=name,
                direction=direction,
                status=headers.get(STATUS_HEADER, "needs-review"),
                # The catalogue's own header is stored as the empty message: not counted.
                translated=sum(1 for key in catalogue._catalog if key not in ("", ("", 0))),
                translator=headers.get("last-translator", ""),
            )
        )
    return statuses
