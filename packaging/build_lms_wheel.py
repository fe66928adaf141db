"""Build the `puente-lms` wheel (the `lms` plugin alone) into a folder and print its path.

    python packaging/build_lms_wheel.py [OUT_DIR]      (default: dist/)

The plugin lives in this repository beside the course server, whose pyproject.toml packages
both; a wheel of the plugin alone is built from a copy of `lms/` with the plugin's own
pyproject.toml (packaging/puente-lms/), so the source tree gets no build/ or egg-info folders.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROJECT = REPO / "packaging" / "puente-lms"


def build_wheel(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("puente_lms-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="puente-lms-") as tmp:
        source = Path(tmp)
        shutil.copytree(
            REPO / "lms", source / "lms", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(PROJECT / name, source / name)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--wheel-dir",
                str(out_dir),
                str(source),
            ],
            check=True,
        )
    (wheel,) = out_dir.glob("puente_lms-*.whl")
    return wheel


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "dist"
    print(build_wheel(out.resolve()))
