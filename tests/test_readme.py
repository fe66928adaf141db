"""The README and docs/ say only what is true of the repository: the README stays short and
starts with the two commands, every `make` target they name exists, every relative link leads
somewhere, every docs page is reachable from the README, and the environment variables and site
paths the README names are real (documented in docs/configuration.md; resolved by the URL conf).

Pure Python: no database, no server.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import translation

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"
MAKEFILE = REPO / "Makefile"
CONFIGURATION = DOCS / "configuration.md"

README_LIMIT = 8192
TWO_COMMANDS = "\n".join(
    [
        "```sh",
        "make run    # set up, load the demo courses, serve http://127.0.0.1:8000 on SQLite, "
        "with a delivery worker",
        "make test   # install what the tests need and run the whole suite",
        "```",
    ]
)


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def relative(path: Path) -> str:
    return str(path.relative_to(REPO))


FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.S)


def code_of(text: str) -> list[str]:
    """The fenced blocks and the inline code spans of a markdown text."""
    blocks = FENCE.findall(text)
    prose = FENCE.sub("", text)
    return blocks + [span.strip() for _ticks, span in INLINE_CODE.findall(prose)]


def prose_of(text: str) -> str:
    """The text outside fenced blocks and inline code."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


# --- the README's size and its first lines --------------------------------------------------------


def test_the_readme_is_short():
    size = len(README.read_bytes())
    assert size <= README_LIMIT, (
        f"README.md is {size} bytes; move detail to docs/ (limit {README_LIMIT})"
    )


def test_the_readme_starts_with_the_two_commands():
    lines = README.read_text().splitlines()
    assert lines[0].startswith("# "), "the README starts with its title"
    body = "\n".join(lines[1:]).lstrip("\n")
    assert body.startswith(TWO_COMMANDS), (
        "the first thing after the title is `make run` / `make test`"
    )


# --- make targets ---------------------------------------------------------------------------------

MAKE_TARGET = re.compile(r"^([A-Za-z0-9][\w-]*)\s*:(?!=)", re.M)
MAKE_VARIABLE = re.compile(r"^([A-Z][A-Z0-9_]*)\s*[:?+]?=", re.M)
# `make` as a command (not "makemessages", not "cmake"), then its words up to a shell separator.
MAKE_CALL = re.compile(r"(?<![\w./-])make((?:[ \t]+[^\s;&|#`)]+)+)")


def makefile_targets() -> set[str]:
    return set(MAKE_TARGET.findall(MAKEFILE.read_text()))


def makefile_variables() -> set[str]:
    """The variables the Makefile sets or reads (`PYTEST_ARGS` is only read)."""
    text = MAKEFILE.read_text()
    return set(MAKE_VARIABLE.findall(text)) | set(re.findall(r"\$\(([A-Z][A-Z0-9_]*)\)", text))


def make_calls(text: str) -> list[tuple[str, dict[str, str]]]:
    """Each `make ...` in the text's code: (its target, the variables it sets). Only the first
    word is read as a target, so that prose in a code block ("make test on SQLite") is not."""
    calls = []
    for code in code_of(text):
        for words in MAKE_CALL.findall(code):
            target, *rest = words.split()
            if not re.fullmatch(r"[a-z][\w-]*", target):
                continue  # `make -C dir`, `make $(TARGET)`: not for us to judge
            variables = {}
            for word in rest:
                name, equals, value = word.partition("=")
                if not (equals and re.fullmatch(r"[A-Z][A-Z0-9_]*", name)):
                    break
                variables[name] = value
            calls.append((target, variables))
    return calls


def test_the_makefile_parser_finds_targets_and_skips_assignments():
    targets = makefile_targets()
    assert {"run", "test", "bench"} <= targets
    assert "VENV" not in targets
    assert "PHONY" not in targets
    assert {"HOST", "PYTEST_ARGS"} <= makefile_variables()
    sample = "Try `make run HOST=10.0.0.5` or `makemessages`:\n```sh\nmake lint && make test\n```\n"
    assert make_calls(sample) == [("lint", {}), ("test", {}), ("run", {"HOST": "10.0.0.5"})]
    assert make_calls("```\n.ci/run   make test on SQLite\n```\n") == [("test", {})]


