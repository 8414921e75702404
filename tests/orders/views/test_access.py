"""Every URL of the desk, walked by every role with ids from another tenant."""

import uuid

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from orders.models import (
    ApprovalRule,
    ApprovalRuleKind,
    Draft,
    InvitationStatus,
    Membership,
    Order,
    OrderStatus,
    Role,
)
from orders.services.approvals import RuleTerms, approval_rule_save
from orders.services.staff import staff_invite

HTMX = {"HTTP_HX_REQUEST": "true"}
# URL namespaces that are not the desk's own pages: Django admin (superusers only, checked
# below), the sandbox (the Clarus stand-in), and sign-in.
NOT_DESK = {"admin", "sandbox"}
# The webhook receiver is Clarus's, not staff's: its secret address is its check
# (tests/orders/flows/test_webhooks.py). The probes and /metrics are for the machines that run the
# desk (tests/orders/views/test_health.py, test_metrics.py).
NOT_DESK_NAMES = {"login", "logout", "clarus_webhook", "healthz", "readyz", "metrics", None}

# Pages without an id: what each role gets in its own tenant. 2xx/3xx means allowed.
ROLE_PAGES = {
    # name: (method, agent, supervisor, tenant admin)
    "orders:create": ("get", 200, 200, 403),
    "orders:line_row": ("get", 200, 200, 403),
    "orders:dispatch_date": ("get", 200, 200, 403),
    # An earlier order with the reference being keyed: only in a tenant one keys for.
    "orders:reference_check": ("get", 200, 200, 403),
    "orders:paste_lines": ("post", 200, 200, 403),
    # Lookups by code or name: fragments and pages for those who key orders.
    "orders:lookup_accounts": ("get", 200, 200, 403),
    "orders:lookup_customers": ("get", 200, 200, 403),
    "orders:lookup_carriers": ("get", 200, 200, 403),
    "orders:lookup_products": ("get", 200, 200, 403),
    "orders:lookup_warehouses": ("get", 200, 200, 403),
    "orders:lookup_carrier_services": ("get", 200, 200, 403),
    "orders:lookup_order_types": ("get", 200, 200, 403),
    "orders:lookup_refresh": ("post", 200, 200, 403),
    "orders:list": ("get", 200, 200, 403),
    # Who is calling, and drafts: for those who key orders.
    "orders:caller_search": ("get", 200, 200, 403),
    "orders:caller_panel": ("get", 200, 200, 403),
    "orders:caller_addresses": ("get", 200, 200, 403),
    "orders:draft_save": ("post", 200, 200, 403),
    "orders:drafts": ("get", 200, 200, 403),
    "orders:export": ("get", 200, 200, 403),
    # The supervisors' dashboard: supervisors only.
    "orders:dashboard": ("get", 403, 200, 403),
    # A person's personal data: supervisors only (an empty search or erasure is a 400 with its
    # message). Another tenant's people are never found (tests/orders/views/test_privacy.py).
    "orders:privacy": ("get", 403, 200, 403),
    "orders:privacy_export": ("get", 403, 400, 403),
    "orders:privacy_erase": ("post", 403, 400, 403),
    "home": ("get", 302, 302, 302),
    "tenants:settings": ("get", 403, 403, 200),
    "tenants:staff": ("get", 403, 403, 200),
    # An empty new-login form comes back with its errors.
    "tenants:staff_create": ("post", 403, 403, 200),
    # One's own invitations: any signed-in user.
    "invitations:list": ("get", 200, 200, 200),
    # One's own password: any signed-in user.
    "password_change": ("get", 200, 200, 200),
    "tenants:test": ("post", 403, 403, 302),
    "tenants:connect": ("post", 403, 403, 302),
    "tenants:callback": ("get", 403, 403, 302),
    "tenants:webhook_rotate": ("post", 403, 403, 302),
    # Approvals: the queue for supervisors and tenant admins, the rules for tenant admins (an
    # empty new rule comes back with its errors, 400).
    "orders:approvals": ("get", 403, 200, 200),
    "tenants:approval_rules": ("get", 403, 403, 200),
    "tenants:approval_settings": ("post", 403, 403, 302),
    "tenants:retention": ("post", 403, 403, 302),
}
THEIR_ACCOUNTS = [{"id": 7, "code": "SEVEN", "name": "Seven Ltd"}]

