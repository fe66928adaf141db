from django import template
from django.conf import settings
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from courses.lesson_cache import lesson_body as cached_lesson_body
from courses.page_shell import PersonalNode
from courses.styles import stylesheet_text

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[str(key)], or None: for dicts keyed by UUID strings."""
    if not mapping:
        return None
    return mapping.get(str(key))


@register.simple_tag
def inline_stylesheet(name: str) -> SafeString:
    """The site's stylesheet inside the page: no extra round trip before the first paint,
    which on a 400 ms phone connection is most of the wait. (A Content-Security-Policy
    allows it by its hash; see courses.styles.)"""
    return SafeString(stylesheet_text(name))


@register.simple_tag(takes_context=True)
def alternate_links(context, languages: list) -> SafeString:
    """<link rel="alternate" hreflang> for the page in every language, itself included, and
    x-default (the default language's), with absolute addresses as search engines require."""
    request = context["request"]
    links = [(language.code, language.url) for language in languages]
    links += [("x-default", url) for code, url in links if code == settings.LANGUAGE_CODE]
    return format_html_join(
        "",
        '<link rel="alternate" hreflang="{}" href="{}">',
        ((code, request.build_absolute_uri(url)) for code, url in links),
    )


@register.simple_tag(takes_context=True)
def lesson_body(context) -> SafeString:
    """The lesson's blocks: rendered once per revision, language and data saver, with each
    request's CSRF token and event ids put back (courses/lesson_cache.py). A page that shows
    answers or errors is rendered afresh."""
    page = context["page"]
    flat = context.flatten()

    def render() -> str:
        return "".join(
            block.render_as_block(context={**flat, "block_id": block.id}) for block in page.body
        )

    fresh = bool(context.get("answers") or context.get("form_error") or context.get("outcome"))
    return cached_lesson_body(page, context["request"], render, fresh=fresh)


@register.tag
def personal(parser, token) -> PersonalNode:
    """``{% personal "name" %}...{% endpersonal %}``: a person's own part of a page that is
    otherwise kept as a shell for every signed-in reader (courses/page_shell.py). Not inside a
    condition on personal data: the condition itself would be kept in the shell."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('{% personal "name" %} takes one quoted name')
    nodelist = parser.parse(("endpersonal",))
    parser.delete_first_token()
    return PersonalNode(bits[1][1:-1], nodelist)
