from django import template
from django.utils.safestring import SafeString

from courses.images import picture_html

register = template.Library()


@register.simple_tag
def responsive_picture(image, alt: str = "", css_class: str = "") -> SafeString:
    if not image:
        return SafeString("")
    return picture_html(image, alt=alt, css_class=css_class)