# Pages about one object, given another tenant's object: never found, or refused by role first.
OTHER_TENANT_PAGES = {
    "orders:detail": ("get", 404, 404, 404),
    "orders:resend": ("post", 404, 404, 404),
    "orders:correct": ("get", 404, 404, 404),
    "orders:copy": ("get", 404, 404, 404),
    "orders:cancel": ("post", 404, 404, 404),
    "orders:clarus_status": ("get", 404, 404, 404),
    "orders:caller_lines": ("get", 404, 404, 403),
    # A draft not one's own to resume leads to a new order, as a deleted or sent one does:
    # nothing tells them apart.
    "orders:draft_open": ("get", 302, 302, 403),
    "orders:draft_delete": ("post", 404, 404, 403),
    # Amending another tenant's order: never found, let alone sent to Clarus.
    "orders:amend": ("get", 404, 404, 404),
    "orders:amend_check": ("post", 404, 404, 404),
    "tenants:staff_update": ("post", 403, 403, 404),
    "tenants:staff_accounts": ("post", 403, 403, 404),
    "tenants:switch": ("post", 404, 404, 404),
    # Another tenant's invitation, to another login: neither withdrawn nor answered.
    "tenants:invitation_revoke": ("post", 403, 403, 404),
    "invitations:accept": ("post", 404, 404, 404),
    "invitations:decline": ("post", 404, 404, 404),
    # Deciding on another tenant's held order, withdrawing it, or touching its rules: never
    # found (or refused by role first).
    "orders:decide": ("get", 404, 404, 404),
    "orders:approve": ("post", 404, 404, 404),
    "orders:refuse": ("post", 404, 404, 404),
    "orders:withdraw": ("post", 404, 404, 404),
    "tenants:approval_rule_update": ("post", 403, 403, 404),
    "tenants:approval_rule_switch": ("post", 403, 403, 404),
}
ROLES = (Role.AGENT, Role.SUPERVISOR, Role.TENANT_ADMIN)


def desk_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str | None]:
    names: set[str | None] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in NOT_DESK:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= desk_url_names(entry, inner)
        elif isinstance(entry, URLPattern):
            names.add(f"{namespace}{entry.name}" if entry.name else None)
    return names - NOT_DESK_NAMES


def test_every_desk_url_is_in_the_walk():
    assert desk_url_names() == set(ROLE_PAGES) | set(OTHER_TENANT_PAGES)


@pytest.fixture
def two_tenants(make_tenant):
    mine = make_tenant(subdomain="mine", name="Mine")
    other = make_tenant(subdomain="other", name="Other")
    stranger = User.objects.create_user("stranger")
    # Limited to one account: emptying the list (every account) is what a stranger would do.
    Membership.objects.create(
        user=stranger, tenant=other, role=Role.TENANT_ADMIN, accounts=THEIR_ACCOUNTS
    )
    other_order = Order.objects.create(
        tenant=other, created_by=stranger, reference="THEIRS-1", account_id=1, postcode="ZZ1 1ZZ"
    )
    other_member = Membership.objects.get(user=stranger)
    Draft.objects.create(
        tenant=other,
        created_by=stranger,
        form_token=uuid.uuid4(),
        form_data={"reference": ["THEIRS-2"]},
        updated_at=timezone.now(),
    )
    # A held order of the other tenant, and a rule of theirs.
    other_order.status = OrderStatus.DECLINED
    other_order.save()
    approval_rule_save(
        tenant=other,
        user=stranger,
        terms=RuleTerms(kind=ApprovalRuleKind.LINES_OVER, number=1),
    )
    return mine, other, other_order, other_member


@pytest.fixture
def other_invitation(two_tenants):
    _mine, other, _order, other_member = two_tenants
    User.objects.create_user("invited-elsewhere")
    return staff_invite(
        tenant=other, username="invited-elsewhere", role=Role.AGENT, invited_by=other_member.user
    )


def member_client(client, tenant, role):
    user = User.objects.create_user(f"{role}-user")
    Membership.objects.create(user=user, tenant=tenant, role=role)
    client.force_login(user)
    return client


