"""Virtualenvs the suite builds once per machine and keeps in the user's cache: the Ralph
LRS's, and the example host site's (which installs the puente-lms wheel).

Each is a folder named after a hash of what it installs (``~/.cache/puente/<name>-<hash16>``):
a fresh clone skips the build, and changed requirements get a venv of their own. A stamp file
holds the full hash; a lock file inside the folder makes concurrent callers (pytest-xdist
workers) build it once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

STAMP_NAME = ".puente-requirements.sha256"
LOCK_NAME = ".puente-build.lock"


class VenvError(RuntimeError):
    """Building a virtualenv failed."""


def cached_venv_path(name: str, stamp: str) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser()
    return cache / "puente" / f"{name}-{stamp[:16]}"


def venv_python(venv: Path) -> Path:
    """Return the interpreter path inside ``venv``."""
    return venv / "bin" / "python"


def ensure_venv(venv: Path, stamp: str, install: Sequence[str]) -> Path:
    """Create or refresh ``venv`` with ``pip install *install`` and return its python.

    It is (re)built when its interpreter is missing or its stamp file does not hold ``stamp``.
    """
    venv = venv.resolve()
    if _venv_is_fresh(venv, stamp):
        return venv_python(venv)
    venv.mkdir(parents=True, exist_ok=True)
    with _file_lock(venv / LOCK_NAME):
        if not _venv_is_fresh(venv, stamp):
            _build_venv(venv, stamp, install)
    return venv_python(venv)


def run(command: Sequence[str], what: str, timeout: float = 900) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        output = tail(result.stdout + result.stderr)
        raise VenvError(f"Could not {what} (exit {result.returncode}):\n{output}")


def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def empty_folder(folder: Path, keep: str = "") -> None:
    for entry in folder.iterdir():
        if entry.name == keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _venv_is_fresh(venv: Path, wanted: str) -> bool:
    stamp = venv / STAMP_NAME
    if not (venv_python(venv).exists() and stamp.is_file()):
        return False
    return stamp.read_text(encoding="ascii").strip() == wanted


@contextlib.contextmanager
def _file_lock(lock_path: Path) -> Iterator[None]:
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _base_python() -> str:
    found = shutil.which("python3.11")
    if found:
        return found
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    raise VenvError("python3.11 not found on PATH: the suite's own venvs are built with it")


def _build_venv(venv: Path, stamp: str, install: Sequence[str]) -> None:
    (venv / STAMP_NAME).unlink(missing_ok=True)
    if not _python_runs(venv_python(venv)):
        empty_folder(venv, keep=LOCK_NAME)
        run([_base_python(), "-m", "venv", str(venv)], "create the venv")
    pip = [str(venv_python(venv)), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    run([*pip, *install], "pip install " + " ".join(install))
    (venv / STAMP_NAME).write_text(stamp + "\n", encoding="ascii")


def _python_runs(python: Path) -> bool:
    if not python.exists():
        return False
    probe = subprocess.run([str(python), "-c", "pass"], capture_output=True, check=False)
    return probe.returncode == 0
