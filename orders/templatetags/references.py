"""The entry page's reference box, tied to what the reference check says beside it."""

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

# The element beside the reference box where the check's answer shows (_reference_check.html).
SAID_ID = "reference-check"


@register.filter
def reference_box(field: BoundField, focus_id: str = "") -> SafeString:
    """Render the reference box as ``desk.described`` renders a box (its error and help in
    ``aria-describedby``, focused when it is ``focus_id``), also described by the check's answer."""
    ids = [f"{field.auto_id}-error"] if field.errors else []
    if field.help_text:
        ids.append(f"{field.auto_id}-help")
    ids.append(SAID_ID)
    attrs: dict[str, Any] = {"aria-describedby": " ".join(ids)}
    if focus_id and field.auto_id == focus_id:
        attrs["autofocus"] = True
    return field.as_widget(attrs=attrs)
