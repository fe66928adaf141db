"""The deployment kit (deploy/): systemd units that systemd accepts, the management wrapper
with the example environment, and nginx (deploy/nginx/puente.conf) in front of gunicorn with
production settings, checked with real requests over HTTPS and plain HTTP.

The nginx tests need PostgreSQL (production settings refuse SQLite) and Debian's nginx
(`apt-get install -y nginx`); they skip on SQLite.
"""

from __future__ import annotations

import contextlib
import grp
import importlib
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.db import connection

from tests.factories import build_course_tree, lesson_event
from tests.lrs_stub import stub_lrs

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
VENV = Path(sys.prefix)
SERVER_NAME = "puente.example.org"
UNITS = [
    "puente-lti-keys.service",
    "puente-lti-keys.timer",
    "puente-maintenance.service",
    "puente-maintenance.timer",
    "puente-web.service",
    "puente-web.socket",
    "puente-worker.service",
]
# The gunicorn test instance's own Redis database (the Redis cache test uses 14, benches 13,
# 15): 12 in one process, one each below it for pytest-xdist's workers (make test: at most 4),
# since each worker serves its own test database.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
assert WORKER < 4, "at most 4 pytest workers: each needs a Redis database of its own here"
REDIS_URL = f"redis://127.0.0.1:6379/{12 - WORKER}"
YEAR = 31536000


def render_unit(name: str, root: Path) -> str:
    """A unit from deploy/systemd with its production paths moved under ``root`` and the
    virtualenv running these tests in place of /srv/puente/venv."""
    text = (DEPLOY / "systemd" / name).read_text()
    paths = {
        "/srv/puente/venv": str(VENV),
        "/etc/puente/puente.env": str(root / "puente.env"),
        "/srv/puente/media": str(root / "media"),
        "/run/puente-web": str(root / "run"),
        "/srv/puente": str(root),
    }
    for production, here in paths.items():
        text = text.replace(production, here)
    assert "/srv/puente" not in text
    assert "/etc/puente" not in text
    return text


def unit_value(unit: str, key: str) -> str:
    values = [line.split("=", 1)[1] for line in unit.splitlines() if line.startswith(f"{key}=")]
    assert len(values) == 1, f"{key}= appears {len(values)} times"
    return values[0]


def env_file(text: str) -> dict[str, str]:
    """VARIABLE=value lines, as systemd's EnvironmentFile= reads the example's simple ones."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def example_environment() -> dict[str, str]:
    """deploy/puente.env.example with its two secrets made, as an operator fills it in."""
    example = env_file((DEPLOY / "puente.env.example").read_text())
    assert example["DJANGO_SECRET_KEY"] == ""
    assert example["PUENTE_SECRET_KEYS"] == ""
    return {
        **example,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PUENTE_SECRET_KEYS": Fernet.generate_key().decode(),
    }


def database_url() -> str:
    """The suite's own test database, for processes started by a test."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- systemd ---------------------------------------------------------------------------------


def test_the_kit_has_these_units():
    assert sorted(path.name for path in (DEPLOY / "systemd").iterdir()) == UNITS


@pytest.mark.parametrize("name", UNITS)
def test_systemd_accepts_the_unit(name, tmp_path):
    # Every unit beside it: a timer's service must exist for the timer to verify.
    for unit in UNITS:
        (tmp_path / unit).write_text(render_unit(unit, tmp_path))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # verify exits 0 on an unknown key or a bad value it ignores; it says so, though.
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""


def test_the_web_unit_preloads_and_takes_its_socket_from_systemd(tmp_path):
    """gunicorn loads the application before forking (a reload, or a worker recycled after
    max_requests, costs no import), and listens on puente-web.socket's address, which
    systemd keeps open across restarts."""
    conf = importlib.import_module("courses.gunicorn_conf")
    assert conf.preload_app is True
    unit = render_unit("puente-web.service", tmp_path)
    assert unit_value(unit, "ExecReload") == "/bin/kill -HUP $MAINPID"
    assert unit_value(unit, "Requires") == "puente-web.socket"
    socket_unit = render_unit("puente-web.socket", tmp_path)
    assert unit_value(socket_unit, "ListenStream") == "127.0.0.1:8000"