def call(client, method, url, data=None):
    return getattr(client, method)(url, data or {}, **HTMX)


@pytest.mark.parametrize("role_index", range(3), ids=[role.value for role in ROLES])
@pytest.mark.parametrize("name", sorted(ROLE_PAGES))
def test_role_pages(client, two_tenants, name, role_index):
    mine, *_ = two_tenants
    method, *expected = ROLE_PAGES[name]
    client = member_client(client, mine, ROLES[role_index])
    line_rows = name in ("orders:line_row", "orders:paste_lines")
    data = {"lines-TOTAL_FORMS": "1"} if line_rows else None

    response = call(client, method, reverse(name), data)

    assert response.status_code == expected[role_index]


@pytest.mark.parametrize("role_index", range(3), ids=[role.value for role in ROLES])
@pytest.mark.parametrize("name", sorted(OTHER_TENANT_PAGES))
def test_other_tenants_objects_are_out_of_reach(
    client, two_tenants, other_invitation, name, role_index
):
    mine, other, other_order, other_member = two_tenants
    other_rule = ApprovalRule.objects.get(tenant=other)
    method, *expected = OTHER_TENANT_PAGES[name]
    client = member_client(client, mine, ROLES[role_index])
    url, data = {
        "orders:detail": lambda: (reverse(name, args=[other_order.pk]), None),
        "orders:resend": lambda: (reverse(name, args=[other_order.pk]), None),
        "orders:correct": lambda: (reverse(name, args=[other_order.pk]), None),
        "orders:copy": lambda: (reverse(name, args=[other_order.pk]), None),
        "orders:cancel": lambda: (reverse(name, args=[other_order.pk]), {"reason": "x"}),
        "orders:clarus_status": lambda: (reverse(name, args=[other_order.pk]), None),
        "orders:caller_lines": lambda: (
            reverse(name, args=[other_order.pk]),
            {"lines-TOTAL_FORMS": "1", "tenant": str(other.pk)},
        ),
        "orders:draft_open": lambda: (reverse(name, args=[Draft.objects.get().pk]), None),
        "orders:draft_delete": lambda: (reverse(name, args=[Draft.objects.get().pk]), None),
        "orders:amend": lambda: (reverse(name, args=[other_order.pk]), None),
        "orders:amend_check": lambda: (reverse(name, args=[other_order.pk]), None),
        "tenants:staff_update": lambda: (reverse(name, args=[other_member.pk]), {"role": "agent"}),
        "tenants:staff_accounts": lambda: (reverse(name, args=[other_member.pk]), {"codes": ""}),
        "tenants:switch": lambda: (reverse(name), {"tenant": str(other.pk)}),
        "tenants:invitation_revoke": lambda: (reverse(name, args=[other_invitation.pk]), None),
        "invitations:accept": lambda: (reverse(name, args=[other_invitation.pk]), None),
        "invitations:decline": lambda: (reverse(name, args=[other_invitation.pk]), None),
        "orders:decide": lambda: (reverse(name, args=[other_order.pk]), None),
        "orders:approve": lambda: (reverse(name, args=[other_order.pk]), None),
        "orders:refuse": lambda: (reverse(name, args=[other_order.pk]), {"reason": "no"}),
        "orders:withdraw": lambda: (reverse(name, args=[other_order.pk]), None),
        "tenants:approval_rule_update": lambda: (
            reverse(name, args=[other_rule.pk]),
            {"kind": "lines_over", "number": "99"},
        ),
        "tenants:approval_rule_switch": lambda: (reverse(name, args=[other_rule.pk]), None),
    }[name]()

    response = call(client, method, url, data)

    assert response.status_code == expected[role_index]
    other_member.refresh_from_db()
    assert other_member.role == Role.TENANT_ADMIN
    assert other_member.accounts == THEIR_ACCOUNTS
    other_invitation.refresh_from_db()
    assert other_invitation.status == InvitationStatus.PENDING
    assert not Membership.objects.filter(tenant=other, user__username="invited-elsewhere").exists()
    assert Draft.objects.filter(tenant=other).count() == 1
    other_order.refresh_from_db()
    assert other_order.status == OrderStatus.DECLINED
    assert other_rule.versions.count() == 1


