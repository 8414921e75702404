import json
from datetime import timedelta

from django import template

from orders.forms import clarus_source_label
from orders.selectors.dashboard import as_minutes_and_seconds

register = template.Library()


@register.filter
def pretty_json(text: str) -> str:
    """Return JSON text indented for reading, or the text unchanged if it is not JSON."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return text


@register.filter
def minutes_seconds(duration: timedelta | None) -> str:
    """Return a duration as ``4 min 05 s``, or a dash for none."""
    return as_minutes_and_seconds(duration)


@register.filter
def percent(share: float | None) -> str:
    """Return a share such as 0.0485 as ``4.9%``, or a dash for none."""
    return "—" if share is None else f"{share:.1%}"


@register.filter
def clarus_field(source: str) -> str:
    """Return the field a Clarus error's source names, in the entry form's words."""
    return clarus_source_label(source)
