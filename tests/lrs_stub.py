"""A misbehaving LRS on loopback: answers with scripted statuses, stalls or drops connections.

Ralph (tests/ralph) is the real LRS; this stub stands in for the failures a real LRS can have
but Ralph cannot be made to produce on demand (401, 503, slowness, reset connections), and
records every request it receives.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

# A response: (status, body) or one of the special actions below.
STALL = "stall"  # never answer in time
RESET = "reset"  # close the connection without answering


@dataclass
class StubLrs:
    url: str
    requests: list[list[dict[str, Any]]] = field(default_factory=list)
    # The client's (address, port) of each request: which connection, so which worker, sent it.
    peers: list[tuple[str, int]] = field(default_factory=list)
    # Called with the statements of each request; returns (status, body), STALL or RESET.
    respond: Callable[[list[dict[str, Any]]], Any] = lambda statements: (200, "[]")
    # Statements the LRS holds, by id: what GET /statements?statementId= answers with.
    held: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The statement ids asked for with GET, in order.
    lookups: list[str] = field(default_factory=list)

    @property
    def statement_ids(self) -> list[str]:
        return [statement["id"] for batch in self.requests for statement in batch]


@contextmanager
def stub_lrs(stall_seconds: float = 3.0) -> Iterator[StubLrs]:
    state: StubLrs

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            statements = json.loads(self.rfile.read(length) or b"[]")
            state.requests.append(statements)
            state.peers.append(self.client_address)
            answer = state.respond(statements)
            if answer == RESET:
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            if answer == STALL:
                time.sleep(stall_seconds)
                answer = (200, json.dumps([s["id"] for s in statements]))
            self.answer(*answer)

        def do_GET(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            statement_id = (query.get("statementId") or [""])[0]
            state.lookups.append(statement_id)
            held = state.held.get(statement_id)
            if held is None:
                self.answer(404, json.dumps({"detail": "not found"}))
            else:
                self.answer(200, json.dumps(held))

        def answer(self, status: int, body: str) -> None:
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state = StubLrs(url=f"http://127.0.0.1:{server.server_address[1]}/xAPI/")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def lrs_stub(settings) -> Iterator[StubLrs]:
    """The stub LRS, set up as Puente's LRS endpoint (user "puente", password "secret")."""
    # Imported here: this module is a pytest plugin, loaded before Django's apps are ready.
    from lms.services.xapi import endpoints_sync_from_settings

    with stub_lrs() as stub:
        settings.XAPI_LRS_ENDPOINT = stub.url
        settings.XAPI_LRS_USERNAME = "puente"
        settings.XAPI_LRS_PASSWORD = "secret"
        endpoints_sync_from_settings()
        yield stub
