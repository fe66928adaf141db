"""Transport only: POST statements to a Learning Record Store and report what it answered.

No database here. One ``requests.Session`` per LRS keeps the connection alive between batches;
timeouts are always set; TLS certificates are always verified.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests

XAPI_VERSION = "1.0.3"
RESPONSE_LIMIT = 4000  # characters of an LRS answer kept for people to read


class LrsUnavailable(Exception):
    """The LRS could not be reached or did not answer in time (worth trying again later)."""


@dataclass(frozen=True)
class LrsResponse:
    status: int
    body: str

    @property
    def ok(self) -> bool:
        return self.status in (200, 204)


class LrsClient:
    def __init__(
        self,
        base_url: str,
        username: str = "",
        password: str = "",
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        session: requests.Session | None = None,
    ) -> None:
        self.statements_url = base_url.rstrip("/") + "/statements"
        self.timeout = (connect_timeout, read_timeout)
        self.session = session or requests.Session()
        self.credentials = (username, password)
        if username or password:
            self.session.auth = (username, password)
        self.session.headers.update(
            {
                "X-Experience-API-Version": XAPI_VERSION,
                "Content-Type": "application/json",
                "User-Agent": "Puente xAPI delivery",
            }
        )

    def post_statements(self, statements: Sequence[dict[str, Any]]) -> LrsResponse:
        return self.post_statements_json(
            [json.dumps(s, separators=(",", ":"), ensure_ascii=False) for s in statements]
        )

    def post_statements_json(self, statements: Sequence[str]) -> LrsResponse:
        """POST statements already serialised as JSON, as one array."""
        body = "[" + ",".join(statements) + "]"
        try:
            response = self.session.post(
                self.statements_url, data=body.encode("utf-8"), timeout=self.timeout
            )
        except requests.RequestException as error:
            raise LrsUnavailable(f"{type(error).__name__}: {error}") from error
        return LrsResponse(status=response.status_code, body=response.text[:RESPONSE_LIMIT])

    def get_statement(self, statement_id: str) -> tuple[LrsResponse, dict[str, Any] | None]:
        """The statement the LRS holds under ``statement_id``: (its answer, the statement or
        None). An LRS answers with the statement itself or, as some do, wrapped in a
        ``{"statements": [...]}`` result."""
        try:
            response = self.session.get(
                self.statements_url,
                params={"statementId": statement_id},
                headers={"Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise LrsUnavailable(f"{type(error).__name__}: {error}") from error
        answer = LrsResponse(status=response.status_code, body=response.text[:RESPONSE_LIMIT])
        if response.status_code != 200:
            return answer, None
        try:
            data = response.json()
        except ValueError:
            return answer, None
        if isinstance(data, dict) and isinstance(data.get("statements"), list):
            data = data["statements"][0] if data["statements"] else None
        return answer, data if isinstance(data, dict) else None

    def close(self) -> None:
        self.session.close()