@pytest.mark.parametrize("role_index", range(2), ids=[role.value for role in ROLES[:2]])
@pytest.mark.parametrize("typed", ["THEIRS-1", "theirs-1"])
def test_the_reference_check_never_tells_of_another_tenants_order(
    client, two_tenants, role_index, typed
):
    mine, other, other_order, _member = two_tenants
    client = member_client(client, mine, ROLES[role_index])
    url = reverse("orders:reference_check")

    in_mine = call(client, "get", url, {"reference": typed, "tenant": str(mine.pk)})
    current = call(client, "get", url, {"reference": typed})
    named_other = call(client, "get", url, {"reference": typed, "tenant": str(other.pk)})

    assert in_mine.status_code == current.status_code == 200
    assert in_mine.content.strip() == current.content.strip() == b""
    assert named_other.status_code == 403
    for response in (in_mine, current, named_other):
        page = response.content.decode()
        assert "THEIRS" not in page.upper()
        assert f"/orders/{other_order.pk}/" not in page
        assert "stranger" not in page


def test_agents_see_only_their_own_orders_and_supervisors_all(client, make_tenant):
    tenant = make_tenant()
    agent, colleague, supervisor = (User.objects.create_user(n) for n in ("a", "b", "s"))
    for user, role in ((agent, Role.AGENT), (colleague, Role.AGENT), (supervisor, Role.SUPERVISOR)):
        Membership.objects.create(user=user, tenant=tenant, role=role)
    theirs = Order.objects.create(
        tenant=tenant, created_by=colleague, reference="B-1", account_id=1
    )
    mine = Order.objects.create(tenant=tenant, created_by=agent, reference="A-1", account_id=1)

    client.force_login(agent)
    listing = client.get(reverse("orders:list")).content.decode()
    assert "A-1" in listing
    assert "B-1" not in listing
    assert client.get(reverse("orders:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("orders:detail", args=[mine.pk])).status_code == 200

    client.force_login(supervisor)
    listing = client.get(reverse("orders:list")).content.decode()
    assert "A-1" in listing
    assert "B-1" in listing
    assert client.get(reverse("orders:detail", args=[theirs.pk])).status_code == 200


def test_lists_show_only_the_current_tenant(client, make_tenant):
    first, second = (
        make_tenant(subdomain="one", name="One"),
        make_tenant(subdomain="two", name="Two"),
    )
    supervisor = User.objects.create_user("s")
    for tenant in (first, second):
        Membership.objects.create(user=supervisor, tenant=tenant, role=Role.SUPERVISOR)
        Order.objects.create(
            tenant=tenant, created_by=supervisor, reference=f"REF-{tenant.name}", account_id=1
        )
    client.force_login(supervisor)

    assert "REF-One" in client.get(reverse("orders:list")).content.decode()
    client.post(
        reverse("tenants:switch"), {"tenant": str(second.pk), "next": reverse("orders:list")}
    )
    listing = client.get(reverse("orders:list")).content.decode()

    assert "REF-Two" in listing
    assert "REF-One" not in listing


def test_switching_tenant_persists_for_the_session(client, make_tenant):
    first, second = (
        make_tenant(subdomain="one", name="One"),
        make_tenant(subdomain="two", name="Two"),
    )
    agent = User.objects.create_user("a")
    for tenant in (first, second):
        Membership.objects.create(user=agent, tenant=tenant, role=Role.AGENT)
    client.force_login(agent)

    response = client.post(
        reverse("tenants:switch"), {"tenant": str(second.pk), "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("home")
    page = client.get(reverse("orders:create")).content.decode()
    # Both the header's switcher and the order's tenant choice start on the chosen tenant.
    assert f'<option value="{second.pk}" selected>Two (two), agent</option>' in page
    assert f'<option value="{second.pk}" selected>Two</option>' in page


@pytest.mark.parametrize("role", ROLES)
def test_tenant_roles_never_reach_django_admin(client, make_tenant, role):
    client = member_client(client, make_tenant(), role)

    response = client.get("/admin/orders/order/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
