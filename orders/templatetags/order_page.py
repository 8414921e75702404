"""The order page's long sections written in Python: facts, lines, history and the requests to
Clarus.

They were ``{% for %}`` loops in templates/orders/order_detail.html, whose every cell went through
the template engine's lookups, filters and autoescaping; an order page of five lines, three
changes of state and one request with its answer was about 200 of them. Each function here writes
the markup those loops wrote (whitespace aside), escaping every value it writes as autoescape did:
Clarus's answers and callers' data are untrusted. tests/orders/views/test_order_page_markup.py
holds the loops they replace and compares the two.
"""

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe

from orders import display
from orders.audit import FieldChange
from orders.models import AttemptOutcome, OrderStatus

register = template.Library()

STATUSES = dict(OrderStatus.choices)
OUTCOMES = dict(AttemptOutcome.choices)


def _text(value: Any) -> str:
    """Return a value as ``{{ value }}`` writes it, escaped."""
    kind = type(value)
    if kind is str:
        return html.escape(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        # What localize() writes for a whole number without thousands separators.
        return str(value)
    # Other numbers as the template writes them (localized); anything else as str() does.
    return html.escape(str(formats.localize(value)))


def _when(value: datetime, *, year: bool = True) -> str:
    """Return a time as the ``date`` filter writes "j M Y H:i:s" (or "j M H:i:s")."""
    local = timezone.localtime(value)
    month = str(MONTHS_3[local.month]).title()
    if year:
        return f"{local.day} {month} {local.year} {local:%H:%M:%S}"
    return f"{local.day} {month} {local:%H:%M:%S}"


@lru_cache(maxsize=64)
def _url_pattern(name: str, prefix: str) -> tuple[str, str]:
    sample = reverse(name, args=[_SAMPLE_ID])
    before, _, after = sample.partition(str(_SAMPLE_ID))
    return before, after


_SAMPLE_ID = 987654321


@register.simple_tag
def order_url(name: str, order_id: int) -> str:
    """Return ``{% url name order_id %}`` for one of the order's pages: reversed once per
    process (and script prefix) with a sample id, the order's own id put in its place."""
    before, after = _url_pattern(name, get_script_prefix())
    return f"{before}{int(order_id)}{after}"


@register.simple_tag
def order_facts(order: Any) -> SafeString:
    """Return the order's tenant, who keyed it and when, and when it was sent, as terms."""
    sent = f"<dt>Sent at</dt><dd>{_when(order.sent_at)}</dd>\n" if order.sent_at else ""
    return mark_safe(
        f"\n<dt>Tenant</dt><dd>{_text(str(order.tenant))}</dd>\n"
        f"<dt>Keyed by</dt><dd>{_text(order.keyed_by)}</dd>\n"
        f"<dt>Keyed at</dt><dd>{_when(order.created_at)}</dd>\n{sent}"
    )


@register.simple_tag
def fact_rows(rows: Iterable[tuple[str, str]], empty: str = "") -> SafeString:
    """Return (label, value) pairs as a ``<dl>``'s terms; ``empty`` (a ``<dd>``) for none."""
    written = "".join(f"<dt>{_text(label)}</dt><dd>{_text(value)}</dd>" for label, value in rows)
    if not written and empty:
        written = f"<dd>{_text(empty)}</dd>"
    # Every value above is escaped.
    return mark_safe(written)


@register.simple_tag
def line_rows(lines: Iterable[Any]) -> SafeString:
    """Return the order's lines as the lines table's rows."""
    written = "".join(
        f"<tr><td>{_text(line.position)}</td><td>{_text(line.product_id)}</td>"
        f'<td class="seen">{_text(line.product_code or "—")}</td>'
        f'<td class="seen">{_text(line.description or "—")}</td>'
        f"<td>{_text(line.quantity.normalize())}</td></tr>"
        for line in lines
    )
    return mark_safe(written)


@register.simple_tag
def transition_rows(transitions: Iterable[Any]) -> SafeString:
    """Return the order's changes of state as the history table's rows, oldest first."""
    written = "".join(
        f"\n<tr><td>{_when(change.at, year=False)}</td><td>{_move(change, first=number == 0)}</td>"
        f"<td>{_text(change.actor)}</td><td>{_text(change.reason)}</td></tr>"
        for number, change in enumerate(transitions)
    )
    return mark_safe(written + "\n" if written else " ")


def _move(change: Any, *, first: bool) -> str:
    """Return a change of state as "Sending → Sent"; a new order's first as "new → Draft" (it is
    written a draft from the start), and a step that kept the state as the state alone."""
    to = _text(STATUSES.get(change.to_status, change.to_status))
    if first and change.from_status in ("", change.to_status):
        return f"new → {to}"
    if change.from_status == change.to_status:
        return to
    return f"{_text(STATUSES.get(change.from_status, change.from_status))} → {to}"


def _exchange(label: str, first_line: str, headers: Mapping[str, Any] | None, body: str) -> str:
    headers_text = "".join(
        f"{_text(name)}: {_text(value)}\n" for name, value in (headers or {}).items()
    )
    return (
        f'<pre tabindex="0" role="region" aria-label="{label}">{first_line}\n'
        f"{headers_text}\n{_text(display.pretty_json(body))}</pre>"
    )


def _changes(changes: Sequence[FieldChange]) -> str:
    if not changes:
        return ""
    rows = "".join(
        f"<tr><td>{_text(change.path)}</td><td>{_text(change.old)}</td>"
        f"<td>{_text(change.new)}</td></tr>"
        for change in changes
    )
    return (
        "\n<h3>Changed since the attempt before</h3>\n"
        '<div class="table-scroll" tabindex="0" role="region"'
        ' aria-label="Changed since the attempt before">\n<table class="table changes">\n'
        "<thead><tr><th>Field</th><th>Before</th><th>Now</th></tr></thead>\n"
        f"<tbody>{rows}</tbody>\n</table>\n</div>\n"
    )


def _attempt(attempt: Any, changes: Sequence[FieldChange], *, first: bool) -> str:
    status = attempt.response_status
    outcome = _text(attempt.outcome)
    said = _text(OUTCOMES.get(attempt.outcome, attempt.outcome))
    error = f'<p class="problem">{_text(attempt.error)}</p>' if attempt.error else ""
    request = _exchange(
        "Request sent to Clarus",
        f"{_text(attempt.method)} {_text(attempt.url)}",
        attempt.request_headers,
        attempt.request_body,
    )
    if status:
        response = _exchange(
            "Clarus's answer",
            _text(attempt.status_text),
            attempt.response_headers,
            attempt.response_body,
        )
    else:
        response = "<p>No answer.</p>"
    return (
        f'\n<details class="attempt"{" open" if first else ""}>\n<summary>\n'
        f"{_when(attempt.started_at)} by {_text(attempt.sender or 'the delivery worker')} —\n"
        f'<span class="outcome outcome-{outcome}">{said}</span>\n'
        f"{f'({_text(attempt.status_text)})' if status else ''}, {_text(attempt.duration_ms)} ms\n"
        f"</summary>\n{error}\n{_changes(changes)}\n<h3>Request</h3>\n{request}\n"
        f"<h3>Response</h3>\n{response}\n</details>\n"
    )


@register.simple_tag
def attempt_sections(attempts: Sequence[tuple[Any, Sequence[FieldChange]]]) -> SafeString:
    """Return each request to Clarus for the order, newest first and open, with what changed
    since the one before, the request and its answer as they went over the wire."""
    if not attempts:
        return mark_safe("\n<p>Not sent yet.</p>\n")
    written = "".join(
        _attempt(attempt, changes, first=index == 0)
        for index, (attempt, changes) in enumerate(attempts)
    )
    # Every value above is escaped.
    return mark_safe(written)
