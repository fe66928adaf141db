from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[str(key)], or None: for dicts keyed by UUID strings."""
    if not mapping:
        return None
    return mapping.get(str(key))
