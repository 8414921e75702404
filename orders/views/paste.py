"""Many order lines pasted at once (from a spreadsheet or an e-mail) become line rows."""

from dataclasses import dataclass, replace

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from orders import permissions
from orders.access import DeskRequest, keying_tenant, tenant_view
from orders.domain import CLARUS_ID_MAX_DIGITS
from orders.forms.entry import (
    LINES_PREFIX,
    MAX_LINES,
    BaseOrderLineFormSet,
    OrderLineForm,
    line_form,
    line_formset,
)
from orders.forms.paste import PastedLine, pasted_lines_parse
from orders.inputs import clean_text, id_from_text, index_from_text
from orders.selectors import catalogue
from orders.selectors.catalogue import LookupUnavailable

# Enough for MAX_LINES lines of long codes; more is not a paste an agent meant.
MAX_PASTE = 40_000
NOT_FOUND = "Not found in Clarus: choose the product."
NOT_FOUND_DIGITS = (
    "Not found in Clarus by code: choose the product, or it is sent as Clarus id {code}."
)
SEVERAL = "Several products have this code in Clarus: choose one."
UNCHECKED = "Not checked: Clarus could not be asked. Choose the product, or type its Clarus id."


@dataclass(frozen=True)
class PastedRow:
    """A line row made from a pasted line, and what it still needs from the agent."""

    form: OrderLineForm
    problem: str = ""
    focus_product: bool = False
    focus_quantity: bool = False
    # It takes the place of the blank row the agent pasted into (an out-of-band swap).
    replaces: bool = False

    @property
    def needs_product(self) -> bool:
        return bool(self.problem)

    @property
    def needs_quantity(self) -> bool:
        return not self.form.initial.get("quantity")


def _pasted_row(
    formset: BaseOrderLineFormSet,
    index: int,
    line: PastedLine,
    found: dict[str, list[catalogue.ProductChoice]] | None,
) -> PastedRow:
    """Return the row of one pasted line: its product if the code names exactly one."""
    matches = None if found is None else found.get(line.code.lower(), [])
    if matches is not None and len(matches) == 1:
        product = matches[0]
        form = line_form(
            formset,
            index,
            product=line.code,
            product_id=product.id,
            description=product.description,
            available=product.available,
            quantity=line.quantity,
        )
        return PastedRow(form)
    if matches is None:
        problem = UNCHECKED
    elif matches:
        problem = SEVERAL
    elif id_from_text(line.code, max_digits=CLARUS_ID_MAX_DIGITS) is not None:
        problem = NOT_FOUND_DIGITS.format(code=line.code)
    else:
        problem = NOT_FOUND
    return PastedRow(line_form(formset, index, product=line.code, quantity=line.quantity), problem)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _paste_said(rows: list[PastedRow], *, left_out: int, problem: str) -> str:
    """Return what the status line says after a paste, e.g. "12 lines pasted; 2 need a product."."""
    if not rows:
        return "Nothing pasted: no product codes found in the text."
    said = _plural(len(rows), "line pasted", "lines pasted")
    if problem:
        said += f", but Clarus could not be asked ({problem}): choose each product"
    elif needs := sum(row.needs_product for row in rows):
        said += "; " + _plural(needs, "needs a product", "need a product")
    if needs_quantity := sum(row.needs_quantity for row in rows):
        said += "; " + _plural(needs_quantity, "needs a quantity", "need a quantity")
    said += "."
    if left_out:
        said += (
            f" {_plural(left_out, 'line was', 'lines were')} left out: an order has at most "
            f"{MAX_LINES} lines."
        )
    return said


def _focused(rows: list[PastedRow]) -> list[PastedRow]:
    """Return the rows with the focus on the first that needs the agent, if any does."""
    for position, row in enumerate(rows):
        if row.needs_product or row.needs_quantity:
            focus = replace(
                row, focus_product=row.needs_product, focus_quantity=not row.needs_product
            )
            return [*rows[:position], focus, *rows[position + 1 :]]
    return rows


@tenant_view(may=permissions.may_key)
@require_POST
@vary_on_headers("HX-Request")
def order_lines_paste(request: DeskRequest) -> HttpResponse:
    """Turn pasted "code<TAB>quantity" lines into line rows, every code asked of Clarus at once.

    Rows are numbered after the page's; the first may take the place of the blank row pasted
    into (``into``). Codes Clarus does not know stay in their rows, to be chosen by the agent.
    """
    if not request.htmx:
        return redirect("orders:create")
    total = index_from_text(request.POST.get(f"{LINES_PREFIX}-TOTAL_FORMS"), below=MAX_LINES + 1)
    if total is None:
        return HttpResponseBadRequest(f"An order has at most {MAX_LINES} lines.")
    into = index_from_text(request.POST.get("into"), below=total) if total else None
    pasted = pasted_lines_parse(clean_text(request.POST.get("text", "")[:MAX_PASTE]))
    kept = pasted[: MAX_LINES - total + (into is not None)]
    problem, found = "", None
    try:
        found = catalogue.product_codes_resolve(
            tenant=keying_tenant(request),
            codes=[line.code for line in kept],
            account_id=id_from_text(request.POST.get("account_id")),
            warehouse_id=id_from_text(request.POST.get("warehouse_id")),
        )
    except LookupUnavailable as unavailable:
        problem = unavailable.message
    formset = line_formset()
    indexes = ([into] if into is not None else []) + list(range(total, MAX_LINES))
    rows = [
        _pasted_row(formset, index, line, found) for index, line in zip(indexes, kept, strict=False)
    ]
    if into is not None and rows:
        rows[0] = replace(rows[0], replaces=True)
    rows = _focused(rows)
    next_index = total + len(rows) - (into is not None and bool(rows))
    blank = None
    if rows and next_index < MAX_LINES:
        # A blank line after the pasted ones, ready for the next product.
        blank = line_form(formset, next_index)
    context = {
        "rows": rows,
        "blank": blank,
        "blank_focus": not any(row.focus_product or row.focus_quantity for row in rows),
        "total_forms": next_index + (blank is not None),
        "said": _paste_said(rows, left_out=len(pasted) - len(kept), problem=problem),
    }
    return render(request, "orders/order_form.html#pasted-lines", context)
