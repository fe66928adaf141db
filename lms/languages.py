"""Languages Django does not ship, described the way ``django.conf.locale.LANG_INFO`` describes
the ones it does: a site adds them to ``LANG_INFO`` in its settings (before anything asks for a
language's name or direction), then lists them in ``LANGUAGES``::

    from django.conf.locale import LANG_INFO
    from lms.languages import EXTRA_LANG_INFO
    LANG_INFO.update(EXTRA_LANG_INFO)

Plain data, importable from settings. Plural rules are not here: each catalogue's
``Plural-Forms`` header carries them (lms/locale/<code>/LC_MESSAGES/django.po).
"""

EXTRA_LANG_INFO: dict[str, dict[str, str | bool]] = {
    "ht": {
        "bidi": False,
        "code": "ht",
        "name": "Haitian Creole",
        "name_local": "Kreyòl ayisyen",
    },
    "so": {
        "bidi": False,
        "code": "so",
        "name": "Somali",
        "name_local": "Soomaali",
    },
    "hmn": {
        "bidi": False,
        "code": "hmn",
        "name": "Hmong",
        "name_local": "Hmoob",
    },
}
