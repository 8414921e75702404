"""Approval rules: a tenant's rules (versioned), orders they hold, and supervisors' decisions.

An order that matches one of its tenant's active rules when it is sent is saved ``held`` instead
(``order_hold_if_ruled``, called by ``submission.order_submit`` in the transaction that stores
the order). Approving moves it back to ``draft`` and hands it to ``delivery.deliver``: the same
claim, reconciliation and settling as any order, so it reaches Clarus exactly once. Refusing
moves it to ``declined``, from where whoever keyed it corrects it (and the rules are asked again)
or withdraws it. See docs/approvals.md.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from orders import audit, permissions, states
from orders.clarus import Transport
from orders.domain import KeyedOrder
from orders.models import (
    ApprovalRule,
    ApprovalRuleKind,
    ApprovalRuleVersion,
    Order,
    OrderStatus,
    Tenant,
)
from orders.selectors.approvals import approval_rules_active, orders_keyed_before
from orders.selectors.tenants import membership_list_for_user
from orders.services.delivery import SubmitResult, deliver

Kind = ApprovalRuleKind
# The kinds whose rule names Clarus ids (accounts, carrier services) rather than one number.
KINDS_WITH_IDS = frozenset({Kind.ACCOUNTS, Kind.CARRIER_SERVICE})


@dataclass(frozen=True)
class RuleTerms:
    """What one version of a rule says: its kind, its number, its chosen ids."""

    kind: str
    number: int | None = None
    ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class OrderFacts:
    """What the rules look at in an order as it is sent."""

    quantities: tuple[Decimal, ...]
    priority: int | None = None
    dispatch_at: datetime | None = None
    account_id: int | None = None
    carrier_service_id: int | None = None
    # How many orders its keyer keyed for the tenant before this one (counted up to what the
    # tenant's "first orders" rules need).
    keyed_before: int = 0
    keyer: str = ""
    now: datetime | None = None


def _ids(ids: Iterable[int]) -> str:
    shown = [str(each) for each in ids]
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} or {shown[-1]}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def rule_wording(terms: RuleTerms) -> str:
    """Return what the rule holds, in plain words ("More than 10 lines")."""
    number = terms.number or 0
    match terms.kind:
        case Kind.LINES_OVER:
            return f"Orders of more than {_plural(number, 'line')}"
        case Kind.QUANTITY_OVER:
            return f"Orders with a line of more than {number} items"
        case Kind.PRIORITY:
            return f"Orders of priority {number}"
        case Kind.DISPATCH_WITHIN:
            return f"Orders to dispatch less than {_plural(number, 'hour')} from when they are sent"
        case Kind.ACCOUNTS:
            return f"Orders for account {_ids(terms.ids)}"
        case Kind.CARRIER_SERVICE:
            return f"Orders by carrier service {_ids(terms.ids)}"
        case Kind.NEW_KEYER:
            return f"The first {_plural(number, 'order')} each person keys"
    return "Unknown rule"


def hold_reason(terms: RuleTerms, facts: OrderFacts) -> str | None:
    """Return why the rule holds the order, in words the caller can be told, or None if it does
    not hold it."""
    number = terms.number or 0
    match terms.kind:
        case Kind.LINES_OVER:
            count = len(facts.quantities)
            if count > number:
                return f"{_plural(count, 'line')}, more than this tenant's {number}"
        case Kind.QUANTITY_OVER:
            for position, quantity in enumerate(facts.quantities, start=1):
                if quantity > number:
                    return (
                        f"line {position} is for {quantity.normalize():f} items, more than this "
                        f"tenant's {number}"
                    )
        case Kind.PRIORITY:
            if facts.priority is not None and facts.priority == number:
                return f"priority {number} orders need a supervisor's approval"
        case Kind.DISPATCH_WITHIN:
            now = facts.now or timezone.now()
            if facts.dispatch_at is not None and facts.dispatch_at < now + timedelta(hours=number):
                shown = timezone.localtime(facts.dispatch_at).strftime("%d %b %H:%M")
                return (
                    f"dispatch on {shown} is less than {_plural(number, 'hour')} away, this "
                    "tenant's shortest notice"
                )
        case Kind.ACCOUNTS:
            if facts.account_id is not None and facts.account_id in terms.ids:
                return f"orders for account {facts.account_id} need a supervisor's approval"
        case Kind.CARRIER_SERVICE:
            if facts.carrier_service_id is not None and facts.carrier_service_id in terms.ids:
                return (
                    f"orders by carrier service {facts.carrier_service_id} need a supervisor's "
                    "approval"
                )
        case Kind.NEW_KEYER:
            if facts.keyed_before < number:
                return (
                    f"{facts.keyer or 'whoever keyed it'} has keyed "
                    f"{_plural(facts.keyed_before, 'order')} before this one, and this tenant "
                    f"checks each person's first {number}"
                )
    return None


def terms_of(version: ApprovalRuleVersion) -> RuleTerms:
    return RuleTerms(kind=version.kind, number=version.number, ids=tuple(version.ids or ()))


def rules_holding(
    versions: Sequence[ApprovalRuleVersion], facts: OrderFacts
) -> list[tuple[ApprovalRuleVersion, str]]:
    """Return each active rule version that holds the order, with why."""
    held = []
    for version in versions:
        if not version.active:
            continue
        why = hold_reason(terms_of(version), facts)
        if why is not None:
            held.append((version, why))
    return held


def held_message(reasons: Iterable[str]) -> str:
    """Return what the agent reads at once, to tell the caller."""
    return f"Held for a supervisor: {'; '.join(reasons)}."


def _facts(order: Order, keyed: KeyedOrder, *, new_keyer_rules: Sequence[int]) -> OrderFacts:
    dispatch = keyed.header.expected_date_of_dispatch
    most = max(new_keyer_rules, default=0)
    return OrderFacts(
        quantities=tuple(line.quantity for line in keyed.lines),
        priority=keyed.header.priority,
        dispatch_at=dispatch if isinstance(dispatch, datetime) else None,
        account_id=keyed.header.account_id,
        carrier_service_id=keyed.header.carrier_service_id,
        keyed_before=orders_keyed_before(order=order, at_most=most) if most else 0,
        keyer=order.created_by.get_username(),
        now=timezone.now(),
    )


def order_hold_if_ruled(
    order: Order,
    keyed: KeyedOrder,
    *,
    user: User,
    versions: Sequence[ApprovalRuleVersion] | None = None,
) -> str | None:
    """Hold a just-stored ``draft`` order if an active rule of its tenant matches it; return the
    message for the agent, or None if it goes on to Clarus. The caller holds the order's row in
    a transaction; ``versions`` are the tenant's active rules when it has read them already
    (``approval_rules_active``, in that transaction)."""
    if versions is None:
        versions = approval_rules_active(tenant_id=order.tenant_id)
    if not versions:
        return None
    new_keyer = [v.number or 0 for v in versions if v.kind == Kind.NEW_KEYER]
    held = rules_holding(versions, _facts(order, keyed, new_keyer_rules=new_keyer))
    if not held:
        return None
    at = timezone.now()
    for version, why in held:
        audit.order_hold_record(order, rule_version=version, why=why, at=at)
    message = held_message(why for _version, why in held)
    named = "; ".join(f"“{v.wording}” (rule {v.rule_id}, version {v.version})" for v, _ in held)
    audit.order_transition(
        order, OrderStatus.HELD, by=audit.Actor.of(user), reason=f"{message} Rules: {named}."
    )
    # What the agent reads on the order's page: the reasons alone (the trail names the rules).
    order.status_note = message[:500]
    order.save(update_fields=["status", "status_note", "updated_at"])
    return message


@dataclass(frozen=True)
class Decision:
    order: Order
    done: bool
    message: str


class DecisionRefused(Exception):
    """The order is not awaiting approval (any more): nothing was changed."""


def _held_order(order_id: int, *, user: User) -> tuple[Order, list]:
    order = Order.objects.select_for_update().select_related("tenant").filter(pk=order_id).first()
    memberships = membership_list_for_user(user=user)
    if order is None or not permissions.order_may_decide(order=order, memberships=memberships):
        raise PermissionDenied("You cannot decide on this order.")
    return order, memberships


def order_approve(
    *, order_id: int, user: User, reason: str = "", transport: Transport | None = None
) -> SubmitResult:
    """Approve a held order and send it to Clarus through ``delivery.deliver``, as any order.

    Raises PermissionDenied for someone who may not approve it: an agent, another tenant's
    staff, or whoever keyed it unless the tenant allows approving one's own order.
    """
    with transaction.atomic():
        order, memberships = _held_order(order_id, user=user)
        if not permissions.order_may_approve(order=order, user=user, memberships=memberships):
            raise PermissionDenied("You keyed this order, so another supervisor must approve it.")
        if order.status != OrderStatus.HELD:
            return SubmitResult(order=order, outcome=None, message=_decided_message(order))
        said = f": {reason}" if reason else "."
        audit.order_transition(
            order,
            OrderStatus.DRAFT,
            by=audit.Actor.of(user),
            reason=f"Approved by {user.get_username()}{said}",
        )
        order.save(update_fields=["status", "status_note", "updated_at"])
    # Claimed like any draft: if this request dies before, the worker sends it (a draft left a
    # lease long is due).
    return deliver(order.pk, by=audit.Actor.of(user), transport=transport)


def order_refuse(*, order_id: int, user: User, reason: str) -> Decision:
    """Refuse a held order with a reason: its keyer may correct it and send it again, or
    withdraw it. Nothing goes to Clarus."""
    if not reason.strip():
        raise ValueError("A refusal needs a reason.")
    with transaction.atomic():
        order, _memberships = _held_order(order_id, user=user)
        if order.status != OrderStatus.HELD:
            return Decision(order=order, done=False, message=_decided_message(order))
        audit.order_transition(
            order,
            OrderStatus.DECLINED,
            by=audit.Actor.of(user),
            reason=f"Not approved by {user.get_username()}: {reason.strip()}",
        )
        order.save(update_fields=["status", "status_note", "updated_at"])
    return Decision(order=order, done=True, message=f"Not approved: {reason.strip()}")


def order_withdraw(*, order_id: int, user: User) -> Decision:
    """Let go of an order that will not be sent: one a supervisor did not approve, or one the
    desk gave up sending (``states.WITHDRAWABLE``). It is never sent, and once withdrawn its
    caller's data may be erased (``states.SETTLED``).

    A failed order one of whose tries went unanswered may be in Clarus: it is not let go (the
    desk asks Clarus first when it is sent again). The order is held while it is decided, and the
    delivery worker claims only what is still ``failed``, so a withdrawn order is never sent.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        memberships = membership_list_for_user(user=user)
        if order is None or not permissions.order_may_withdraw(
            order=order, user=user, memberships=memberships
        ):
            raise PermissionDenied("You cannot withdraw this order.")
        if not states.withdrawable(order.status):
            return Decision(
                order=order,
                done=False,
                message=(
                    "Only an order that was not approved, or one the desk could not send, can "
                    f"be withdrawn: this one is {order.get_status_display().lower()}."
                ),
            )
        if order.status == OrderStatus.FAILED and audit.order_had_unanswered_try(order):
            return Decision(
                order=order,
                done=False,
                message=(
                    "Not withdrawn: a try of this order got no answer, so Clarus may have it. "
                    "“Send again” asks Clarus first."
                ),
            )
        audit.order_transition(
            order,
            OrderStatus.WITHDRAWN,
            by=audit.Actor.of(user),
            reason=f"Withdrawn by {user.get_username()}: never sent to Clarus.",
        )
        # No try of its own is due any more.
        order.next_attempt_at = None
        order.save(update_fields=["status", "status_note", "next_attempt_at", "updated_at"])
    return Decision(order=order, done=True, message="Withdrawn: this order will not be sent.")


