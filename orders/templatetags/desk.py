import json

from django import template

register = template.Library()


@register.filter
def pretty_json(text: str) -> str:
    """Return JSON text indented for reading, or the text unchanged if it is not JSON."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return text
