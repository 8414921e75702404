"""Template filters: each a thin call into ``orders.display``."""

import html
from datetime import timedelta
from typing import Any

from django import template
from django.forms import BoundField
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe

from orders import display
from orders.domain import FieldRef
from orders.models import OrderStatus

register = template.Library()


@register.filter
def pretty_json(text: str) -> str:
    """Return JSON text indented for reading, or the text unchanged if it is not JSON."""
    return display.pretty_json(text)


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


# The history's rows as templates/orders/history.html wrote them with a {% for %} over 11
# cells: the same markup written here costs a fraction (50 rows a page, every page a supervisor
# opens). tests/orders/test_templatetags_history_rows.py holds the template it replaces and
# compares the two.
_HISTORY_ROW = (
    "\n    <tr>\n"
    "      <td>{keyed_at}</td>\n"
    '      <td><a href="{url}">{reference}</a></td>\n'
    "      <td>{tenant}</td>\n"
    "      <td>{account}</td>\n"
    "      <td>{lines}</td>\n"
    "      <td>{keyed_by}</td>\n"
    '      <td><span class="status status-{status}">{status_label}</span></td>\n'
    "      <td>{clarus_id}</td>\n"
    "      <td>{tries}</td>\n"
    "      <td>{answered}</td>\n"
    "      <td>{postcode}</td>\n"
    "    </tr>\n    "
)


def _escape(value: Any) -> str:
    # What Django's escape writes (html.escape of the text), without a SafeString per cell.
    return html.escape(str(value))


def _history_account(order: Any) -> str:
    seen = (order.labels or {}).get("account_id") if isinstance(order.labels, dict) else None
    code = seen.get("code") if isinstance(seen, dict) else None
    if not code:
        return _escape(order.account_id)
    name = seen.get("name") if isinstance(seen, dict) else None
    title = f"Clarus id {_escape(order.account_id)}" + (f": {_escape(name)}" if name else "")
    return f'<abbr title="{title}">{_escape(code)}</abbr>'


@register.simple_tag
def history_rows(orders: list[Any]) -> SafeString:
    """Return the history table's rows, one ``<tr>`` per order of the page."""
    if not orders:
        return mark_safe("")
    sample = reverse("orders:detail", args=[987654321])
    # "j M Y H:i", as Django's date filter writes it, in the desk's time zone.
    months = {number: str(name).title() for number, name in MONTHS_3.items()}
    zone = timezone.get_current_timezone()
    statuses = {value: _escape(label) for value, label in OrderStatus.choices}
    written = []
    for order in orders:
        local = order.created_at.astimezone(zone)
        written.append(
            _HISTORY_ROW.format(
                keyed_at=f"{local.day} {months[local.month]} {local.year} {local:%H:%M}",
                url=_escape(sample.replace("987654321", str(order.pk))),
                reference=_escape(order.reference),
                tenant=_escape(order.tenant),
                account=_history_account(order),
                lines=_escape(order.line_count),
                keyed_by=_escape(order.created_by.get_username()),
                status=_escape(order.status),
                status_label=statuses.get(order.status) or _escape(order.status),
                clarus_id=_escape(order.clarus_id or "—"),
                tries=_escape(order.attempt_count),
                answered="—" if order.response_ms is None else f"{_escape(order.response_ms)} ms",
                postcode=_escape(order.postcode or "—"),
            )
        )
    # Every value above is escaped.
    return mark_safe("".join(written))
