"""Languages: URLs carry them, "/" negotiates, switcher, right-to-left, fallback notice."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import get_language_info, to_locale

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("es-MX,es;q=0.9,en;q=0.5", "/es/"),
        ("vi", "/vi/"),
        ("zh-CN,zh;q=0.9", "/zh-hans/"),
        ("ar-EG", "/ar/"),
        ("fr-FR", "/en/"),
        ("", "/en/"),
    ],
)
def test_root_redirects_to_the_browser_language(course_tree, accept, expected):
    response = Client(HTTP_ACCEPT_LANGUAGE=accept).get("/")
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.parametrize(
    ("language", "direction"), [("en", "ltr"), ("es", "ltr"), ("zh-hans", "ltr"), ("ar", "rtl")]
)
def test_html_lang_and_direction(course_tree, client, language, direction):
    url = course_tree.translation(course_tree.lessons[0], language).get_url()
    assert url.startswith(f"/{language}/")
    html = client.get(url).content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in html


def test_interface_strings_are_translated(course_tree, client):
    spanish = client.get(course_tree.translation(course_tree.lessons[0], "es").get_url())
    html = spanish.content.decode()
    assert "Saltar al contenido principal" in html
    assert "Lección 1 de 3" in html
    arabic = client.get(course_tree.translation(course_tree.lessons[0], "ar").get_url())
    assert "تخطَّ إلى المحتوى الرئيسي" in arabic.content.decode()


def test_switcher_links_to_the_same_page_in_every_language(course_tree, client):
    lesson = course_tree.lessons[1]
    html = client.get(lesson.get_url()).content.decode()
    for language in ("es", "vi", "zh-hans", "ar"):
        translated_url = course_tree.translation(lesson, language).get_url()
        assert f'<a href="{translated_url}" lang="{language}" hreflang="{language}">' in html
        absolute = f"http://testserver{translated_url}"
        assert f'<link rel="alternate" hreflang="{language}" href="{absolute}">' in html
    # Itself and x-default (English) too, absolute: what search engines read.
    english = f"http://testserver{lesson.get_url()}"
    assert f'<link rel="alternate" hreflang="en" href="{english}">' in html
    assert f'<link rel="alternate" hreflang="x-default" href="{english}">' in html
    assert 'aria-current="page">English</a>' in html


def test_every_course_page_has_a_description_in_its_own_language(course_tree, client):
    for page in (
        course_tree.catalog,
        course_tree.course,
        course_tree.modules[0],
        course_tree.lessons[0],
    ):
        for language in ("en", "es"):
            translated = course_tree.translation(page, language)
            html = client.get(translated.get_url()).content.decode()
            with translation.override(language):
                tagline = translation.gettext("Puente: digital skills for the whole family.")
            description = translated.meta_description() or tagline
            assert f'<meta name="description" content="{escape(description)}">' in html


def test_translated_page_shows_its_own_content_without_notice(course_tree, client):
    html = client.get(course_tree.translation(course_tree.lessons[0], "es").get_url())
    html = html.content.decode()
    assert "[es] Lesson 1.1" in html
    assert "no está traducida" not in html
    assert '<article lang="es" dir="ltr">' in html


def test_untranslated_page_falls_back_to_english_with_a_notice(course_tree, client):
    arabic = course_tree.translation(course_tree.lessons[0], "ar")
    assert arabic.alias_of_id == course_tree.lessons[0].id
    response = client.get(arabic.get_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    # The interface is in Arabic, the lesson text is English and marked as such.
    assert '<article lang="en" dir="ltr">' in html
    with translation.override("ar"):
        assert 'class="notice" role="note"' in html
    assert "Lesson 1.1" in html
    # The breadcrumbs keep the page's right-to-left order (the separator mirrors); each
    # English title is isolated in its own direction instead of turning its item around.
    crumbs = html[
        html.index('<nav class="breadcrumbs"') : html.index(
            "</nav>", html.index('<nav class="breadcrumbs"')
        )
    ]
    assert "dir=" not in crumbs
    assert '<li aria-current="page"><bdi>Lesson 1.1</bdi></li>' in crumbs


def test_unknown_page_is_a_friendly_404(course_tree, client):
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    assert "Ver todos los cursos" in response.content.decode()


def _po_entries(path):
    """(msgid, [msgstr...], flags) of a .po file; enough of the format for these checks."""
    entries, current, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current:
                entries.append(current)
            current, field = None, None
            continue
        current = current or {"msgid": "", "msgstr": {}, "flags": ""}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural"):
            field = None
        elif line.startswith("msgid "):
            field, current["msgid"] = "msgid", line[7:-1]
        elif line.startswith("msgstr"):
            index = line[line.find("[") + 1 : line.find("]")] if line.startswith("msgstr[") else "0"
            field = ("msgstr", index)
            current["msgstr"][index] = line[line.find('"') + 1 : -1]
        elif line.startswith('"') and field == "msgid":
            current["msgid"] += line[1:-1]
        elif line.startswith('"') and field:
            current["msgstr"][field[1]] += line[1:-1]
    return [e for e in entries if e["msgid"]]


TRANSLATED_LOCALES = [to_locale(code) for code, _name in settings.LANGUAGES if code != "en"]


def test_ten_interface_languages_each_named_in_its_own_language_and_direction():
    assert len(settings.LANGUAGES) >= 10
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        assert info["name_local"]
        assert info["bidi"] is (code == "ar")


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_language_has_its_address_and_its_catalogue_header(client, language):
    response = client.get(f"/{language}/offline/")
    assert response.status_code == 200  # an unknown language would redirect to /en/...
    assert f'<html lang="{language}"' in response.content.decode()
    if language == "en":
        return
    header = _po_header(REPO / "lms" / "locale" / to_locale(language) / "LC_MESSAGES" / "django.po")
    assert header["X-Puente-Translation-Status"] in ("reviewed", "needs-review")
    assert header["Plural-Forms"].startswith("nplurals=")
    assert header["Language"] == to_locale(language)


def _po_header(path):
    text = path.read_text(encoding="utf-8")
    block = text[text.index('msgstr ""') : text.index("\n\n")]
    fields = {}
    for line in block.splitlines()[1:]:
        key, _sep, value = line.strip().strip('"').removesuffix("\\n").partition(": ")
        fields[key] = value
    return fields


def test_editors_see_each_languages_translation_status(admin_client):
    html = admin_client.get("/admin/languages/").content.decode()
    for code, name in settings.LANGUAGES:
        assert f"<code>{code}</code>" in html
        assert name in html
    assert "Needs review by a speaker" in html


@pytest.mark.parametrize("app", ["courses", "lms"])
@pytest.mark.parametrize("language", TRANSLATED_LOCALES)
def test_every_interface_string_is_translated_and_compiled(app, language):
    import gettext
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / app / "locale" / language / "LC_MESSAGES"
    entries = _po_entries(folder / "django.po")
    assert entries
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        assert all(entry["msgstr"].values()), f"untranslated: {entry['msgid']}"
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    compiled_ids = {key[0] if isinstance(key, tuple) else key for key in catalog}
    stale = {e["msgid"].replace('\\"', '"').replace("\\n", "\n") for e in entries} - compiled_ids
    assert not stale, f"django.mo is older than django.po: {sorted(stale)[:3]}"


@pytest.mark.slow
def test_the_catalogues_hold_every_string_the_code_marks_for_translation(tmp_path):
    """`make messages` on a copy of the code finds no message the catalogues lack, so no
    interface text can reach a page untranslated (and `make messages` was not forgotten)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    for name in ("lms", "courses"):
        shutil.copytree(repo / name, tmp_path / name, ignore=shutil.ignore_patterns("*.mo"))
    shutil.copy(repo / "manage.py", tmp_path)
    extract = [sys.executable, str(tmp_path / "manage.py"), "makemessages", "-l", "es"]
    environment = {**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "courses.settings.test"}
    for command, folder in (
        ([*extract, "--ignore=lms/*"], tmp_path),
        (extract, tmp_path / "lms"),
    ):
        result = subprocess.run(
            command, cwd=folder, env=environment, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
    for app in ("courses", "lms"):
        catalogue = f"{app}/locale/es/LC_MESSAGES/django.po"
        extracted = {e["msgid"] for e in _po_entries(tmp_path / catalogue)}
        translated = {e["msgid"] for e in _po_entries(repo / catalogue)}
        assert extracted - translated == set(), f"run `make messages` and translate ({app})"
