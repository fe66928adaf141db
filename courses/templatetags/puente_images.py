from django import template
from django.utils.safestring import SafeString

from courses.images import picture_html
from courses.offline import data_saver_on

register = template.Library()


@register.simple_tag(takes_context=True)
def responsive_picture(
    context, image, alt: str = "", css_class: str = "", first: bool = False
) -> SafeString:
    if not image:
        return SafeString("")
    return picture_html(
        image,
        alt=alt,
        css_class=css_class,
        tap_to_load=data_saver_on(context.get("request")),
        first=first,
    )
