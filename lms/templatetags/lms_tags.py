"""Template tags a site's base template uses to show the plugin's parts: the language
switcher, who is learning now and the account links."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import quote

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.timesince import timesince

from lms.access import keeps_household, principal_of
from lms.forms import HelpForm
from lms.i18n import LanguageLink, isolated, language_links

register = template.Library()


@register.filter
def isolate(text) -> str:
    """A name or title inside a translated sentence, kept in its own direction."""
    return isolated(str(text))


@register.filter
def duration_words(span: timedelta) -> str:
    """A length of time in words, in the page's language ("2 hours, 5 minutes")."""
    now = timezone.now()
    return timesince(now - span, now)


@register.simple_tag
def language_name(code: str) -> str:
    """A language's name in that language ("Español"); the code if it is not configured."""
    return dict(settings.LANGUAGES).get(code, code)


@register.simple_tag(takes_context=True)
def page_languages(context) -> list[LanguageLink]:
    return language_links(context["request"])


@register.simple_tag(takes_context=True)
def language_switch_url(context, language: LanguageLink) -> str:
    """Where a language link leads: the page in that language; for a signed-in person,
    through the view that keeps the choice on their profile."""
    request = context["request"]
    if not request.user.is_authenticated:
        return language.url
    with translation.override(language.code):
        chooser = reverse("lms:language")
    return f"{chooser}?next={quote(language.url)}"


@register.inclusion_tag("lms/includes/language_switcher.html", takes_context=True)
def lms_language_switcher(context, languages: list[LanguageLink] | None = None) -> dict:
    """The language switcher: ``languages`` (a course page's own, whose slugs differ by
    language), or this page of the plugin in every language."""
    request = context["request"]
    return {
        "request": request,
        "languages": languages if languages is not None else language_links(request),
    }


@register.inclusion_tag("lms/includes/account_nav.html", takes_context=True)
def lms_account_nav(context) -> dict:
    """Who is learning on this phone now, and where their account's pages are."""
    request = context["request"]
    principal = principal_of(request)
    shared_phone = principal.is_person and (principal.is_child or keeps_household(principal.user))
    return {"request": request, "principal": principal, "shared_phone": shared_phone}


@register.inclusion_tag("lms/lti/roster_banner.html", takes_context=True)
def lms_roster_banner(context) -> dict:
    """For an educator launched from an LMS course: bring its roster into a Puente class."""
    return {"request": context["request"], "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("lms/help/form.html", takes_context=True)
def lms_help_form(context) -> dict:
    """ "Get help" as a form a page that works offline can hold (the offline page): the phone
    keeps what is written and sends it when it is back online (puente.js)."""
    return {
        "form": HelpForm(initial={"request_id": uuid.uuid4()}),
        "offline": True,
        "request": context.get("request"),
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE"),
    }
