"""The amend form: the entry form's fields and lines, filled from the goods-out as Clarus holds
it, each existing line carrying its Clarus line id.

What identifies the order in Clarus (order type, account, reference) and the choices made by
lookup (warehouse, customer, carrier, service, order type, strategies) are shown, not edited: they
are taken from what was read, whatever is posted. The goods-out as read travels with the page,
signed (``base``), so what is sent is the difference from what the agent saw.
"""

import hashlib
import uuid
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from django import forms
from django.core import signing
from django.forms import formset_factory
from django.http import QueryDict
from django.utils import timezone

from orders.domain import (
    Amendment,
    DeliveryAddress,
    GoodsOutRead,
    GoodsOutStatus,
    OrderHeader,
    Refusal,
    StandingLine,
    StandingOrder,
    amendment_between,
    standing_from_json,
    standing_json,
)
from orders.forms.entry import (
    ADDRESS_PREFIX,
    MAX_LINES,
    BaseOrderLineFormSet,
    OrderEntry,
    OrderForm,
    OrderLineForm,
    form_field_name,
    picked_id_field,
)
from orders.models import Order

BASE_SALT = "orders.forms.amend.base"
# A page open longer than this is sent again only after a fresh read.
BASE_MAX_AGE = 12 * 60 * 60
AMEND_PREFIX = "lines"
OUT_OF_DATE = "This page is out of date or damaged: open Amend again to see the order as it stands."

# Shown as read, never taken from the post (see the module docstring).
FIXED_FIELDS = (
    "goods_out_type",
    "reference",
    "account_id",
    "warehouse_id",
    "customer_id",
    "carrier_id",
    "carrier_service_id",
    "order_type_id",
    "dispatch_strategy",
    "pack_strategy",
    "pick_type",
)
EDITABLE_HEADER = ("expected_date_of_dispatch", "priority")
EDITABLE_MORE = (
    "load_reference",
    "pick_reference",
    "external_system_reference1",
    "external_system_reference2",
    "external_system_reference3",
)


class AmendForm(OrderForm):
    """The order header and address of an amendment; ``form_token`` is the amendment's token."""

    base = forms.CharField(widget=forms.HiddenInput, required=False)
    # The digest of the change the agent last saw previewed: sending needs it to match.
    reviewed = forms.CharField(widget=forms.HiddenInput, required=False)

    def editable_header(self) -> list[forms.BoundField]:
        return self.bound_fields(EDITABLE_HEADER)

    def editable_more(self) -> list[forms.BoundField]:
        return self.bound_fields(EDITABLE_MORE)


class AmendLineForm(OrderLineForm):
    # Clarus's id of the line; blank for a line the agent adds.
    line_id = picked_id_field()


class BaseAmendLineFormSet(BaseOrderLineFormSet):
    line_ids: frozenset[int] = frozenset()

    def clean(self) -> None:
        super().clean()
        seen: set[int] = set()
        for form in self.forms:
            line_id = form.cleaned_data.get("line_id") if hasattr(form, "cleaned_data") else None
            if line_id is None:
                continue
            if line_id not in self.line_ids or line_id in seen:
                raise forms.ValidationError(OUT_OF_DATE, code="damaged")
            seen.add(line_id)

    def standing_lines(self) -> tuple[StandingLine, ...]:
        """Return the lines as the agent left them: kept lines with their ids, new ones without."""
        return tuple(
            StandingLine(
                line_id=form.cleaned_data.get("line_id"),
                product_id=form.cleaned_data["product_id"],
                quantity=form.cleaned_data["quantity"],
                product_code=form.cleaned_data["product_code"],
                description=form.cleaned_data["description"],
            )
            for form in self.keyed_forms()
        )


AmendLineFormSet = formset_factory(
    AmendLineForm,
    formset=BaseAmendLineFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)


def base_sign(order: Order, read: GoodsOutRead) -> str:
    """Return the goods-out as read, signed for the page to carry."""
    payload = {
        "order": order.pk,
        "goods_out": read.goods_out_id,
        "status": [read.status.code, read.status.name],
        "version": read.version,
        "standing": standing_json(read.standing),
    }
    return signing.dumps(payload, salt=BASE_SALT, compress=True)


