"""The desk's records: Clarus tenants, keyed orders and every attempt to send one.

An order's columns are the agent's input, kept so it can be resent and searched; the attempts are
the audit trail of what went over the wire and what came back, and are never changed after they
are written.
"""

import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Upper
from django.urls import reverse

from orders import states
from orders.crypto import EncryptedTextField
from orders.states import AttemptOutcome, OrderStatus

__all__ = [
    "OPEN_INVITATION_STATUSES",
    "AddressSave",
    "AddressSaveAttempt",
    "AddressSaveStatus",
    "AmendmentStatus",
    "AppendOnlyModel",
    "ApprovalRule",
    "ApprovalRuleKind",
    "ApprovalRuleVersion",
    "AttemptOutcome",
    "AuthFlow",
    "Draft",
    "InvitationStatus",
    "Membership",
    "Order",
    "OrderAmendment",
    "OrderHold",
    "OrderLine",
    "OrderStatus",
    "OrderTransition",
    "Role",
    "StaffInvitation",
    "SubmissionAttempt",
    "Tenant",
    "WebhookDelivery",
    "WebhookStatus",
    "WorkerHeartbeat",
    "new_webhook_secret",
]


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class AuthFlow(models.TextChoices):
    # Clarus offers both OAuth flows (CONTRACT.md §1.1).
    CLIENT_CREDENTIALS = "client_credentials", "Client credentials"
    AUTHORIZATION_CODE = "authorization_code", "Authorization code (sign in at Clarus)"


class Tenant(models.Model):
    """One Clarus tenant the desk sends orders to, with its API connection."""

    name = models.CharField(max_length=100)
    # Clarus: every call carries X-Clarus-Subdomain (CONTRACT.md §1.2); slugs never change there.
    subdomain = models.SlugField(max_length=63, unique=True)
    api_base_url = models.URLField(help_text="For example https://clarus-api.com")
    # Clarus: /api per the reference, /api/v1 in two samples (CONTRACT.md §1.5).
    api_path_prefix = models.CharField(max_length=50, default="/api")
    auth_flow = models.CharField(
        max_length=20, choices=AuthFlow.choices, default=AuthFlow.CLIENT_CREDENTIALS
    )
    token_url = models.URLField(help_text="The OAuth token endpoint, e.g. …/oauth/token")
    authorize_url = models.URLField(
        blank=True, help_text="The OAuth sign-in page, for the authorization-code flow."
    )
    client_id = models.CharField(max_length=200)
    client_secret = EncryptedTextField()
    # The current tokens, shared by every process; refreshed under a row lock (orders.clarus).
    access_token = EncryptedTextField(blank=True, default="", editable=False)
    access_token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    refresh_token = EncryptedTextField(blank=True, default="", editable=False)
    # The secret part of the address Clarus Automations post webhooks to (CONTRACT.md §5: Clarus
    # signs nothing, so the address itself must be unguessable).
    webhook_secret = models.CharField(max_length=64, default=new_webhook_secret, editable=False)
    # The secret before the last rotation, still accepted for DESK_WEBHOOK_SECRET_GRACE_HOURS
    # after it, so the Clarus automation can be changed over to the new address meanwhile.
    previous_webhook_secret = models.CharField(
        max_length=64, blank=True, default="", editable=False
    )
    webhook_secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when Clarus refused a token refresh: a tenant admin must reconnect.
    needs_reconnect = models.BooleanField(default=False, editable=False)
    connection_problem = models.CharField(max_length=300, blank=True, default="", editable=False)
    # Every cached lookup answer of the tenant carries this (orders.selectors.catalogue): "Refresh
    # lists" and a new connection set it anew, for every app process at once, as each reads the
    # tenant row afresh with every request.
    lookups_version = models.BigIntegerField(default=0, editable=False)
    # Whether a supervisor may approve an order they keyed themselves (docs/approvals.md).
    approval_self_allowed = models.BooleanField(default=False)
    # How long callers' personal data is kept on the tenant's orders, counted from each order's
    # creation; None keeps it (orders.services.privacy, docs/personal-data.md).
    retention_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=(
            "Months to keep callers' names, addresses, emails and phone numbers on orders, "
            "counted from when each order was keyed. After that the desk removes them; the "
            "reference, lines, times, statuses and who keyed it stay. Leave blank to keep them."
        ),
    )

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name or self.subdomain

    @property
    def previous_webhook_secret_until(self) -> datetime | None:
        """Return until when the secret before the last rotation is still accepted, if it is."""
        if not self.previous_webhook_secret or self.webhook_secret_rotated_at is None:
            return None
        return self.webhook_secret_rotated_at + timedelta(
            hours=settings.DESK_WEBHOOK_SECRET_GRACE_HOURS
        )


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    SUPERVISOR = "supervisor", "Supervisor"
    TENANT_ADMIN = "tenant_admin", "Tenant admin"