@pytest.mark.parametrize("path", markdown_files(), ids=relative)
def test_every_make_target_named_exists(path):
    targets, variables = makefile_targets(), makefile_variables()
    missing, unknown = [], []
    for target, assigned in make_calls(path.read_text()):
        missing += [target] if target not in targets else []
        unknown += [name for name in assigned if name not in variables]
    assert not missing, f"{relative(path)} names make targets the Makefile lacks: {missing}"
    assert not unknown, (
        f"{relative(path)} passes make variables the Makefile never reads: {unknown}"
    )


def test_the_readme_names_both_commands():
    called = {target for target, _variables in make_calls(README.read_text())}
    assert {"run", "test"} <= called


# --- links ----------------------------------------------------------------------------------------

LINK = re.compile(r"\]\(([^()\s]+)(?:\s+\"[^\"]*\")?\)")


def links_in(path: Path) -> list[str]:
    return LINK.findall(prose_of(path.read_text()))


def heading_anchors(path: Path) -> set[str]:
    """GitHub's anchors for a markdown file's headings."""
    anchors, seen = set(), {}
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", FENCE.sub("", path.read_text()), re.M):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def test_anchors_follow_githubs_rules():
    sample = DOCS / "integrate.md"
    assert "lti-13-an-lms" in heading_anchors(sample)
    assert "integration-tokens" in heading_anchors(sample)


@pytest.mark.parametrize("path", markdown_files(), ids=relative)
def test_every_relative_link_leads_somewhere(path):
    broken = []
    for target in links_in(path):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith("mailto:"):
            continue
        destination = (path.parent / unquote(parts.path)).resolve() if parts.path else path
        if not destination.exists() or (
            parts.fragment
            and destination.suffix == ".md"
            and parts.fragment not in heading_anchors(destination)
        ):
            broken.append(target)
    assert not broken, f"{relative(path)} links to what does not exist: {broken}"


def test_the_readme_links_every_docs_page():
    linked = {
        (README.parent / urlsplit(target).path).resolve()
        for target in links_in(README)
        if not urlsplit(target).scheme
    }
    unlinked = [
        relative(page) for page in sorted(DOCS.glob("*.md")) if page.resolve() not in linked
    ]
    assert not unlinked, f"README.md links none of: {unlinked}"


@pytest.mark.parametrize(
    "page", ["families", "educators", "school-admins", "integrate", "production"]
)
def test_the_readme_has_a_guide_for_each_role(page):
    section = README.read_text().split("## Guides by role", 1)[1].split("\n## ", 1)[0]
    assert f"](docs/{page}.md)" in section


@pytest.mark.parametrize("path", sorted(DOCS.glob("*.md")), ids=relative)
def test_every_docs_page_starts_with_its_title_and_its_readers(path):
    lines = path.read_text().splitlines()
    assert re.fullmatch(r"# \S.*", lines[0]), f"{relative(path)} starts with a '# Title' line"
    assert lines[1] == "", f"{relative(path)}: a blank line after the title"
    assert lines[2].strip(), f"{relative(path)}: a sentence after the title says who it is for"


# --- environment variables ------------------------------------------------------------------------

ENV_NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
ASSIGNMENT = re.compile(r"(?:^|\s)([A-Z][A-Z0-9_]*)=")


def documented_variables() -> set[str]:
    return set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", CONFIGURATION.read_text(), re.M))


