"""Puente's lesson page next to its direct peer, wagtail-lms, served the same way in one run.

Builds, in a temporary folder, a fresh `wagtail start` site with wagtail-lms (pinned below) in
its own virtualenv (kept in var/bench-peer/ between runs), with one text lesson holding the same
words as Puente's lesson and a signed-in learner enrolled in its course. Builds Puente's demo in
a temporary SQLite database. Serves both with the same gunicorn command (sync workers, DEBUG
off), drives both with the same keep-alive client (gzip accepted) in interleaved rounds, and
prints each median rate and the ratios: Puente signed in / wagtail-lms, and Puente signed in
and anonymous / Puente's minimal view in the same gunicorn.

    .venv/bin/python bench/peer.py [--rounds 3] [--seconds 8] [--users 4] [--workers 2]
"""

from __future__ import annotations

import argparse
import base64
import gzip
import html
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
from importlib.metadata import version
from pathlib import Path

from common import REPO, build_site, drive, free_port, setup_django, wait_until_ready

WAGTAIL_LMS = "wagtail-lms==0.11.1"
PUENTE_LESSON = "/en/family-digital-skills/getting-connected/home-wifi/"
PEER_VENV = REPO / "var" / "bench-peer"

# Run inside the peer's virtualenv: one course, one lesson holding the given paragraphs, one
# enrolled learner; prints the lesson's URL and the learner's session cookie as JSON.
PEER_CONTENT = """
import json, sys
import django
django.setup()
from django.contrib.auth.models import User
from django.test import Client
from wagtail.models import Page
from wagtail_lms.models import CourseEnrollment, CoursePage, H5PLessonPage

paragraphs = json.load(open(sys.argv[1]))
home = Page.objects.get(depth=2).specific
course = home.add_child(instance=CoursePage(title="Family digital skills", slug="course"))
lesson = course.add_child(instance=H5PLessonPage(
    title="Home Wi-Fi", slug="home-wifi",
    body=[("paragraph", "".join(f"<p>{text}</p>" for text in paragraphs))],
))
learner = User.objects.create_user("learner", password="a-long-password-1")
CourseEnrollment.objects.create(user=learner, course=course)
client = Client()
client.force_login(learner)
print(json.dumps({"url": lesson.url, "session": client.cookies["sessionid"].value}))
"""

PEER_SETTINGS = """
from .base import *  # noqa

DEBUG = False
SECRET_KEY = "bench-only"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS += ["wagtail_lms"]  # noqa
ROOT_URLCONF = "peersite.bench_urls"
"""

PEER_URLS = """
from django.urls import include, path

from .urls import urlpatterns as site_urlpatterns

urlpatterns = [path("lms/", include("wagtail_lms.urls")), *site_urlpatterns]
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured time per page")
    parser.add_argument("--users", type=int, default=4, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    return parser.parse_args()


def peer_virtualenv() -> Path:
    """A virtualenv with wagtail-lms and the very Django, Wagtail and gunicorn Puente runs on."""
    pins = [
        WAGTAIL_LMS,
        f"Django=={version('django')}",
        f"wagtail=={version('wagtail')}",
        f"gunicorn=={version('gunicorn')}",
    ]
    marker = PEER_VENV / "pins.txt"
    if not marker.exists() or marker.read_text() != "\n".join(pins):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEER_VENV)], check=True)
        pip = [str(PEER_VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
        installed = subprocess.run([*pip, *pins], capture_output=True, text=True)
        if installed.returncode:
            raise SystemExit(f"could not install {pins}: {installed.stderr[-3000:]}")
        marker.write_text("\n".join(pins))
    return PEER_VENV / "bin"


def lesson_paragraphs(path: str) -> list[str]:
    """The words a reader sees in Puente's lesson (headings, paragraphs, list items, questions
    and their choices), one entry each, for the peer's lesson."""
    from django.test import Client
    from django.utils.html import strip_tags

    html = Client(HTTP_HOST="localhost").get(path).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    parts = re.findall(r"<(h[1-4]|p|li|legend|label)\b[^>]*>(.*?)</\1>", main, flags=re.S)
    texts = (" ".join(strip_tags(inner).split()) for _tag, inner in parts)
    return [text for text in texts if text]


