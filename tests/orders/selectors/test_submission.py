"""What a submit reads first: the form's order, if any, and whether the tenant has rules on."""

import uuid

import pytest
from django.contrib.auth.models import User

from orders.models import ApprovalRuleKind, Order
from orders.selectors.approvals import approval_rules_active
from orders.selectors.submission import submission_start
from orders.services.approvals import RuleTerms, approval_rule_save, approval_rule_switch

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def admin(db):
    return User.objects.create_user("admin")


def rule(tenant, user, *, active=True):
    terms = RuleTerms(kind=ApprovalRuleKind.LINES_OVER, number=3, ids=())
    return approval_rule_save(tenant=tenant, user=user, terms=terms, active=active)


def test_a_new_form_has_no_order_and_a_used_one_has_its_own(make_tenant, admin):
    tenant = make_tenant()
    used = Order.objects.create(tenant=tenant, created_by=admin, reference="R-1", account_id=1)

    assert submission_start(form_token=uuid.uuid4(), tenant_id=tenant.pk).order_id is None
    assert submission_start(form_token=used.form_token, tenant_id=tenant.pk).order_id == used.pk


def test_rules_apply_as_approval_rules_active_reads_them(make_tenant, admin):
    """Only the tenant's own rules, and only those whose current version is switched on: the
    same rules the hold then checks."""
    tenant, other = make_tenant(), make_tenant(subdomain="other", name="Other")

    def says() -> tuple[bool, bool]:
        start = submission_start(form_token=uuid.uuid4(), tenant_id=tenant.pk)
        return start.rules_active, bool(approval_rules_active(tenant_id=tenant.pk))

    assert says() == (False, False)
    rule(other, admin)
    assert says() == (False, False)
    rule(tenant, admin, active=False)
    assert says() == (False, False)
    on = rule(tenant, admin)
    assert says() == (True, True)
    approval_rule_switch(tenant=tenant, user=admin, rule=on, active=False)
    assert says() == (False, False)