LAUNCH_AS_SYSTEMD = (
    # What systemd does before it runs a socket-activated service: the socket is fd 3, and
    # LISTEN_PID names the process that may use it (this one, after exec).
    "import os, sys; os.environ['LISTEN_PID'] = str(os.getpid()); "
    "os.environ['LISTEN_FDS'] = '1'; os.execv(sys.argv[1], sys.argv[1:])"
)


def test_a_restart_with_the_socket_held_loses_no_request(tmp_path):
    """An upgrade restarts gunicorn: with systemd holding the socket (puente-web.socket), the
    requests that arrive while the old gunicorn stops and the new one starts wait in the
    socket's queue, and every one is answered."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    port = listener.getsockname()[1]
    unit = render_unit("puente-web.service", tmp_path)
    command = unit_value(unit, "ExecStart").split()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "courses.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "WEB_CONCURRENCY": "2",
    }
    (tmp_path / "run").mkdir(exist_ok=True)

    def start() -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", LAUNCH_AS_SYSTEMD, *command],
            cwd=REPO,
            env=environment,
            # fd 3 is made after fork and must survive exec: Python's own files are not
            # inheritable, so nothing else leaks into the child with close_fds off.
            close_fds=False,
            preexec_fn=lambda: os.dup2(listener.fileno(), 3),
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / "gunicorn.log", "ab"),
        )

    def answers() -> int:
        return requests.get(f"http://127.0.0.1:{port}/health/live", timeout=30).status_code

    first = start()
    statuses: list[int] = []
    waits: list[float] = []
    done = threading.Event()

    def keep_asking() -> None:
        while not done.is_set():
            started = time.monotonic()
            try:
                statuses.append(answers())
            except requests.RequestException:
                statuses.append(0)
            waits.append(time.monotonic() - started)

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if answers() == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.2)
        asker = threading.Thread(target=keep_asking)
        asker.start()
        time.sleep(0.5)
        first.terminate()  # systemctl restart: SIGTERM, then a new process
        first.wait(timeout=40)
        second = start()
        time.sleep(1.0)
        answered_before = len(statuses)
        while len(statuses) < answered_before + 20:
            assert time.monotonic() < deadline + 60, "nothing answered after the restart"
            time.sleep(0.05)
        done.set()
        asker.join()
    finally:
        done.set()
        for process in (first, locals().get("second")):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=40)
        listener.close()
    assert statuses
    assert set(statuses) == {200}, f"{statuses.count(0)} requests failed during the restart"
    print(f"longest wait during the restart: {max(waits):.2f} s over {len(statuses)} requests")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_stops_soon_after_sigterm(tmp_path, learner):
    """The worker unit allows 10 s (TimeoutStopSec) before SIGKILL: the worker, as the unit
    starts it, exits cleanly within 5 s of SIGTERM after sending."""
    from lms.services.progress import learner_event_record

    tree = build_course_tree(modules=1, lessons_per_module=1, translate_to=())
    learner_event_record(learner=learner, event=lesson_event(tree.lessons[0], "viewed"))
    command = shlex.split(unit_value(render_unit("puente-worker.service", tmp_path), "ExecStart"))
    with stub_lrs() as lrs:
        worker = subprocess.Popen(
            command,
            cwd=tmp_path,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "courses.settings.test",
                "DATABASE_URL": database_url(),
                "XAPI_LRS_ENDPOINT": lrs.url,
                "XAPI_LRS_USERNAME": "puente",
                "XAPI_LRS_PASSWORD": "secret",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not lrs.requests:  # it has sent: it is in its loop, its handlers are set
                assert worker.poll() is None, worker.communicate()[1]
                assert time.monotonic() < deadline, "the worker sent nothing"
                time.sleep(0.05)
            time.sleep(0.5)
            started = time.monotonic()
            worker.send_signal(signal.SIGTERM)
            _out, err = worker.communicate(timeout=10)
            stopped_in = time.monotonic() - started
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert worker.returncode == 0, err
    assert re.search(r"stopped: delivered [1-9]", err), err  # its last log line
    assert stopped_in < 5


def test_puente_manage_runs_commands_with_the_example_environment(tmp_path):
    """deploy/puente-manage loads the environment file and runs the command as the service
    user; with the example filled in as docs/production.md says, production settings load
    and pass Django's deploy check (so the example names every variable production needs)."""
    if os.geteuid() != 0:
        pytest.skip("puente-manage is for root (it switches to the service user with runuser)")
    environment = example_environment()
    (tmp_path / "puente.env").write_text("".join(f"{k}={v}\n" for k, v in environment.items()))
    user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout
    script = (DEPLOY / "puente-manage").read_text()
    for production, here in {
        "/etc/puente/puente.env": str(tmp_path / "puente.env"),
        "/srv/puente/venv": str(VENV),
        "cd /srv/puente": f"cd {tmp_path}",
        "-u puente": f"-u {user.strip()}",
    }.items():
        assert production in script
        script = script.replace(production, here)
    (tmp_path / "puente-manage").write_text(script)
    result = subprocess.run(
        ["sh", str(tmp_path / "puente-manage"), "check", "--deploy", "--fail-level", "WARNING"],
        env={"PATH": os.environ["PATH"]},  # nothing from this process: only the file counts
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


# --- nginx in front of gunicorn -------------------------------------------------------------


@dataclass
class Site:
    root: Path
    https: str
    http: str
    gunicorn: str
    https_port: int
    gunicorn_pid: int
    static_root: Path
    media_root: Path
    # HTTPS to nginx, trusting its certificate; plain HTTP (to nginx or gunicorn).
    client: requests.Session
    plain: requests.Session
    # What gunicorn runs with: the example environment, on the test's database and Redis.
    environment: dict[str, str]

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.client.get(self.https + path, allow_redirects=False, timeout=30, **kwargs)


def http_session(verify: str | bool = True) -> requests.Session:
    """Requests to the site by its name, ignoring the environment's proxies and CA bundle
    (REQUESTS_CA_BUNDLE would win over the session's own ``verify``)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = verify
    session.headers["Host"] = SERVER_NAME
    return session


def nginx_binary() -> str:
    path = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if path is None:
        pytest.fail("the nginx tests need Debian's nginx: apt-get install -y nginx")
    return path


def render_site_conf(root: Path, http_port: int, https_port: int, gunicorn_port: int) -> str:
    """deploy/nginx/puente.conf with its placeholders replaced as an operator would, but on
    loopback ports and directories under ``root``."""
    text = (DEPLOY / "nginx" / "puente.conf").read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        # Loopback only here: no IPv6 listeners.
        "listen [::]:80;": "",
        "listen [::]:443 ssl http2;": "",
        "/etc/letsencrypt/live/puente.example.org/": f"{root}/tls/",
        "/srv/puente/static/": f"{root}/static/",
        "/srv/puente/media/": f"{root}/media/",
        "/var/log/nginx/": f"{root}/log/",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{gunicorn_port};",
    }
    for placeholder, value in replacements.items():
        assert placeholder in text, f"{placeholder!r} is no longer in puente.conf"
        text = text.replace(placeholder, value)
    return text


def nginx_main_conf(root: Path) -> str:
    """Debian's /etc/nginx/nginx.conf, around the site file, with its paths under ``root``."""
    # Workers run unprivileged as on Debian (www-data), with the group that owns the uploads,
    # as www-data is in the puente group on a server. Without root, nginx cannot switch.
    user = f"user www-data {grp.getgrgid(os.getgid()).gr_name};" if os.geteuid() == 0 else ""
    temp = root / "nginx-temp"
    return f"""
{user}
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/log/error.log;
events {{ worker_connections 128; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log {root}/log/access.log;
    gzip on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {root}/puente.conf;
}}
"""


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    session = http_session()
    while True:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if session.get(url, timeout=5, allow_redirects=False).status_code < 500:
                return
        except requests.ConnectionError:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer: " + log.read_text()[-3000:]
        time.sleep(0.2)


def start_web(root: Path, environment: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """gunicorn as puente-web.service starts it (command line, directory, umask), with its
    paths under ``root``, answering on ``port``."""
    unit = render_unit("puente-web.service", root)
    (root / "run").mkdir(exist_ok=True)  # RuntimeDirectory=
    with log.open("w") as output:
        web = subprocess.Popen(
            shlex.split(unit_value(unit, "ExecStart")),
            cwd=unit_value(unit, "WorkingDirectory"),
            env={**environment, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            umask=int(unit_value(unit, "UMask"), 8),
            stdout=output,
            stderr=output,
            start_new_session=True,  # its workers in its process group: stop() ends them all
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/health/live", web, log)
    except BaseException:
        stop(web)
        raise
    return web


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # quick shutdown, for gunicorn and nginx alike
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    # A gunicorn worker stuck in its shutdown outlived its master once, holding the test
    # database's connection open: what is left of a server's own process group goes too (a
    # process started without a group of its own has none: nothing to do).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def production_environment(root: Path) -> dict[str, str]:
    """The example environment on the suite's database and its own Redis database, with
    STATIC_ROOT and MEDIA_ROOT under ``root``, and the few variables systemd would pass."""
    environment = {
        "PATH": os.environ["PATH"],
        **example_environment(),
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "STATIC_ROOT": str(root / "static"),
        "MEDIA_ROOT": str(root / "media"),
        # One thread in all: a slow client that held it would stop the site (see below).
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "1",
    }
    assert environment["DJANGO_ALLOWED_HOSTS"] == SERVER_NAME
    return environment


@pytest.fixture(scope="session")
def deploy_root(django_db_setup) -> Iterator[Path]:
    """A server's files for the nginx tests: a self-signed certificate, the collected static
    files, MEDIA_ROOT. Made once per pytest worker: pytest-django runs this module's
    transactional tests apart from the others, so the servers below may be started twice."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: production settings refuse SQLite (set DATABASE_URL)")
    # In /tmp with a traversable root: nginx's workers run as www-data and read from here.
    with tempfile.TemporaryDirectory(prefix="puente-deploy-") as name:
        root = Path(name)
        root.chmod(0o755)
        for directory in ("log", "nginx-temp", "run", "media", "tls"):
            (root / directory).mkdir()
        (root / "tls").chmod(0o700)  # the key is read by nginx's master (root) only
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
            + ["-nodes", "-days", "2", "-subj", f"/CN={SERVER_NAME}"]
            + ["-addext", f"subjectAltName=DNS:{SERVER_NAME},IP:127.0.0.1"]
            + ["-keyout", str(root / "tls/privkey.pem"), "-out", str(root / "tls/fullchain.pem")],
            check=True,
            capture_output=True,
            timeout=60,
        )
        collected = subprocess.run(
            [str(VENV / "bin" / "django-admin"), "collectstatic", "--noinput"],
            cwd=root,
            env=production_environment(root),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert collected.returncode == 0, collected.stderr
        redis.Redis.from_url(REDIS_URL).flushdb()
        yield root


@pytest.fixture(scope="module")
def site(deploy_root) -> Iterator[Site]:
    """nginx (deploy/nginx/puente.conf) over gunicorn, started by the web unit's own command
    line with the example environment and production settings, on the suite's database."""
    nginx = nginx_binary()
    root = deploy_root
    environment = production_environment(root)
    http_port, https_port, gunicorn_port = free_port(), free_port(), free_port()
    gunicorn_log = root / "log" / "gunicorn.log"
    gunicorn = start_web(root, environment, gunicorn_port, gunicorn_log)
    (root / "puente.conf").write_text(render_site_conf(root, http_port, https_port, gunicorn_port))
    (root / "nginx.conf").write_text(nginx_main_conf(root))
    command = [nginx, "-p", str(root), "-c", str(root / "nginx.conf"), "-e", "stderr"]
    tested = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    nginx_log = root / "log" / "nginx.log"
    with nginx_log.open("w") as output:
        server = subprocess.Popen(command, stdout=output, stderr=output)
    try:
        assert tested.returncode == 0, tested.stderr
        gunicorn_url = f"http://127.0.0.1:{gunicorn_port}"
        wait_for(f"http://127.0.0.1:{http_port}/health/live", server, nginx_log)
        yield Site(
            root=root,
            https=f"https://127.0.0.1:{https_port}",
            http=f"http://127.0.0.1:{http_port}",
            gunicorn=gunicorn_url,
            https_port=https_port,
            gunicorn_pid=gunicorn.pid,
            static_root=root / "static",
            media_root=root / "media",
            client=http_session(verify=str(root / "tls" / "fullchain.pem")),
            plain=http_session(),
            environment=environment,
        )
    finally:
        stop(server)
        stop(gunicorn)  # before the test database is dropped: it holds connections
    # The web unit gives gunicorn's control socket a directory it may write to.
    assert "Failed to start control socket" not in gunicorn_log.read_text()


@pytest.fixture
def course(site, settings):
    """A course committed to the database gunicorn reads, its images in gunicorn's MEDIA_ROOT."""
    settings.MEDIA_ROOT = site.media_root
    return build_course_tree(modules=1, lessons_per_module=2, translate_to=())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lesson_over_https(site, course):
    lesson = course.lessons[0]
    response = site.get(lesson.get_url(), headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert lesson.title in response.text
    assert response.headers["Content-Encoding"] == "gzip"
    # HSTS is only sent on requests Django sees as secure (X-Forwarded-Proto from nginx);
    # with SECURE_SSL_REDIRECT on, a request it saw as plain HTTP would have been redirected.
    assert response.headers["Strict-Transport-Security"].startswith(f"max-age={YEAR}")
    assert "Secure" in response.headers["Set-Cookie"]

    # Every static file the page names is served by nginx under its hashed name.
    static = set(re.findall(r"/static/[^\"'\s<>?#]+", response.text))
    assert static
    for path in static:
        answer = site.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Cache-Control"] == f"public, max-age={YEAR}, immutable"
    # So is every picture: image renditions from MEDIA_ROOT.
    pictures = set(re.findall(r"/media/images/[^\"'\s,]+", response.text))
    assert pictures
    for path in pictures:
        answer = site.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Content-Type"] in {"image/avif", "image/webp"}
        # Their names change with the picture and its size: kept for a year, never gzipped.
        assert answer.headers["Cache-Control"] == f"public, max-age={YEAR}, immutable"
        assert "Content-Encoding" not in answer.headers
        assert answer.content == (site.media_root / path.removeprefix("/media/")).read_bytes()

    # nginx's access log line carries the id it sent to Django as X-Request-ID (nginx writes
    # the line once the response is sent, so it may come a moment after the client has it).
    line = rf'"GET {re.escape(lesson.get_url())} HTTP/1.1" 200 .* id=[0-9a-f]{{32}}\n'
    deadline = time.monotonic() + 5
    while not re.search(line, (site.root / "log" / "puente.access.log").read_text()):
        assert time.monotonic() < deadline, "no access log line for the lesson"
        time.sleep(0.05)

    # The control: gunicorn alone, without nginx's X-Forwarded-Proto, sends pages to HTTPS.
    direct = site.plain.get(site.gunicorn + lesson.get_url(), allow_redirects=False, timeout=30)
    assert direct.status_code == 301
    assert direct.headers["Location"].startswith(f"https://{SERVER_NAME}/")


def test_static_files_compressed_ahead_and_cached_for_good(site):
    manifest = (site.static_root / "staticfiles.json").read_text()
    hashed = re.search(r'"puente/css/puente\.css": "([^"]+)"', manifest).group(1)
    assert hashed != "puente/css/puente.css"
    original = (site.static_root / hashed).read_bytes()

    compressed = site.get(f"/static/{hashed}", headers={"Accept-Encoding": "gzip"}, stream=True)
    assert compressed.status_code == 200
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert compressed.headers["Vary"] == "Accept-Encoding"
    assert compressed.headers["Cache-Control"] == f"public, max-age={YEAR}, immutable"
    # The very bytes whitenoise compressed at collectstatic (gzip_static), not a new gzip.
    gz = (site.static_root / f"{hashed}.gz").read_bytes()
    assert compressed.raw.read(decode_content=False) == gz

    plain = site.get(f"/static/{hashed}", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.content == original
    assert plain.headers["Content-Type"] == "text/css"

    # The unhashed name changes content with each release: not cached for long.
    unhashed = site.get("/static/puente/css/puente.css")
    assert unhashed.status_code == 200
    assert unhashed.headers["Cache-Control"] == "public, max-age=60"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_documents_only_through_wagtail(site, settings):
    """Document files live in MEDIA_ROOT/documents/, but only Wagtail's view may serve them:
    it applies the privacy of the document's collection."""
    from wagtail.documents.models import Document

    settings.MEDIA_ROOT = site.media_root
    document = Document.objects.create(
        title="Handout", file=ContentFile(b"%PDF-1.4 a handout", name="handout.pdf")
    )
    assert (site.media_root / document.file.name).exists()

    served = site.get(document.url)
    assert served.status_code == 200
    assert served.content == b"%PDF-1.4 a handout"
    assert site.get(f"/media/{document.file.name}").status_code == 404
    assert site.get(f"/media//{document.file.name}").status_code == 404
    assert site.get(f"/media/%64ocuments/{document.file.name.split('/')[-1]}").status_code == 404


def test_plain_http_goes_to_https_but_probes_answer(site):
    page = site.plain.get(f"{site.http}/en/?q=1", allow_redirects=False, timeout=30)
    assert page.status_code == 301
    assert page.headers["Location"] == f"https://{SERVER_NAME}/en/?q=1"

    for probe in ("/health/live", "/health/ready"):
        answer = site.plain.get(site.http + probe, allow_redirects=False, timeout=30)
        assert answer.status_code == 200, (probe, answer.text)
        assert answer.json()["status"] in {"ok", "degraded"}
    assert answer.json()["database"] == "ok"
    assert answer.json()["cache"] == "ok"  # Redis


def request_head(path: str, length: int, *extra: str) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {SERVER_NAME}",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {length}",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def tls_socket(site: Site) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(site.root / "tls" / "fullchain.pem"))
    raw = socket.create_connection(("127.0.0.1", site.https_port), timeout=30)
    return context.wrap_socket(raw, server_hostname=SERVER_NAME)


def test_request_bodies_have_limits(site):
    # Above 3 MB nginx refuses from the Content-Length alone, before any of the body is sent.
    with tls_socket(site) as connection_:
        connection_.settimeout(5)  # nginx answers at once; Django would wait for the body
        connection_.sendall(request_head("/api/v1/events/", 4_000_000))
        answer = connection_.recv(1000)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"<center>nginx</center>" in answer

    # Between 2.5 and 3 MB Django refuses (PUENTE_MAX_BODY_BYTES), with its own message.
    events = site.client.post(
        site.https + "/api/v1/events/",
        data=b"x" * 2_700_000,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert events.status_code == 413
    assert events.json()["code"] == "too_large"

    # Editors upload more in the admin: the body reaches Django (here refused for want of a
    # CSRF token: Django's answer, not nginx's).
    upload = site.client.post(
        site.https + "/admin/login/",
        data=b"x" * 4_000_000,
        headers={"Content-Type": "application/octet-stream"},
        timeout=60,
    )
    assert upload.status_code == 403
    assert "Cross-Origin-Opener-Policy" in upload.headers  # Django's SecurityMiddleware


def test_a_slow_client_does_not_hold_gunicorn(site):
    """gunicorn runs one thread here. A phone sending its body slowly holds only nginx, which
    passes the request on once it has all of it: the site keeps answering meanwhile. The
    same request sent to gunicorn directly holds its one thread, and the site stops."""
    # A well-formed CSRF cookie and a trusted Origin: Django reads the body to check the token.
    cookie = "Cookie: csrftoken=" + "a" * 32
    origin = f"Origin: https://{SERVER_NAME}"
    half = b"csrfmiddlewaretoken="

    with tls_socket(site) as slow:
        slow.sendall(request_head("/health/live", 200, cookie, origin) + half)
        time.sleep(0.3)
        started = time.monotonic()
        answer = site.get("/health/live")
        assert answer.status_code == 200
        assert time.monotonic() - started < 2

    with socket.create_connection(("127.0.0.1", int(site.gunicorn.rsplit(":", 1)[1]))) as slow:
        forwarded = "X-Forwarded-Proto: https"  # as nginx would say
        slow.sendall(request_head("/health/live", 200, cookie, origin, forwarded) + half)
        time.sleep(0.3)
        with pytest.raises(requests.Timeout):
            site.plain.get(site.gunicorn + "/health/live", timeout=2)
    # The slow client gone, gunicorn's thread is free again.
    assert site.get("/health/live").status_code == 200


def test_a_reload_keeps_answering(site):
    """`systemctl reload puente-web` sends HUP: new workers start and old ones finish their
    requests. Requests arriving meanwhile wait for a new worker; none fails."""
    log = site.root / "log" / "gunicorn.log"
    booted = re.findall(r"Booting worker with pid: (\d+)", log.read_text())
    exited = re.findall(r"Worker exiting \(pid: (\d+)\)", log.read_text())
    old = set(booted) - set(exited)
    statuses: list[int] = []
    slowest = 0.0
    done = threading.Event()

    def keep_asking() -> None:
        nonlocal slowest
        session = http_session(verify=site.client.verify)
        while not done.is_set():
            started = time.monotonic()
            try:
                statuses.append(session.get(site.https + "/health/live", timeout=30).status_code)
            except requests.RequestException:
                statuses.append(0)
            slowest = max(slowest, time.monotonic() - started)

    asking = threading.Thread(target=keep_asking)
    asking.start()
    try:
        time.sleep(0.5)
        os.kill(site.gunicorn_pid, signal.SIGHUP)
        deadline = time.monotonic() + 60
        while not old <= set(re.findall(r"Worker exiting \(pid: (\d+)\)", log.read_text())):
            assert time.monotonic() < deadline, "the old workers did not stop"
            time.sleep(0.1)
        answered = len(statuses)
        while len(statuses) < answered + 5:  # answers from the new workers alone
            assert time.monotonic() < deadline, "nothing answered after the reload"
            time.sleep(0.05)
    finally:
        done.set()
        asking.join()
    assert len(re.findall(r"Booting worker with pid", log.read_text())) > len(booted)
    assert set(statuses) == {200}
    print(f"slowest request during the reload: {slowest:.2f} s")


# --- when Redis or PostgreSQL is down (docs/production.md, "When something is down") ---------


@pytest.fixture
def web_without(site, tmp_path):
    """Another gunicorn like the site's, with one service's address pointing where nothing
    listens (port 1). Requests go to it directly, with the header nginx would add."""
    started: list[subprocess.Popen] = []

    def start(**overrides: str) -> Callable[[str], requests.Response]:
        port = free_port()
        started.append(
            start_web(tmp_path, {**site.environment, **overrides}, port, tmp_path / "web.log")
        )
        session = http_session()
        session.headers["X-Forwarded-Proto"] = "https"
        return lambda path: session.get(
            f"http://127.0.0.1:{port}{path}", timeout=30, allow_redirects=False
        )

    yield start
    for web in started:
        stop(web)


def test_without_redis_readiness_says_degraded(web_without):
    ready = web_without(REDIS_URL="redis://127.0.0.1:1/0")("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["cache"] == "unavailable"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_redis_lessons_still_answer(course, web_without):
    get = web_without(REDIS_URL="redis://127.0.0.1:1/0")
    lesson = course.lessons[0]
    page = get(lesson.get_url())
    assert page.status_code == 200
    assert lesson.title in page.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_the_database_pages_say_unavailable_but_cached_lessons_stay_readable(
    course, site, web_without
):
    lesson = course.lessons[0].get_url()
    # Read once while all is well, by a phone that is not signed in: now in the page cache.
    assert site.get(lesson).status_code == 200
    get = web_without(DATABASE_URL="postgres://postgres@127.0.0.1:1/puente")
    assert get("/health/ready").status_code == 503
    # That lesson goes on being read (courses/page_cache.py needs no database)...
    page = get(lesson)
    assert page.status_code == 200
    assert course.lessons[0].title in page.text
    # ...and whatever the cache does not hold says the site is unavailable.
    for path in (course.modules[0].get_url(), lesson + "?again=1"):
        assert get(path).status_code == 503, path