def build_peer(folder: Path, paragraphs: list[str]) -> tuple[Path, str, str]:
    """A fresh `wagtail start` site with wagtail-lms, its database, one lesson and a learner:
    the site folder, the lesson's path and the learner's session cookie."""
    bin_dir = peer_virtualenv()
    site = folder / "peer"
    site.mkdir()
    subprocess.run([str(bin_dir / "wagtail"), "start", "peersite", str(site)], check=True)
    (site / "peersite" / "settings" / "bench.py").write_text(textwrap.dedent(PEER_SETTINGS))
    (site / "peersite" / "bench_urls.py").write_text(textwrap.dedent(PEER_URLS))
    (folder / "paragraphs.json").write_text(json.dumps(paragraphs))
    (folder / "content.py").write_text(textwrap.dedent(PEER_CONTENT))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "peersite.settings.bench"}
    env.pop("DATABASE_URL", None)
    python = str(bin_dir / "python")
    quiet = {"check": True, "cwd": site, "env": env, "stdout": subprocess.DEVNULL}
    subprocess.run([python, "manage.py", "migrate", "--noinput"], **quiet)
    subprocess.run([python, "manage.py", "collectstatic", "--noinput"], **quiet)
    made = subprocess.run(
        [python, str(folder / "content.py"), str(folder / "paragraphs.json")],
        check=True,
        cwd=site,
        env={**env, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
    )
    facts = json.loads(made.stdout.strip().splitlines()[-1])
    return site, facts["url"], facts["session"]


def gunicorn(bin_dir: Path, application: str, cwd: Path, env: dict, workers: int) -> tuple:
    """The same command for both sites: sync workers, no configuration file. Its output goes
    to a file (a pipe nobody reads would fill and stall the workers)."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix=f"{application.split('.')[0]}-", suffix=".log")  # noqa: SIM115 (lives as long as the server)
    process = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            application,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
        ],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=log,
    )
    return process, port, log


def page_bytes(port: int, request: tuple, expected_text: str) -> int:
    """The bytes one request downloads, after checking it is the lesson itself (a 200 with
    the lesson's words, not a sign-in page or a redirect)."""
    method, path, body, headers = request
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read()
    connection.close()
    assert response.status == 200, (path, response.status)
    if path != "/bench/minimal/":
        text = gzip.decompress(content) if response.getheader("Content-Encoding") else content
        assert html.escape(expected_text, quote=False).encode() in text, f"{path}: not the lesson"
    return len(content)


def main() -> None:
    args = parse_args()
    workdir = setup_django(settings="bench.serve_settings")
    from django.test import Client

    from lms.services.learners import learner_sign_up

    build_seconds = build_site()
    paragraphs = lesson_paragraphs(PUENTE_LESSON)
    words = sum(len(text.split()) for text in paragraphs)
    puente_client = Client(HTTP_HOST="localhost")
    puente_client.force_login(learner_sign_up(username="peer-bench", password="x" * 12).user)
    puente_session = puente_client.cookies["sessionid"].value
    # The first visit records the lesson as started; the bench measures the visits after it.
    assert puente_client.get(PUENTE_LESSON).status_code == 200

    folder = Path(tempfile.mkdtemp(prefix="puente-peer-"))
    peer_site, peer_lesson, peer_session = build_peer(folder, paragraphs)

    puente_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.serve_settings",
        "PUENTE_SECRET_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "WARNING",
    }
    puente_env.pop("REDIS_URL", None)
    peer_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "PUENTE_"))
    }
    peer_env["DJANGO_SETTINGS_MODULE"] = "peersite.settings.bench"
    servers = [
        gunicorn(REPO / ".venv/bin", "courses.wsgi:application", REPO, puente_env, args.workers),
        gunicorn(PEER_VENV / "bin", "peersite.wsgi:application", peer_site, peer_env, args.workers),
    ]
    (puente, puente_port, puente_log), (peer, peer_port, peer_log) = servers
    try:
        for process, port, path, log in [
            (puente, puente_port, "/bench/minimal/", puente_log),
            (peer, peer_port, "/", peer_log),
        ]:
            try:
                wait_until_ready(process, port, path)
            except SystemExit:
                print(Path(log.name).read_text()[-3000:], file=sys.stderr)
                raise

        def get(path: str, session: str = ""):
            headers = {"Accept-Encoding": "gzip"}
            if session:
                headers["Cookie"] = f"sessionid={session}"
            return lambda _index: ("GET", path, None, headers)

        pages = {
            "Puente minimal view": (puente_port, get("/bench/minimal/")),
            "wagtail-lms lesson, signed in": (peer_port, get(peer_lesson, peer_session)),
            "Puente lesson, signed in": (puente_port, get(PUENTE_LESSON, puente_session)),
            "Puente lesson, anonymous": (puente_port, get(PUENTE_LESSON)),
        }
        rates: dict[str, list[float]] = {label: [] for label in pages}
        failures = dict.fromkeys(pages, 0)
        sizes = {}
        for label, (port, make_request) in pages.items():
            drive(port, args.users, 2.0, make_request)  # warm up: imports, templates, caches
            sizes[label] = page_bytes(port, make_request(0), paragraphs[-1])
        for _round in range(args.rounds):
            for label, (port, make_request) in pages.items():
                _latencies, done, failed = drive(port, args.users, args.seconds, make_request)
                rates[label].append(done / args.seconds)
                failures[label] += failed
    finally:
        # Both are asked to stop before either is waited for, and one that does not stop in
        # 30 s is killed: a bench must not leave a server behind.
        for process, _port, _log in servers:
            process.send_signal(signal.SIGTERM)
        for process, _port, _log in servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    median = {label: statistics.median(values) for label, values in rates.items()}
    print(
        f"\n== {args.rounds} interleaved rounds of {args.seconds:.0f} s per page, gunicorn "
        f"{args.workers} sync workers, {args.users} connections, SQLite, DEBUG off "
        f"(Puente demo built in {build_seconds:.0f} s; the lesson has {words} words on both)"
    )
    print(f"{'page':<32} {'bytes':>7} {'req/s (median)':>15} {'rounds':>20} {'failed':>7}")
    for label, values in rates.items():
        rounds = " ".join(f"{value:.0f}" for value in values)
        print(
            f"{label:<32} {sizes[label]:>7,} {median[label]:>15.0f} {rounds:>20} "
            f"{failures[label]:>7}"
        )
    minimal = median["Puente minimal view"]
    signed_in = median["Puente lesson, signed in"]
    print(
        f"\nPuente signed in / wagtail-lms signed in: "
        f"{signed_in / median['wagtail-lms lesson, signed in']:.2f}x (goal >= 2)"
    )
    print(f"Puente signed in / minimal view: {signed_in / minimal:.2f}x (goal >= 0.25)")
    print(
        f"Puente anonymous / minimal view: "
        f"{median['Puente lesson, anonymous'] / minimal:.2f}x (goal >= 0.5)"
    )


if __name__ == "__main__":
    main()