def base_read(order: Order, text: str) -> GoodsOutRead | None:
    """Return the goods-out a page was filled from, or None if the page's copy is not ours."""
    try:
        payload = signing.loads(text, salt=BASE_SALT, max_age=BASE_MAX_AGE)
        if payload["order"] != order.pk or payload["goods_out"] != order.clarus_id:
            return None
        code, name = payload["status"]
        return GoodsOutRead(
            goods_out_id=payload["goods_out"],
            status=GoodsOutStatus(payload["goods_out"], code, name),
            standing=standing_from_json(payload["standing"]),
            version=str(payload["version"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _form_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
    return "" if value is None else value


def _header_values(order: Order, standing: StandingOrder) -> dict[str, Any]:
    values: dict[str, Any] = {"tenant": order.tenant_id}
    values.update({name: _form_value(value) for name, value in asdict(standing.header).items()})
    values.update(
        {ADDRESS_PREFIX + name: value for name, value in asdict(standing.address).items()}
    )
    # The account's search box shows its id: it is not edited here.
    values["account"] = values["account_id"]
    return values


@dataclass
class AmendEntry:
    """The amend form as one thing: header and address, the lines, and the goods-out as read."""

    form: AmendForm
    lines: BaseAmendLineFormSet
    base: GoodsOutRead

    @classmethod
    def unbound(cls, order: Order, base: GoodsOutRead) -> "AmendEntry":
        initial = _header_values(order, base.standing)
        initial.update(form_token=uuid.uuid4(), base=base_sign(order, base))
        form = AmendForm(initial=initial, tenants=[order.tenant])
        lines = [
            {
                "line_id": line.line_id,
                "product": line.product_code or str(line.product_id),
                "product_id": line.product_id,
                "description": line.description,
                "quantity": format(line.quantity.normalize(), "f"),
            }
            for line in base.standing.lines
        ]
        formset = AmendLineFormSet(prefix=AMEND_PREFIX, initial=lines)
        assert isinstance(formset, BaseAmendLineFormSet)
        formset.extra = len(lines)
        return cls(form, formset, base)

    @classmethod
    def bound(
        cls, data: QueryDict, order: Order, base: GoodsOutRead, *, blank_row: bool = False
    ) -> "AmendEntry":
        data = data.copy()
        fixed = _header_values(order, base.standing)
        for name in (*FIXED_FIELDS, "tenant", "account"):
            data[name] = str(fixed[name])
        if blank_row:
            total = f"{AMEND_PREFIX}-TOTAL_FORMS"
            count = int(data.get(total) or 0) if str(data.get(total) or "0").isdigit() else 0
            data[total] = str(min(count + 1, MAX_LINES))
        form = AmendForm(data, tenants=[order.tenant])
        formset = AmendLineFormSet(data, prefix=AMEND_PREFIX)
        assert isinstance(formset, BaseAmendLineFormSet)
        formset.line_ids = frozenset(
            line.line_id for line in base.standing.lines if line.line_id is not None
        )
        return cls(form, formset, base)

    def is_valid(self) -> bool:
        return self.form.is_valid() and self.lines.is_valid()

    def focus_id(self) -> str:
        """Return the id of the first box with a problem, in the page's order (the header, the
        lines, the address, the notes, the more options), or "" when none has one.

        A refused review or a refusal from Clarus opens there, not on the last new line.
        """
        form = self.form
        if not form.is_bound:
            return ""
        for name in EDITABLE_HEADER:
            if form.field_has_error(name):
                return form[name].auto_id
        for line in self.lines.forms:
            if line.is_bound and line.errors:
                # A standing line's product is Clarus's and cannot be changed: its quantity can.
                standing = bool(line["line_id"].value())
                only_quantity = set(line.errors) == {"quantity"}
                return line["quantity" if standing or only_quantity else "product"].auto_id
        for name in (*form.ADDRESS_FIELDS, *form.NOTES_FIELDS, *EDITABLE_MORE):
            if form.field_has_error(name):
                return form[name].auto_id
        return ""

    def more_has_problem(self) -> bool:
        """Return whether a box under "More order options" has a problem (the page opens it)."""
        return self.form.is_bound and any(self.form.field_has_error(n) for n in EDITABLE_MORE)

    def after(self) -> StandingOrder:
        """Return the goods-out as the valid form would leave it."""
        keyed = OrderEntry(self.form, self.lines).keyed_order()
        header = OrderHeader(
            **{each.name: getattr(keyed.header, each.name) for each in fields(OrderHeader)}
        )
        address = DeliveryAddress(**asdict(keyed.address))
        return StandingOrder(header, address, self.lines.standing_lines())

    def amendment(self) -> Amendment:
        return amendment_between(self.base.standing, self.after())

    def place_refusals(self, amendment: Amendment, refusals: list[Refusal]) -> list[str]:
        """Put Clarus's reasons beside the fields and lines they name; return the others.

        A line's reason names its place among the changes sent (``lines_changes[i]``), which
        are the amendment's line changes in order.
        """
        rows = {
            form.cleaned_data.get("line_id"): form
            for form in self.lines.keyed_forms()
            if form.cleaned_data.get("line_id") is not None
        }
        new_rows = iter(
            f for f in self.lines.keyed_forms() if f.cleaned_data.get("line_id") is None
        )
        by_change: list[Any] = []
        for edit in amendment.lines:
            by_change.append(rows.get(edit.line_id) if edit.op != "add" else next(new_rows, None))
        unplaced = []
        for refusal in refusals:
            target = refusal.target
            if target is not None and target.part != "line":
                name = form_field_name(target)
                if name in self.form.fields and name not in FIXED_FIELDS:
                    self.form.add_error(name, refusal.details)
                    continue
            elif (
                target is not None
                and target.line is not None
                and target.line < len(by_change)
                and by_change[target.line] is not None
            ):
                by_change[target.line].add_error(target.name, refusal.details)
                continue
            unplaced.append(refusal.details)
        return unplaced


def amendment_digest(amendment: Amendment) -> str:
    """Return a digest of a change, so "Send" sends only the change the agent last reviewed."""
    return hashlib.sha256(repr(amendment).encode()).hexdigest()[:32]
