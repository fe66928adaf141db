"""Whether the statement an LRS holds under an id is the one we sent (pure: no I/O).

An LRS answers 409 Conflict both to an identical resend (some do) and when a *different*
statement already holds the id. Telling them apart follows xAPI 1.0.3's statement comparison
requirements: differences the specification lets an LRS make are ignored, anything else
counts. Ignored here:

- properties the LRS assigns: ``stored``, ``authority``, ``version`` (and ``id``, which
  matched to get here, in any letter case);
- an activity's ``definition`` (an LRS may return its canonical definition of the activity);
- how a timestamp is written (compared as an instant, to the millisecond an LRS must keep);
- the letter case of UUIDs and of language tags;
- the order of an object's members, and a member that is null against one that is absent.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

LRS_ASSIGNED = {"id", "stored", "authority", "version"}
TIMESTAMP_KEYS = {"timestamp"}
LANGUAGE_MAP_KEYS = {"name", "description", "display"}


def statements_match(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    if str(ours.get("id", "")).lower() != str(theirs.get("id", "")).lower():
        return False
    strip = {key: value for key, value in ours.items() if key not in LRS_ASSIGNED}
    held = {key: value for key, value in theirs.items() if key not in LRS_ASSIGNED}
    return _normal(strip) == _normal(held)


def _normal(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        if key in LANGUAGE_MAP_KEYS and all(isinstance(v, str) for v in value.values()):
            return {tag.lower(): text for tag, text in value.items()}
        return {
            name: _normal(item, name)
            for name, item in value.items()
            if item is not None and name != "definition"
        }
    if isinstance(value, list):
        return [_normal(item, key) for item in value]
    if isinstance(value, str):
        if key in TIMESTAMP_KEYS:
            return _instant(value)
        return _uuid_or_text(value)
    return value


def _instant(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def _uuid_or_text(text: str) -> str:
    if len(text) == 36 and text.count("-") == 4:
        try:
            return str(uuid.UUID(text))
        except ValueError:
            pass
    return text
