"""Drafts: the entry form saved as the agent types, resumed later, deleted when stale.

A draft is keyed by its form's token. Once an order has that token (it was sent, or saved and
waiting), the draft has done its work: saving it again does nothing and the draft goes. Sending
a draft goes through ``order_submit`` with the same token, so however many tabs or autosaves race
the send, there is one order (``orders.services.submission``).

Drafts hold callers' personal data: nothing here logs them.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from orders import permissions
from orders.models import Draft, Membership, Order, Tenant
from orders.rows import rows_delete


def draft_save(
    *,
    user: User,
    memberships: Sequence[Membership],
    tenant: Tenant,
    form_token: uuid.UUID,
    form_data: dict[str, list[str]],
    reference: str,
    summary: str,
) -> Draft | None:
    """Keep the entry form as it is now; None when its order exists already (nothing kept).

    Only whoever started the draft, or a supervisor of its tenant, may save over it, and only in
    its own tenant (PermissionDenied otherwise).
    """
    now = timezone.now()
    fields = {
        "form_data": form_data,
        "reference": reference[:50],
        "summary": summary[:200],
        "updated_at": now,
    }
    with transaction.atomic():
        if Order.objects.filter(form_token=form_token).exists():
            Draft.objects.filter(form_token=form_token).delete()
            return None
        draft = Draft.objects.select_for_update().filter(form_token=form_token).first()
        if draft is None:
            try:
                with transaction.atomic():
                    return Draft.objects.create(
                        tenant=tenant, created_by=user, form_token=form_token, **fields
                    )
            except IntegrityError:
                # Two saves of a new form at once: the other one made it; save over it.
                draft = Draft.objects.select_for_update().get(form_token=form_token)
        if draft.tenant_id != tenant.pk or not (
            draft.created_by_id == user.pk
            or permissions.supervises(memberships=memberships, tenant_id=draft.tenant_id)
        ):
            raise PermissionDenied("This draft is someone else's.")
        for name, value in fields.items():
            setattr(draft, name, value)
        draft.save(update_fields=list(fields))
    return draft


def drafts_discard(*, form_token: uuid.UUID) -> int:
    """Delete the draft of a form whose order now exists; return how many went (0 or 1)."""
    # Nothing refers to a draft: one DELETE, without collecting what would cascade.
    return rows_delete(Draft, "form_token", form_token)


def draft_delete(*, draft: Draft) -> None:
    """Delete a draft the agent no longer wants."""
    draft.delete()


def drafts_purge(*, now: datetime | None = None) -> int:
    """Delete drafts untouched for DESK_DRAFT_DAYS, and those whose order exists; return how many.

    Run by the delivery worker's sweep (``orders.tasks``).
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.DESK_DRAFT_DAYS)
    stale, _ = Draft.objects.filter(updated_at__lt=cutoff).delete()
    sent, _ = Draft.objects.filter(
        Exists(Order.objects.filter(form_token=OuterRef("form_token")))
    ).delete()
    return stale + sent
