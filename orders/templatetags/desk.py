"""Template filters: each a thin call into ``orders.display``."""

import json
from datetime import timedelta
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from orders import display
from orders.domain import FieldRef

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
    return display.as_minutes_and_seconds(duration)


@register.filter
def percent(share: float | None) -> str:
    """Return a share such as 0.0485 as ``4.9%``, or a dash for none."""
    return display.share(share)


@register.filter
def field_label(target: FieldRef | None, fallback: str = "") -> str:
    """Return the field a Clarus reason names, in the entry form's words."""
    return display.field_label(target, fallback)


@register.filter
def described(field: BoundField, focus_id: str = "") -> SafeString:
    """Render a field's box tied to the help and the error the page shows beside it (their ids
    in ``aria-describedby``; Django marks it ``aria-invalid``), focused when it is ``focus_id``."""
    ids = [f"{field.auto_id}-error"] if field.errors else []
    if field.help_text:
        ids.append(f"{field.auto_id}-help")
    attrs: dict[str, Any] = {"aria-describedby": " ".join(ids)} if ids else {}
    if focus_id and field.auto_id == focus_id:
        attrs["autofocus"] = True
    return field.as_widget(attrs=attrs)
