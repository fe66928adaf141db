"""What Lighthouse (mobile) says of Puente's pages: its four scores, and every audit it flags.

Serves the demo site as production would (bench/phone_budget.py's server: gunicorn, production
settings, PostgreSQL and Redis), runs Lighthouse (pinned below; npm installs it into
var/bench-lighthouse/ on first use, it is not one of the test suite's tools) in Debian's
chromium on each page, with its mobile defaults (a phone's screen, simulated slow 4G and a
4x slower CPU), and prints each page's scores, then every audit scored below 1 on any page.

    .venv/bin/python bench/lighthouse.py [--pages /es/ /ar/...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from common import REPO
from phone_budget import production_server

from tests.browser import chromium_path

LIGHTHOUSE = "lighthouse@13.5.0"
TOOL = REPO / "var" / "bench-lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# A family's pages in three languages (one right to left): home, a course, a lesson.
PAGES = [
    "/es/",
    "/ar/",
    "/en/family-digital-skills/",
    "/es/habilidades-digitales-para-la-familia/",
    "/en/family-digital-skills/getting-connected/home-wifi/",
    "/es/habilidades-digitales-para-la-familia/conectarse-en-casa/wifi-en-casa/",
    "/ar/family-digital-skills/getting-connected/home-wifi/",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", default=PAGES)
    return parser.parse_args()


def lighthouse() -> Path:
    """The pinned Lighthouse, installed with npm the first time."""
    cli = TOOL / "node_modules" / "lighthouse" / "cli" / "index.js"
    installed = TOOL / "installed"
    if not (cli.exists() and installed.exists() and installed.read_text() == LIGHTHOUSE):
        TOOL.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(TOOL), "--no-audit", "--no-fund", LIGHTHOUSE],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        installed.write_text(LIGHTHOUSE)
    return cli


def audit(cli: Path, url: str) -> dict:
    """Lighthouse's report of one page (its JSON)."""
    with tempfile.TemporaryDirectory(prefix="puente-lighthouse-") as profile:
        result = subprocess.run(
            [
                "node",
                str(cli),
                url,
                "--output=json",
                "--output-path=stdout",
                "--quiet",
                f"--only-categories={','.join(CATEGORIES)}",
                # Debian's chromium as root in a container wants no sandbox.
                f"--chrome-flags=--headless=new --no-sandbox --user-data-dir={profile}",
            ],
            env={**os.environ, "CHROME_PATH": chromium_path()},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    try:
        return json.loads(result.stdout)  # written also when the page's trace was lost
    except ValueError:
        sys.exit(f"Lighthouse failed on {url}:\n{result.stderr[-3000:]}")


def audit_again_if_lost(cli: Path, url: str) -> dict:
    """Lighthouse sometimes loses the page load's trace (NO_NAVSTART: "Please run Lighthouse
    again"), and then has no performance score: again, as it says, up to three times."""
    for _attempt in range(3):
        report = audit(cli, url)
        if report.get("runtimeError", {}).get("code") != "NO_NAVSTART":
            break
    return report


def flagged(report: dict) -> dict[str, str]:
    """The audits of the four categories that count and scored below 1: id -> title."""
    counted = {
        ref["id"]
        for category in report["categories"].values()
        for ref in category["auditRefs"]
        if ref["weight"] > 0
    }
    return {
        audit_id: found["title"]
        for audit_id, found in report["audits"].items()
        if audit_id in counted and found["score"] is not None and found["score"] < 1
    }


def _score(score: float | None) -> str:
    return f"{'none':>13}" if score is None else f"{score:>13.2f}"


def main() -> None:
    args = parse_args()
    cli = lighthouse()
    reports = {}
    with production_server() as base:
        for path in args.pages:
            try:
                urllib.request.urlopen(base + path, timeout=30).close()  # noqa: S310 - loopback
            except urllib.error.HTTPError as error:
                sys.exit(f"{path} answered {error.code}: not a page to audit")
            reports[path] = audit_again_if_lost(cli, base + path)

    version = next(iter(reports.values()))["lighthouseVersion"]
    print(f"\n== Lighthouse {version}, mobile (its defaults), production settings")
    print(f"{'page':<75} " + " ".join(f"{name[:13]:>13}" for name in CATEGORIES))
    for path, report in reports.items():
        scores = [report["categories"][name]["score"] for name in CATEGORIES]
        print(f"{path:<75} " + " ".join(_score(score) for score in scores))
    print("\nAudits flagged (scored below 1), and on which pages:")
    seen: dict[str, tuple[str, list[str]]] = {}
    for path, report in reports.items():
        for audit_id, title in flagged(report).items():
            seen.setdefault(audit_id, (title, []))[1].append(path)
    for audit_id, (title, paths) in sorted(seen.items()):
        print(f"- {audit_id}: {title} ({len(paths)} of {len(reports)} pages: {', '.join(paths)})")
    if not seen:
        print("- none")


if __name__ == "__main__":
    main()