class Membership(models.Model):
    """A member of staff's role in one tenant."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    # When the member last switched to this tenant: after signing in, the desk opens on the
    # tenant they used last (orders.access), which only they can change. A tenant's name
    # decides nothing, since its admin can rename it.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The client accounts the member keys orders for, as their tenant admin chose them: a list
    # of {"id", "code", "name"} (Clarus's account id, and what the admin saw). Empty: every
    # account. It limits what they key, not what they see (docs/staff.md).
    accounts = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("tenant__name", "user__username")
        constraints = [
            models.UniqueConstraint(
                fields=("user", "tenant"), name="membership_one_role_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} as {self.get_role_display()}"


class GivenPassword(models.Model):
    """A login whose password somebody else chose (a tenant admin making it on the Staff page):
    its owner chooses their own before anything else, at their next sign-in
    (``orders.views.password``). The row goes when they do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="given_password",
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    given_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user}'s password, given by {self.given_by}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    REVOKED = "revoked", "Withdrawn"


# Invitations the tenant admin still sees as waiting: a declined one looks like one not yet
# answered, so the list does not tell whether a login exists (orders.services.staff).
OPEN_INVITATION_STATUSES = (InvitationStatus.PENDING, InvitationStatus.DECLINED)


class StaffInvitation(models.Model):
    """A tenant admin's offer of a role to an existing login, which joins only if it accepts.

    ``username`` is what the admin typed (normalised); ``invitee`` is the login that had that
    name when the invitation was sent or renewed, or None if none had: such an invitation is
    shown to nobody, and the admin's page cannot tell it from any other.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    username = models.CharField(max_length=150)
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # A login deleted meanwhile leaves the invitation as the admin saw it, reaching nobody.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_invitations",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("username",)
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "username"),
                condition=models.Q(status__in=["pending", "declined"]),
                name="invitation_one_open_per_username",
            )
        ]
        indexes = [models.Index(fields=("invitee", "status"), name="invitation_invitee_status")]

    def __str__(self) -> str:
        return f"{self.username} to {self.tenant} as {self.get_role_display()}"


class Order(models.Model):
    """A goods-out order as the agent keyed it."""

    # No index of its own: every index below starts with the tenant, and serves its lookups.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The one-time token of the entry form: a second POST of the same form finds this order
    # instead of creating another, so a double click never becomes a second goods-out.
    form_token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    # When the agent opened the entry page this order was keyed on (a signed stamp the form
    # carries): created_at minus this is the time it took to key, for the supervisors' dashboard.
    keying_started_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT, db_index=True
    )
    clarus_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The header as keyed: Clarus attribute name -> value, optional fields left out.
    header = models.JSONField(default=dict)
    # The delivery address as keyed, in Clarus's Address attribute names.
    address = models.JSONField(default=dict)
    # What the agent saw beside each id they picked by name: {"account_id": {"code", "name"}}.
    labels = models.JSONField(default=dict, blank=True)
    # Searchable copies of what supervisors look orders up by.
    reference = models.CharField(max_length=50)
    account_id = models.BigIntegerField()
    postcode = models.CharField(max_length=10, blank=True, default="")
    # The delivery contact, normalised for exact or prefix search: name in capitals, email in
    # lower case, phone as its digits alone.
    contact_name = models.CharField(max_length=80, blank=True, default="")
    contact_email = models.CharField(max_length=254, blank=True, default="")
    contact_phone = models.CharField(max_length=50, blank=True, default="")
    # Delivery bookkeeping (orders.services.delivery): a process that is sending the order holds
    # it until lease_until; a waiting order is tried again from next_attempt_at.
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    send_count = models.PositiveIntegerField(default=0)
    # What the agent is told about where the order stands, in plain words.
    status_note = models.CharField(max_length=500, blank=True, default="")
    # The version of the goods-out as the desk last read or amended it in Clarus (a digest of
    # Clarus's answer, orders.clarus.goods_outs.goods_out_read): an amendment made from an
    # older read is refused as a conflict (orders.services.amend).
    clarus_version = models.CharField(max_length=64, blank=True, default="")
    # Someone is sending an amendment of the order until then: nobody else may meanwhile.
    amend_lease_until = models.DateTimeField(null=True, blank=True)
    # When the caller's personal data was removed from the order and its records
    # (orders.services.privacy): once, by the retention sweep or an erasure.
    personal_data_removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            # Clarus documents no duplicate-reference behaviour (CONTRACT.md §3.6): the desk
            # guarantees one order per reference per tenant, which also makes a lookup by
            # reference a safe way to reconcile an unknown outcome.
            models.UniqueConstraint(fields=("tenant", "reference"), name="order_unique_reference")
        ]
        # What the supervisors' history reads by (orders.selectors.history); the unique constraint
        # above serves the reference search, and clarus_id has its own index.
        indexes = [
            # A tenant's keyset pages, newest first: page 1,000 is a range scan like page 1.
            models.Index(fields=("tenant", "-created_at", "-id"), name="order_tenant_newest"),
            # The postcode search within a tenant.
            models.Index(fields=("tenant", "postcode"), name="order_tenant_postcode"),
            # Contact searches; the name by prefix, which on PostgreSQL needs a pattern index.
            models.Index(fields=("tenant", "contact_email"), name="order_tenant_email"),
            models.Index(fields=("tenant", "contact_phone"), name="order_tenant_phone"),
            # Its key carries what the name search then sorts and filters by (newest first, the
            # agent's own orders), so PostgreSQL answers it from the index alone (bench/README.md).
            models.Index(
                fields=("tenant", "contact_name", "created_at", "id", "created_by"),
                name="order_tenant_name",
                opclasses=(
                    "int8_ops",
                    "varchar_pattern_ops",
                    "timestamptz_ops",
                    "int8_ops",
                    "int4_ops",
                ),
            ),
            # The supervisors' dashboard (orders.selectors.dashboard) counts a tenant's orders over
            # a period: every column it reads is in the index, so PostgreSQL answers from the
            # index alone instead of visiting each order's row (bench/README.md).
            models.Index(
                fields=("tenant", "created_at", "created_by", "status", "keying_started_at", "id"),
                name="order_dashboard",
            ),
            # The recent delivery addresses of an account or of an end customer, newest first,
            # offered on the entry page when one is picked (orders.selectors.caller). The end
            # customer is kept in the header as sent, so its index is on that JSON member.
            models.Index(
                fields=("tenant", "account_id", "-created_at"), name="order_tenant_account"
            ),
            models.Index(
                F("tenant_id"),
                KeyTransform("customer_id", "header"),
                F("created_at").desc(),
                name="order_tenant_customer",
            ),
            # The approvals queue, oldest first, and its count in the supervisors' top bar: only
            # the orders awaiting approval are in it, however long the history grows.
            models.Index(
                fields=("tenant", "created_at", "id"),
                condition=models.Q(status="held"),
                name="order_held_oldest",
            ),
            # The retention sweep's batches (orders.services.privacy): a tenant's settled orders
            # still holding personal data, oldest first. Partial, so it shrinks as they are
            # redacted and never holds the orders still on their way to Clarus.
            models.Index(
                fields=("tenant", "created_at"),
                condition=models.Q(
                    personal_data_removed_at__isnull=True,
                    status__in=sorted(states.SETTLED),
                ),
                name="order_personal_pending",
            ),
            # The entry page's reference check (orders.selectors.references): a tenant's earlier
            # orders with the reference being keyed, whatever its capitals. The query compares
            # UPPER(reference) as this index holds it, so both databases look it up here.
            models.Index(F("tenant_id"), Upper("reference"), name="order_tenant_reference_upper"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", args=[self.pk])

    @property
    def can_resend(self) -> bool:
        return states.can_resend(self.status)

    @property
    def can_correct(self) -> bool:
        """Whether the order may be corrected and sent again (``states.can_correct``).

        Reads the attempts through their prefetch when there is one. Never once its personal
        data was removed: the address it would send again is gone (docs/personal-data.md).
        """
        if self.personal_data_removed_at is not None:
            return False
        return states.can_correct(self.status, (a.outcome for a in self.attempts.all()))

    @property
    def retries_automatically(self) -> bool:
        return states.retries_automatically(self.status, self.next_attempt_at)


class OrderTransition(models.Model):
    """One change of an order's status: when, who or what, and why. Append-only."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="transitions")
    at = models.DateTimeField(db_index=True)
    from_status = models.CharField(max_length=10, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=OrderStatus.choices)
    # The person who caused it, or None for the desk's own background delivery.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.CharField(
        max_length=50, help_text="Who or what: a username or 'delivery worker'."
    )
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.order}: {self.from_status or 'new'} → {self.to_status}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    product_id = models.BigIntegerField()
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    # The SKU and description the agent picked the product by; blank when they typed the id.
    product_code = models.CharField(max_length=100, blank=True, default="")
    description = models.CharField(max_length=255, blank=True, default="")
    # Clarus's id of the goods-out line, from the create's answer or the first read: amendments
    # address lines by it (CONTRACT.md §2.4).
    clarus_line_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("position",)
        constraints = [
            models.UniqueConstraint(fields=("order", "position"), name="orderline_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"


class AppendOnlyModel(models.Model):
    """A record that is written once and never changed or deleted."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied(f"{type(self).__name__} records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionDenied(f"{type(self).__name__} records are append-only.")


class SubmissionAttempt(AppendOnlyModel):
    """One request to Clarus for an order, exactly as sent and answered."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="attempts")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="attempts")
    # Who sent it: the member of staff, or None for the desk's background delivery.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submission_attempts",
    )
    started_at = models.DateTimeField(db_index=True)
    duration_ms = models.PositiveIntegerField()
    method = models.CharField(max_length=10)
    url = models.URLField(max_length=500)
    # Authorization is stored redacted; see orders.clarus.redact_headers.
    request_headers = models.JSONField()
    request_body = models.TextField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(null=True, blank=True)
    response_body = models.TextField(blank=True, default="")
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("-started_at", "-id")
        indexes = [
            # The dashboard's rejections (orders.selectors.dashboard): a tenant's refused attempts
            # from a day on, and their orders, without reading the accepted ones (about 19 in 20).
            models.Index(
                fields=("tenant", "started_at", "order"),
                condition=models.Q(outcome="rejected"),
                name="attempt_rejected",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.outcome}"


class WebhookDelivery(models.Model):
    """One webhook Clarus sent, kept once however often Clarus repeats it. Append-only."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="webhook_deliveries")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Clarus may deliver the same event twice (CONTRACT.md §5): the body's digest spots repeats.
    fingerprint = models.CharField(max_length=64)
    automation_id = models.CharField(max_length=100, blank=True, default="")
    event = models.CharField(max_length=50, blank=True, default="")
    goods_out_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    headers = models.JSONField()
    body = models.JSONField()
    repeats = models.PositiveIntegerField(default=0)
    # The desk's order the goods-out is, matched when the delivery arrived (services.webhooks).
    order = models.ForeignKey(
        Order,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="webhook_deliveries",
    )
    # The goods-out status code the record carried (CONTRACT.md §2.6), blank if it said none.
    status = models.CharField(max_length=50, blank=True, default="")
    # When the change happened in Clarus: the record's updated_at, else when it arrived. Clarus
    # documents no delivery order (CONTRACT.md §5), so this, not arrival, says which is newer.
    happened_at = models.DateTimeField()

    class Meta:
        ordering = ("-received_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("tenant", "fingerprint"), name="webhook_delivery_once_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant}: {self.event or 'event'} for goods-out {self.goods_out_id}"


class WebhookStatus(models.Model):
    """The newest word Clarus's webhooks gave on an order's goods-out: which delivery said it.

    A row of its own, not columns on ``Order``: delivery and cancelling save whole order rows they
    read before a Clarus call of up to the read timeout, and would put an older status back.
    """

    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, primary_key=True, related_name="webhook_status"
    )
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.order}: {self.delivery.status}"


class WorkerHeartbeat(models.Model):
    """When a delivery worker last showed it was alive: ``/readyz`` asks for a recent one.

    One row per worker process (its host and process id), written every few seconds by the
    worker (``orders.services.health``); rows of workers long gone are removed as new ones write.
    """

    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ("-seen_at",)

    def __str__(self) -> str:
        return f"{self.worker} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class Draft(models.Model):
    """A half-keyed order, saved from the entry form as the agent types, to be resumed and sent.

    ``form_data`` is the entry form exactly as it was last posted (field name -> its values), so
    that opening the draft shows it as it was left. The form token is the form's own: sending a
    draft creates at most one order, however many tabs or saves race it
    (orders.services.submission).
    Drafts hold callers' personal data: they are never logged, and the worker deletes those
    untouched for DESK_DRAFT_DAYS (orders.services.drafts).
    """

    # No index of its own: the index below starts with the tenant.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="drafts", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    form_token = models.UUIDField(unique=True)
    form_data = models.JSONField(default=dict)
    # What the list shows, copied from ``form_data`` when it is saved.
    reference = models.CharField(max_length=50, blank=True, default="")
    summary = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # The purge deletes by it (orders.services.drafts.drafts_purge).
    updated_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ("-updated_at", "-id")
        indexes = [
            # "My drafts" (an agent's own) and a supervisor's list of the tenant's, newest first.
            models.Index(
                fields=("tenant", "created_by", "-updated_at"), name="draft_tenant_owner_newest"
            ),
            models.Index(fields=("tenant", "-updated_at"), name="draft_tenant_newest"),
        ]

    def __str__(self) -> str:
        return f"Draft {self.reference or self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("orders:draft_open", args=[self.pk])


class AddressSaveStatus(models.TextChoices):
    # Waiting for its order to be sent, or for Clarus to be reachable again (next_attempt_at).
    WAITING = "waiting", "Waiting to be saved"
    SENDING = "sending", "Being saved"
    SAVED = "saved", "Saved in Clarus"
    REFUSED = "refused", "Refused by Clarus"
    # The request may have reached Clarus: never sent again by the desk (see services).
    UNKNOWN = "unknown", "No answer: it may be saved"


class AddressSave(models.Model):
    """The agent's "save for this customer": one Clarus delivery address per order, at most.

    One row per order (the one-to-one is what makes it once), sent after the order itself is
    sent, with the order's address as it went (orders.services.delivery_addresses).
    """

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="address_save")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    customer_id = models.BigIntegerField()
    # Clarus requires a code of at most 50 characters (CONTRACT.md §4): the desk's own, one per
    # order, so an address saved by the desk can be told apart in Clarus.
    code = models.CharField(max_length=50)
    status = models.CharField(
        max_length=10, choices=AddressSaveStatus.choices, default=AddressSaveStatus.WAITING
    )
    clarus_id = models.CharField(max_length=50, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    send_count = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=500, blank=True, default="")

    def __str__(self) -> str:
        return f"Address of {self.order} for customer {self.customer_id}"


class AddressSaveAttempt(AppendOnlyModel):
    """One request to Clarus to save an address, exactly as sent and answered."""

    address_save = models.ForeignKey(AddressSave, on_delete=models.PROTECT, related_name="attempts")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    method = models.CharField(max_length=10)
    url = models.URLField(max_length=500)
    # Authorization is stored redacted, as for every Clarus call (orders.clarus.redact_headers).
    request_headers = models.JSONField()
    request_body = models.TextField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(null=True, blank=True)
    response_body = models.TextField(blank=True, default="")
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"{self.address_save} at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.outcome}"


class AmendmentStatus(models.TextChoices):
    SENDING = "sending", "Being sent"
    APPLIED = "applied", "Applied in Clarus"
    REFUSED = "refused", "Refused by Clarus"
    FAILED = "failed", "Not taken: nothing changed"
    UNKNOWN = "unknown", "No answer from Clarus"
    CONFLICT = "conflict", "Not sent: the order had changed"
    ABANDONED = "abandoned", "Not sent: Clarus holds something else"


class OrderAmendment(models.Model):
    """One amendment of a sent order: the goods-out as it was read, as it was to become, and
    the request that asks Clarus for it. Its requests are the order's attempts."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="amendments")
    # The amend form's one-time token: a second POST of the same form never sends it twice.
    token = models.UUIDField(db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.SENDING
    )
    # The version of the goods-out the agent's form was filled from.
    base_version = models.CharField(max_length=64)
    # The goods-out as read and as amended, in the desk's words (orders.domain.standing_json).
    before = models.JSONField()
    after = models.JSONField()
    # The body of the PATCH, exactly as sent (and sent again, if it is).
    document = models.JSONField()
    # The order's version this made, when applied: the first send is version 1.
    version = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.order}: amendment {self.pk} ({self.status})"


class ApprovalRuleKind(models.TextChoices):
    """What an approval rule looks at (docs/approvals.md)."""

    LINES_OVER = "lines_over", "More than a number of lines"
    QUANTITY_OVER = "quantity_over", "Any line's quantity above a number"
    PRIORITY = "priority", "A chosen priority"
    DISPATCH_WITHIN = "dispatch_within", "Dispatch sooner than a number of hours from now"
    ACCOUNTS = "accounts", "Chosen accounts"
    CARRIER_SERVICE = "carrier_service", "A chosen carrier service"
    NEW_KEYER = "new_keyer", "The first orders someone keys"


class ApprovalRule(models.Model):
    """One approval rule of a tenant: what it says is its versions; ``current`` is the newest."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="approval_rules")
    created_at = models.DateTimeField(auto_now_add=True)
    current = models.ForeignKey(
        "ApprovalRuleVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.tenant}: rule {self.pk}"


class ApprovalRuleVersion(AppendOnlyModel):
    """One version of an approval rule, as a tenant admin saved it. Never changed: an edit, or
    switching the rule off or on, makes a new version, so an order held by it names the rule as
    it stood."""

    rule = models.ForeignKey(ApprovalRule, on_delete=models.PROTECT, related_name="versions")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=ApprovalRuleKind.choices)
    # The rule's number: lines, quantity, priority, hours or orders, as its kind says.
    number = models.PositiveIntegerField(null=True, blank=True)
    # The chosen accounts' or carrier services' Clarus ids.
    ids = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    # The rule in words, as the admin saw it when saving this version.
    wording = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("rule", "version")
        constraints = [
            models.UniqueConstraint(fields=("rule", "version"), name="approval_rule_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.wording} (version {self.version})"


class OrderHold(AppendOnlyModel):
    """An approval rule's version that held an order when it was sent, and why. Append-only."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="holds")
    rule_version = models.ForeignKey(
        ApprovalRuleVersion, on_delete=models.PROTECT, related_name="holds"
    )
    at = models.DateTimeField(db_index=True)
    why = models.CharField(max_length=300)

    class Meta:
        ordering = ("-at", "id")

    def __str__(self) -> str:
        return f"{self.order}: {self.why}"
