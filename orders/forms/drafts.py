"""Drafts of the entry form: what is kept of it as the agent types, and the form shown again."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.forms.utils import ErrorDict
from django.http import QueryDict

from orders.forms.delivery_addresses import AddressSaveForm
from orders.forms.entry import (
    LINES_PREFIX,
    BaseOrderLineFormSet,
    OrderForm,
    entry_focus,
    line_formset,
)
from orders.inputs import clean_text
from orders.models import Tenant

# Never kept: the page's own CSRF token.
NOT_KEPT = frozenset({"csrfmiddlewaretoken"})
# Longer than any box of the form takes; the request itself is bounded (DATA_UPLOAD_MAX_*).
MAX_VALUE = 10_000
MAX_VALUES = 10


def draft_data(post: QueryDict) -> dict[str, list[str]]:
    """Return a posted entry form as a draft keeps it: every field and all its values."""
    return {
        clean_text(name)[:200]: [clean_text(value)[:MAX_VALUE] for value in post.getlist(name)][
            :MAX_VALUES
        ]
        for name in post
        if name not in NOT_KEPT
    }


def draft_post(data: Mapping[str, Any]) -> QueryDict:
    """Return a draft's kept fields as the form posted them."""
    post = QueryDict(mutable=True)
    for name, values in data.items():
        if isinstance(values, list):
            post.setlist(str(name), [str(value) for value in values])
    return post


def draft_form_token(post: QueryDict) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(post.get("form_token", "")))
    except ValueError:
        return None


@dataclass(frozen=True)
class DraftSummary:
    reference: str
    summary: str


def draft_summary(data: Mapping[str, list[str]]) -> DraftSummary:
    """Return what "My drafts" shows of a draft: its reference, lines and delivery name."""

    def first(name: str) -> str:
        values = data.get(name) or [""]
        return " ".join(str(values[0]).split())

    lines = sum(
        1
        for name in data
        if name.startswith(f"{LINES_PREFIX}-")
        and name.endswith("-product")
        and first(name)
        and not first(name.removesuffix("-product") + "-DELETE")
    )
    parts = [f"{lines} line{'s' if lines != 1 else ''}"]
    account = first("account")
    if account:
        parts.append(account)
    where = ", ".join(p for p in (first("delivery_name"), first("delivery_postcode")) if p)
    if where:
        parts.append(where)
    return DraftSummary(reference=first("reference")[:50], summary=" · ".join(parts)[:200])


@dataclass
class DraftEntry:
    """A draft as the entry page shows it again: the forms bound to what was kept, quietly."""

    form: OrderForm
    formset: BaseOrderLineFormSet
    address_save_form: AddressSaveForm
    caller_text: str
    caller_order: str


def draft_entry(data: Mapping[str, Any], *, tenants: Sequence[Tenant]) -> DraftEntry:
    """Return the entry forms holding a draft exactly as it was left, without any error shown:
    a half-keyed order is not a wrong one."""
    post = draft_post(data)
    form = OrderForm(post, tenants=tenants)
    formset = line_formset(post)
    # Cleaned once, then the errors dropped: Django forms keep them in these attributes, which
    # ``errors`` and every bound field read (and clean again only when they are None).
    form.full_clean()
    form._errors = ErrorDict()  # type: ignore[attr-defined]
    formset.full_clean()
    formset._non_form_errors = formset.error_class()  # type: ignore[attr-defined]
    formset._errors = []  # type: ignore[attr-defined]
    for line in formset.forms:
        line._errors = ErrorDict()  # type: ignore[attr-defined]
    return DraftEntry(
        form=form,
        formset=formset,
        address_save_form=AddressSaveForm(post),
        caller_text=post.get("caller", ""),
        caller_order=post.get("caller_order", ""),
    )


def draft_focus(entry: DraftEntry) -> str:
    """Return the id of the box a resumed draft opens on.

    The entry page's own choice (``entry_focus``: the first required box still empty) first;
    when the header is keyed, the last line's product box, where keying carries on (the blank
    line after the keyed ones, if there is one). Never none: the page takes Enter and Ctrl+Enter
    only from inside the form.
    """
    chosen = entry_focus(entry.form, entry.formset)
    lines = [line for line in entry.formset.forms if not line["DELETE"].value()]
    if chosen or not lines:
        return chosen
    return lines[-1]["product"].auto_id
