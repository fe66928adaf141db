"""Run a real Ralph LRS (ralph-malph 5.1.0) on loopback for tests and benchmarks.

This module runs in the project's venv and uses only the standard library and
``requests``. Ralph itself lives in a venv of its own (see ``ensure_ralph_venv``)
and is served by uvicorn from ``tests/ralph/asgi.py`` with the file-system backend.

    with RalphServer(tmp_path) as lrs:
        post_statements_directly(lrs.endpoint, lrs.auth, statements, batch_size=100)
        assert lrs.count() == len(statements)
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urljoin

import requests

from tests.venvs import VenvError, cached_venv_path, empty_folder, ensure_venv, tail

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
REQUIREMENTS = HERE / "requirements.txt"
VENV_ENV_VAR = "PUENTE_RALPH_VENV"
XAPI_VERSION = "1.0.3"
XAPI_HEADERS = {"X-Experience-API-Version": XAPI_VERSION}
HOST = "127.0.0.1"
PAGE_LIMIT = 100  # Ralph caps `limit` at 100 (RUNSERVER_MAX_SEARCH_HITS_COUNT).
# Cost 4 is bcrypt's minimum: the password is random, the server only listens on
# loopback, and it keeps hashing (here) and the first check (in Ralph) instant.
BCRYPT_ROUNDS = 4
SCOPES = ("statements/write", "statements/read")
AUTHORITY_HOME_PAGE = "https://puente.test"

Auth = tuple[str, str]


class RalphError(RuntimeError):
    """Building, starting or talking to the Ralph LRS failed."""


# --------------------------------------------------------------------------- venv


def default_venv_path() -> Path:
    """Return Ralph's venv path: ``$PUENTE_RALPH_VENV``, or a folder in the user's cache
    named after ``requirements.txt``'s hash, shared by every clone on the machine (a fresh
    clone then skips the ~20 s build; a changed requirements file gets a venv of its own)."""
    override = os.environ.get(VENV_ENV_VAR)
    if override:
        return Path(override).expanduser().resolve()
    return cached_venv_path("ralph-venv", requirements_hash())


def requirements_hash(requirements: Path = REQUIREMENTS) -> str:
    """Return the SHA-256 of the requirements file (the venv's freshness stamp)."""
    return hashlib.sha256(requirements.read_bytes()).hexdigest()


def ensure_ralph_venv(path: Path | None = None) -> Path:
    """Create or refresh Ralph's venv (tests/venvs.py) and return its python."""
    try:
        return ensure_venv(
            path or default_venv_path(), requirements_hash(), ["-r", str(REQUIREMENTS)]
        )
    except VenvError as error:
        raise RalphError(str(error)) from error


# ------------------------------------------------------------------------- server

# Strong references: a running server stays tracked until stop(), even if dropped.
_LIVE_SERVERS: set[RalphServer] = set()


@atexit.register
def _stop_live_servers() -> None:
    """Safety net: never leave a Ralph process behind the interpreter."""
    for server in list(_LIVE_SERVERS):
        server.stop()


class RalphServer:
    """One Ralph LRS process (uvicorn, file-system backend) bound to 127.0.0.1.

    ``workdir`` holds everything: ``data/`` (the statements), ``app/`` (Ralph's
    app dir), ``auth.json`` and ``ralph.log`` (the process's stdout and stderr,
    appended across restarts). ``restart()`` keeps the port and the data.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        username: str = "puente",
        password: str | None = None,
        port: int | None = None,
        python: Path | None = None,
        startup_timeout: float = 30.0,
        access_log: bool = False,
    ) -> None:
        self.workdir = Path(workdir).resolve()
        self._username = username
        self._password = password if password is not None else secrets.token_urlsafe(18)
        self._port = port
        self._python = python
        self.startup_timeout = startup_timeout
        self.access_log = access_log
        self._process: subprocess.Popen[bytes] | None = None

    # ---------------------------------------------------------------- properties

    @property
    def username(self) -> str:
        return self._username

    @property
    def password(self) -> str:
        return self._password

    @property
    def auth(self) -> Auth:
        """HTTP basic credentials, ready for ``requests``' ``auth=``."""
        return (self._username, self._password)

    @property
    def port(self) -> int:
        if self._port is None:
            raise RalphError("The port is chosen by start(): start the server first")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    @property
    def endpoint(self) -> str:
        """The xAPI base URL, e.g. ``http://127.0.0.1:PORT/xAPI/``."""
        return urljoin(self.base_url, "xAPI/")

    @property
    def statements_url(self) -> str:
        return urljoin(self.endpoint, "statements")

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    @property
    def app_dir(self) -> Path:
        return self.workdir / "app"

    @property
    def auth_file(self) -> Path:
        return self.workdir / "auth.json"

    @property
    def log_file(self) -> Path:
        return self.workdir / "ralph.log"

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> RalphServer:
        """Start Ralph (building its venv if needed) and wait until it is ready."""
        if self.is_running:
            return self
        python = self._python or ensure_ralph_venv()
        self._python = python
        for folder in (self.workdir, self.data_dir, self.app_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._write_auth_file(python)
        if self._port is None:
            self._port = free_port()
        self._process = self._spawn(python)
        _LIVE_SERVERS.add(self)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the process by its PID, wait, and kill it if it lingers."""
        process, self._process = self._process, None
        _LIVE_SERVERS.discard(self)
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)

    def restart(self) -> RalphServer:
        """Stop and start again on the same port with the same data directory."""
        self.stop()
        return self.start()

    def clear(self) -> None:
        """Delete every stored statement.

        Ralph's fs backend keeps nothing in memory (it re-reads its data file on
        every request), so emptying ``data/`` empties the LRS without a restart.
        Call it only while no request is in flight.
        """
        empty_folder(self.data_dir)

    def __enter__(self) -> RalphServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"pid={self.pid}" if self.is_running else "stopped"
        return f"<RalphServer {HOST}:{self._port} {state} {self.workdir}>"

    def _write_auth_file(self, python: Path) -> None:
        """Write the JSON that ``ralph auth ... -w`` writes, hashing with bcrypt.

        Same file as the CLI in about 15 ms instead of about 1.5 s (the CLI imports
        the whole API, and Ralph's default bcrypt cost 12 takes 0.25 s alone).
        """
        credentials = {
            "agent": {
                "account": {"homePage": AUTHORITY_HOME_PAGE, "name": self._username},
                "objectType": "Agent",
                "name": self._username,
            },
            "scopes": list(SCOPES),
            "hash": bcrypt_hash(python, self._password),
            "username": self._username,
        }
        self.auth_file.write_text(json.dumps([credentials], indent=2), encoding="utf-8")

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RALPH_")}
        env.update(
            RALPH_RUNSERVER_BACKEND="fs",
            RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(self.data_dir),
            RALPH_APP_DIR=str(self.app_dir),
            RALPH_AUTH_FILE=str(self.auth_file),
            RALPH_HISTORY_FILE=str(self.app_dir / "history.json"),
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONUNBUFFERED="1",
        )
        return env

    def _command(self, python: Path) -> list[str]:
        command = [str(python), "-m", "uvicorn", "--app-dir", str(HERE), "asgi:app"]
        command += ["--host", HOST, "--port", str(self.port)]
        command += ["--timeout-graceful-shutdown", "3", "--log-level", "info"]
        if not self.access_log:
            command.append("--no-access-log")
        return command

    def _spawn(self, python: Path) -> subprocess.Popen[bytes]:
        with self.log_file.open("ab") as log:
            log.write(f"\n=== {time.strftime('%H:%M:%S')} starting Ralph ===\n".encode())
            log.flush()
            # cwd=workdir: Ralph's settings also read a `.env` from the cwd.
            return subprocess.Popen(
                self._command(python),
                cwd=self.workdir,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        url = urljoin(self.base_url, "__heartbeat__")
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise RalphError(self._failure("Ralph exited during startup"))
            if _answers_ok(url):
                return
            time.sleep(0.05)
        raise RalphError(self._failure(f"Ralph not ready after {self.startup_timeout:.0f} s"))

    def _failure(self, what: str) -> str:
        log = self.log_file.read_text(encoding="utf-8", errors="replace")
        return f"{what} on {self.base_url} (log {self.log_file}):\n{tail(log)}"

    # ------------------------------------------------------------------- queries

    def session(self) -> requests.Session:
        """A ``requests.Session`` with this server's credentials and xAPI header."""
        session = requests.Session()
        session.auth = self.auth
        session.headers.update(XAPI_HEADERS)
        return session

    def statements(self) -> list[dict[str, Any]]:
        """Return every stored statement, oldest first, following the ``more`` links.

        Each page makes the fs backend re-read its store up to the page, so this is
        quadratic: about 0.2 s for 2,000 statements, 3 s for 10,000.
        """
        with self.session() as session:
            return list(_iter_statements(session, self.statements_url))

    def statement_ids(self) -> list[str]:
        return [statement["id"] for statement in self.statements()]

    def count(self) -> int:
        return len(self.statements())

    def get_statement(self, statement_id: str) -> dict[str, Any] | None:
        """Return the statement stored with this id, or None."""
        with self.session() as session:
            response = session.get(
                self.statements_url, params={"statementId": statement_id}, timeout=30
            )
        if response.status_code == 404:
            return None
        _check(response)
        found = response.json()["statements"]
        return found[0] if found else None


def _iter_statements(session: requests.Session, url: str) -> Iterator[dict[str, Any]]:
    next_url: str | None = url
    params: dict[str, Any] | None = {"limit": PAGE_LIMIT}
    while next_url:
        response = session.get(next_url, params=params, timeout=60)
        _check(response)
        page = response.json()
        yield from page["statements"]
        more = page.get("more")
        # `more` is relative ("/xAPI/statements?...") and carries every parameter.
        next_url = urljoin(url, more) if more and page["statements"] else None
        params = None


def _answers_ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the parent dies (Linux only).

    Backs up the atexit hook when the test process is killed outright (SIGKILL,
    or SIGTERM, which skips atexit). Linux ties this to the *thread* that started
    the child: call ``start()`` from the main thread or a long-lived one.
    """
    with contextlib.suppress(OSError, AttributeError):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def bcrypt_hash(python: Path, password: str) -> str:
    """Hash ``password`` with bcrypt, using Ralph's venv (the project may lack bcrypt)."""
    code = (
        "import bcrypt, sys; "
        "print(bcrypt.hashpw(sys.stdin.buffer.read(), "
        f"bcrypt.gensalt({BCRYPT_ROUNDS})).decode())"
    )
    result = subprocess.run(
        [str(python), "-c", code],
        input=password.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise RalphError(f"bcrypt hashing failed:\n{tail(result.stderr.decode())}")
    return result.stdout.decode().strip()


# ----------------------------------------------------------------------- baseline


def post_statements_directly(
    endpoint: str,
    auth: Auth,
    statements: Sequence[dict[str, Any]],
    batch_size: int,
) -> float:
    """POST ``statements`` in batches over one keep-alive session; return seconds.

    The baseline a benchmark compares Puente's delivery against. Raises
    ``RalphError`` on any non-2xx answer.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    url = urljoin(endpoint if endpoint.endswith("/") else endpoint + "/", "statements")
    with requests.Session() as session:
        session.auth = auth
        session.headers.update(XAPI_HEADERS)
        started = time.perf_counter()
        for start in range(0, len(statements), batch_size):
            batch = list(statements[start : start + batch_size])
            _check(session.post(url, json=batch, timeout=120))
        return time.perf_counter() - started


def _check(response: requests.Response) -> None:
    if not 200 <= response.status_code < 300:
        raise RalphError(
            f"{response.request.method} {response.url} -> {response.status_code}: "
            f"{response.text[:500]}"
        )
