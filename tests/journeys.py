"""Walking a person's journey in the real browser (a 360x740 phone), and checking every screen
as that person would meet it:

- the page is in their language and direction, and no interface text is left in English
  (every English message of Puente's catalogues is looked for in the page's text outside
  elements marked lang="en", so a string nobody translated shows up here);
- nothing scrolls sideways;
- axe-core finds no WCAG 2.x A/AA violation (contrast included), where scripts run;
- every link on the page leads somewhere that answers (no 4xx/5xx).

Screenshots of the key screens go to $PUENTE_SCREENSHOTS when it is set (`make screenshots`
writes docs/screenshots/journeys for the README's tour).
"""

from __future__ import annotations

import functools
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

from tests.browser import PHONE, axe_violations, waits_for_puente

REPO = Path(__file__).resolve().parent.parent
CATALOGUES = [REPO / "lms" / "locale", REPO / "courses" / "locale"]
# Shorter messages ("Save", "Next") could be any language's loanword or a name.
MIN_MESSAGE = 16
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{[^}]*\}\}|<[^>]+>")

TEXT_OUTSIDE_ENGLISH = """() => {
  const pieces = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || parent.closest("script, style, [hidden], template")) continue;
    const marked = parent.closest("[lang]");
    if (marked && marked.getAttribute("lang").toLowerCase().startsWith("en")) continue;
    pieces.push(walker.currentNode.textContent);
  }
  for (const element of document.querySelectorAll("[aria-label], [alt], [placeholder]")) {
    const marked = element.closest("[lang]");
    if (marked && marked.getAttribute("lang").toLowerCase().startsWith("en")) continue;
    for (const name of ["aria-label", "alt", "placeholder"]) {
      if (element.getAttribute(name)) pieces.push(element.getAttribute(name));
    }
  }
  return pieces.join(" ").replace(/\\s+/g, " ");
}"""
# The screens docs/screenshots keeps (`make screenshots`), one or two per journey.
KEY_SCREENS = {"join", "lesson", "module-finished", "who", "household", "recover", "dashboard"}
KEY_SCREENS |= {"assignment-refused", "sign-in-card"}
# Against the phone's width, not the window's: a mobile browser zooms a page out to fit what
# is too wide, and then the window is as wide as the page.
SCROLLS_SIDEWAYS = (
    "() => Math.max(document.documentElement.scrollWidth, window.innerWidth) > "
    f"{PHONE['width']} + 1"
)
LINKS = """() => Array.from(document.querySelectorAll("a[href]"))
  .filter(a => !a.closest("[hidden]")).map(a => a.href)"""


@functools.cache
def english_messages() -> tuple[str, ...]:
    """The literal parts of Puente's interface messages, as English source text."""
    found = set()
    for root in CATALOGUES:
        for catalogue in root.glob("es/LC_MESSAGES/django.po"):
            for message in _msgids(catalogue.read_text(encoding="utf-8")):
                for piece in PLACEHOLDER.split(message):
                    piece = piece.strip(" .,:;!?“”\"'()·-")
                    if len(piece) >= MIN_MESSAGE:
                        found.add(piece)
    return tuple(sorted(found))


def _msgids(text: str) -> list[str]:
    messages, current, reading = [], [], False
    for line in text.splitlines():
        if line.startswith(("msgid ", "msgid_plural ")):
            if current:
                messages.append("".join(current))
            current, reading = [_unquote(line.split(" ", 1)[1])], True
        elif line.startswith('"') and reading:
            current.append(_unquote(line))
        else:
            reading = False
    if current:
        messages.append("".join(current))
    return [message for message in messages if message]


def _unquote(quoted: str) -> str:
    return quoted.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n")


@dataclass
class Journey:
    """One person's phone: a browser context in their language, scripts on or off."""

    browser: object
    base_url: str
    language: str
    javascript: bool = True
    name: str = "journey"
    checked_links: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.context = self.browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            locale=self.language,
            java_script_enabled=self.javascript,
            bypass_csp=True,  # axe-core is injected as an inline script
        )
        self.context.set_default_timeout(15_000)
        if self.javascript:
            waits_for_puente(self.context)
        self.page = self.context.new_page()

    def close(self) -> None:
        self.context.close()

    def sign_in(self, username: str, password: str) -> None:
        self.goto(f"/{self.language}/accounts/sign-in/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("form.form button[type=submit]")
        self.page.wait_for_load_state()

    def submit(self, form: str = "form.form") -> None:
        """Send a form and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(f"{form} button[type=submit]")
        self.page.wait_for_load_state()

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    @property
    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def screen(self, name: str, *, english_allowed: bool = False) -> None:
        """Check the page as it is now; ``english_allowed`` only for an English journey."""
        page = self.page
        page.wait_for_load_state()
        where = f"{name} ({self.path})"
        html = page.locator("html")
        if html.get_attribute("lang") != self.language:
            self.problems.append(f"{where}: lang={html.get_attribute('lang')}")
        expected_dir = "rtl" if self.language in ("ar", "he", "fa", "ur") else "ltr"
        if html.get_attribute("dir") != expected_dir:
            self.problems.append(f"{where}: dir={html.get_attribute('dir')}")
        if page.evaluate(SCROLLS_SIDEWAYS):
            self.problems.append(f"{where}: scrolls sideways at {PHONE['width']} px")
        if not english_allowed and self.language != "en":
            text = page.evaluate(TEXT_OUTSIDE_ENGLISH)
            leaked = [message for message in english_messages() if message in text]
            if leaked:
                self.problems.append(f"{where}: English left: {leaked[:5]}")
        if self.javascript:
            for violation in axe_violations(page):
                self.problems.append(f"{where}: axe {violation['id']}: {violation['nodes']}")
        self.check_links(where)
        self.screenshot(name)

    def check_links(self, where: str) -> None:
        for href in self.page.evaluate(LINKS):
            url = href.split("#", 1)[0]
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not url.startswith(self.base_url):
                continue
            if "/accounts/language/" in parts.path:
                # Choosing a language keeps it on the profile: check where it leads instead.
                url = urljoin(self.base_url, parse_qs(parts.query)["next"][0])
            if url in self.checked_links:
                continue
            self.checked_links.add(url)
            # HEAD: checking a link must not count as opening a lesson (GET does).
            response = self.context.request.head(url, max_redirects=5)
            if response.status == 405:  # a view that answers GET only
                response = self.context.request.get(url, max_redirects=5)
            if response.status >= 400:
                self.problems.append(f"{where}: link {url} answers {response.status}")

    def screenshot(self, name: str) -> None:
        """The key screens, as a phone shows them (360 px wide WebP), for docs/screenshots;
        every screen, full length, with PUENTE_SCREENSHOTS_ALL=1 (to look at a journey)."""
        folder = os.environ.get("PUENTE_SCREENSHOTS")
        every = os.environ.get("PUENTE_SCREENSHOTS_ALL") == "1"
        if not folder or not (every or (name in KEY_SCREENS and self.javascript)):
            return
        from PIL import Image

        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        suffix = "" if self.javascript else "-nojs"
        shot = Image.open(io.BytesIO(self.page.screenshot(full_page=every)))
        shot = shot.resize((PHONE["width"], round(shot.height * PHONE["width"] / shot.width)))
        shot.save(target / f"{self.name}-{name}-{self.language}{suffix}.webp", quality=80)

    def assert_well(self) -> None:
        assert not self.problems, "\n".join(self.problems)
