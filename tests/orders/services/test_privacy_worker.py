"""The delivery worker's sweep removes personal data past each tenant's retention period."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from orders.models import Order, Tenant
from tests.orders.people import ANN, footprint

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_the_worker_redacts_expired_orders_of_a_tenant_with_a_retention_period(make_tenant):
    tenant = make_tenant()
    keyer = User.objects.create_user("keyer")
    old = timezone.now() - timedelta(days=600)
    expired = footprint(tenant, keyer, ANN, reference="OLD", created_at=old, with_draft=False)
    recent = footprint(tenant, keyer, ANN, reference="NEW", with_draft=False)
    Tenant.objects.filter(pk=tenant.pk).update(retention_months=18)

    call_command("desk_worker", batch=True, interval=0.01)

    expired.refresh_from_db()
    recent.refresh_from_db()
    assert expired.personal_data_removed_at is not None
    assert expired.contact_email == ""
    assert expired.transitions.filter(actor="retention period").exists()
    assert recent.personal_data_removed_at is None
    assert Order.objects.filter(contact_email=ANN.email).get() == recent
