"""A signed-in reader's lesson page, rendered once as a shell and filled in for each request.

Most of a signed-in lesson page is the same for every signed-in reader: the chrome, the body,
the pager, the footer. Only a few parts are a person's own: who is learning now (the account
nav), the "You finished this lesson" badge, the finish form, the LMS roster banner, the
learner's id for puente.js. A template marks each of those ``{% personal "name" %}...
{% endpersonal %}``. The first request renders the page with a slot in their place and keeps
it; every request (that one included) renders only the personal parts, with its own context,
into the slots, and puts back its CSRF token and fresh event ids (courses/lesson_cache.py).

The key holds what changes the shared bytes: the host and path, the page and its revision,
the interface language, the data saver, the content version and the release's templates. A
page with a query string, a message waiting or a form that came back with answers is
rendered whole. Kept for ``PUENTE_PAGE_CACHE_SECONDS`` at most, like anonymous pages.

Which template node fills a slot is known per process (a node is part of a compiled
template): a process that finds a shell another one rendered, but has not yet seen that
template's slots, renders the page once itself.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template import Node
from django.template.context import make_context
from django.template.loader import get_template

from courses.conditional import page_bytes_parts
from courses.kept_pages import KeptPage
from courses.lesson_cache import with_holes

# The context variable that asks {% personal %} for a slot instead of its content.
SLOTS_VARIABLE = "puente_shell_slots"
SLOT = "\x00slot:{}\x00"  # a hole, as courses/kept_pages.py knows them

# template name -> {slot name: the {% personal %} node that fills it}, in this process.
_slot_nodes: dict[str, dict[str, Node]] = {}


def shell_key(page, request: HttpRequest) -> str | None:
    """The key a signed-in reader's page is kept under, or None if it must be rendered whole."""
    seconds = getattr(settings, "PUENTE_PAGE_CACHE_SECONDS", 0)
    if (
        not seconds
        or request.method != "GET"
        or not request.user.is_authenticated
        or request.META.get("QUERY_STRING")
        or getattr(request, "is_preview", False)
        or len(get_messages(request))
    ):
        return None
    place = hashlib.sha256(f"{request.get_host()}{request.path}".encode()).hexdigest()[:32]
    return "puente:page-shell:" + ":".join((*page_bytes_parts(page, request), place))


def render_page(request: HttpRequest, template_name: str, context: dict, key: str) -> HttpResponse:
    """The page from its shell (rendered and kept first if need be), with this reader's
    personal parts, CSRF token and event ids."""
    template = get_template(template_name)
    shell = cache.get(key)
    nodes = _slot_nodes.get(template_name)
    if shell is None or nodes is None or not shell.slots <= nodes.keys():
        slots: dict[str, Node] = {}
        html = template.render({**context, SLOTS_VARIABLE: slots}, request)
        shell = KeptPage.from_html(with_holes(html))
        nodes = _slot_nodes.setdefault(template_name, {})
        nodes.update(slots)
        cache.set(key, shell, settings.PUENTE_PAGE_CACHE_SECONDS)
    personal = make_context(context, request)
    with personal.bind_template(template.template):
        parts = {name: nodes[name].render(personal) for name in shell.slots}
    return shell.response(request, parts)


class PersonalNode(Node):
    """``{% personal "name" %}...{% endpersonal %}``: a part of the page that is a person's
    own. Rendered in place, except while a shell is being rendered: then a slot."""

    def __init__(self, name: str, nodelist) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context) -> str:
        slots = context.get(SLOTS_VARIABLE)
        if slots is None:
            return self.nodelist.render(context)
        slots[self.name] = self
        return SLOT.format(self.name)