def _decided_message(order: Order) -> str:
    if order.status == OrderStatus.DECLINED:
        return "This order was already refused."
    return f"This order was already decided on: it is {order.get_status_display().lower()}."


def approval_rule_save(
    *,
    tenant: Tenant,
    user: User,
    terms: RuleTerms,
    active: bool = True,
    rule: ApprovalRule | None = None,
) -> ApprovalRule:
    """Save a new rule, or a new version of ``rule`` (a rule of ``tenant``): earlier versions
    are kept as they were, and orders they held still name them."""
    with transaction.atomic():
        if rule is None:
            rule = ApprovalRule.objects.create(tenant=tenant)
            number = 1
        else:
            # Under the rule's lock: two admins saving at once make two versions, one after the
            # other.
            ApprovalRule.objects.select_for_update().get(pk=rule.pk, tenant=tenant)
            number = rule.versions.count() + 1
        version = ApprovalRuleVersion.objects.create(
            rule=rule,
            tenant=tenant,
            version=number,
            kind=terms.kind,
            number=terms.number,
            ids=list(terms.ids),
            active=active,
            wording=rule_wording(terms),
            created_by=user,
        )
        rule.current = version
        rule.save(update_fields=["current"])
    return rule


def approval_rule_switch(*, tenant: Tenant, user: User, rule: ApprovalRule, active: bool) -> None:
    """Switch a rule on or off: a new version, the same terms (its newest, read afresh)."""
    rule = ApprovalRule.objects.select_related("current").get(pk=rule.pk, tenant=tenant)
    current = rule.current
    if current is None or current.active == active:
        return
    approval_rule_save(tenant=tenant, user=user, terms=terms_of(current), active=active, rule=rule)


def approval_self_setting_save(*, tenant: Tenant, allowed: bool) -> None:
    """Set whether a supervisor may approve an order they keyed themselves."""
    Tenant.objects.filter(pk=tenant.pk).update(approval_self_allowed=allowed)
    tenant.approval_self_allowed = allowed