def environment_variables(text: str) -> set[str]:
    """ALL_CAPS names in the text's code: NAME_WITH_UNDERSCORES, and NAME=value before a `make`
    (the words after `make target` are make's own variables, checked against the Makefile)."""
    names = set()
    for code in code_of(text):
        before_make = re.split(r"(?<![\w./-])make\s", code, maxsplit=1)[0]
        names |= set(ENV_NAME.findall(before_make))
        names |= set(ASSIGNMENT.findall(before_make))
    return names


def test_the_variable_scan_finds_names_and_leaves_make_variables():
    sample = "`XAPI_LRS_ENDPOINT`, and `DJANGO_DEBUG=1 PORT=9 make run HOST=10.0.0.5`"
    assert environment_variables(sample) == {"XAPI_LRS_ENDPOINT", "DJANGO_DEBUG", "PORT"}


def test_every_environment_variable_in_the_readme_is_documented():
    named = environment_variables(README.read_text())
    assert named, "the README names the variables a newcomer needs"
    undocumented = sorted(named - documented_variables())
    assert not undocumented, (
        f"README.md names variables docs/configuration.md lacks: {undocumented}"
    )


# --- site paths -----------------------------------------------------------------------------------

LANGUAGES = sorted((code for code, _name in settings.LANGUAGES), key=len, reverse=True)
SITE_PATH = re.compile(
    r"(?:^|(?<=[\s`(*])|(?<=http://127\.0\.0\.1:8000)|(?<=http://localhost:8000))"
    r"(/(?:" + "|".join(re.escape(code) for code in LANGUAGES) + r"|admin|api/v1)/"
    r"[^\s`)\"'*]*)",
    re.M,
)
# What the plugin and the course server serve under a language, besides Wagtail's pages.
NOT_PAGES = {"accounts", "learn", "teach", "privacy", "search", "offline", "data-saver"}


def site_paths(text: str) -> list[str]:
    paths = []
    for found in SITE_PATH.findall(text):
        path = urlsplit(found.rstrip(".,;:")).path
        if not any(mark in path for mark in "<>{}…") and "..." not in path:
            paths.append(path)
    return paths


def resolved(path: str):
    language = path.strip("/").split("/")[0]
    with translation.override(language if language in LANGUAGES else settings.LANGUAGE_CODE):
        return resolve(path)


def is_wagtail_page(match) -> bool:
    return match.url_name == "wagtail_serve"  # Wagtail's page view (courses/routing.py wraps it)


def test_the_path_scan_finds_paths_and_skips_placeholders():
    sample = (
        "http://127.0.0.1:8000/admin/ and `/en/teach/`: see /es/learn/, not /<lang>/learn/,"
        " `GET /api/v1/catalog/?language=es` or `/api/v1/classes/{id}/`"
    )
    assert site_paths(sample) == ["/admin/", "/en/teach/", "/es/learn/", "/api/v1/catalog/"]


def test_the_readme_names_site_paths():
    paths = site_paths(README.read_text())
    assert "/en/teach/" in paths
    assert "/admin/" in paths


@pytest.mark.parametrize("path", sorted(set(site_paths(README.read_text()))))
def test_every_site_path_in_the_readme_resolves(path):
    try:
        match = resolved(path)
    except Resolver404:
        pytest.fail(f"README.md names {path}, which no URL pattern serves")
    assert match.func.__name__ != "not_found", f"{path} is the API's catch-all 404"
    segments = path.strip("/").split("/")
    if segments[0] in LANGUAGES and len(segments) > 1 and segments[1] in NOT_PAGES:
        assert not is_wagtail_page(match), f"{path} fell through to Wagtail's page serving"


def test_teach_is_the_plugins_view_not_a_page():
    match = resolved("/en/teach/")
    assert not is_wagtail_page(match)
    assert match.view_name == "lms:classes"


def test_a_mistyped_path_would_be_caught():
    assert is_wagtail_page(resolved("/en/teech/"))
    assert resolved("/api/v1/catalogue/").func.__name__ == "not_found"
    with pytest.raises(Resolver404):
        resolved("/admin-panel/")
