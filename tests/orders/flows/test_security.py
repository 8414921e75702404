"""Login hardening, production settings, the content security policy, and secrets at rest."""

import io
import os
import secrets
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from orders.models import (
    ApprovalRuleKind,
    Draft,
    Membership,
    Order,
    OrderStatus,
    Role,
    StaffInvitation,
    Tenant,
)
from orders.services.approvals import RuleTerms, approval_rule_save
from tests.orders.views.test_access import OTHER_TENANT_PAGES, ROLE_PAGES, desk_url_names

PROJECT = Path(__file__).resolve().parents[3]


def test_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DESK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "desk.example.com",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_an_encryption_key():
    env = {**os.environ, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(64)}
    env.pop("DESK_ENCRYPTION_KEYS", None)

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT, env=env, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "DESK_ENCRYPTION_KEYS must be set" in result.stderr


def test_pages_carry_a_strict_content_security_policy(agent_client, agent, make_tenant):
    Membership.objects.create(user=agent, tenant=make_tenant(), role=Role.AGENT)

    response = agent_client.get(reverse("orders:create"))

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.fixture
def login_user(db):
    from django.contrib.auth.models import User

    return User.objects.create_user("clerk", password="right-password-123")


def test_repeated_wrong_passwords_lock_the_login(client, login_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "clerk", "password": "wrong"})

    response = client.post(
        reverse("login"), {"username": "clerk", "password": "right-password-123"}
    )

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_right_password_signs_in_before_the_limit(client, login_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "clerk", "password": "wrong"})

    response = client.post(
        reverse("login"), {"username": "clerk", "password": "right-password-123"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(login_user.pk)


def test_an_idle_session_ends(agent_client, agent, make_tenant, settings):
    Membership.objects.create(user=agent, tenant=make_tenant(), role=Role.AGENT)
    assert agent_client.get(reverse("orders:create")).status_code == 200
    assert "clarus_admin.middleware.session_renewal" in settings.MIDDLEWARE

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = agent_client.get(reverse("orders:create"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_weak_passwords_are_refused(settings):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("password")
    with pytest.raises(ValidationError):
        validate_password("12345678901")


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_secrets_are_encrypted_at_rest(make_tenant):
    tenant = make_tenant(client_secret="plain-secret-value", refresh_token="refresh-value")
    Tenant.objects.filter(pk=tenant.pk).update(access_token="access-value")

    stored = {
        column: raw_column("orders_tenant", column, tenant.pk)
        for column in ("client_secret", "access_token", "refresh_token")
    }

    assert "plain-secret-value" not in stored["client_secret"]
    assert "access-value" not in stored["access_token"]
    assert "refresh-value" not in stored["refresh_token"]
    tenant.refresh_from_db()
    assert tenant.client_secret == "plain-secret-value"
    assert tenant.access_token == "access-value"


def test_key_rotation_re_encrypts_under_the_new_key(make_tenant, settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.DESK_ENCRYPTION_KEYS = [old_key]
    tenant = make_tenant(client_secret="rotate-me")
    under_old = raw_column("orders_tenant", "client_secret", tenant.pk)

    settings.DESK_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    settings.DESK_ENCRYPTION_KEYS = [new_key]

    tenant.refresh_from_db()
    assert tenant.client_secret == "rotate-me"
    assert raw_column("orders_tenant", "client_secret", tenant.pk) != under_old


def test_a_missing_key_is_a_clear_error(make_tenant, settings):
    tenant = make_tenant(client_secret="lost")
    settings.DESK_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(Exception, match="cannot be decrypted"):
        Tenant.objects.get(pk=tenant.pk)


# Who opens each desk page in the no-store walk: someone the page is for, in their own tenant.
PAGE_ROLES = {
    **dict.fromkeys(ROLE_PAGES | OTHER_TENANT_PAGES, Role.SUPERVISOR),
    "tenants:settings": Role.TENANT_ADMIN,
    "tenants:staff": Role.TENANT_ADMIN,
    "tenants:test": Role.TENANT_ADMIN,
    "tenants:connect": Role.TENANT_ADMIN,
    "tenants:callback": Role.TENANT_ADMIN,
    "tenants:staff_update": Role.TENANT_ADMIN,
    "tenants:staff_accounts": Role.TENANT_ADMIN,
    "tenants:staff_create": Role.TENANT_ADMIN,
    "tenants:invitation_revoke": Role.TENANT_ADMIN,
    "tenants:webhook_rotate": Role.TENANT_ADMIN,
    "tenants:approval_rules": Role.TENANT_ADMIN,
    "tenants:approval_settings": Role.TENANT_ADMIN,
    "tenants:approval_rule_update": Role.TENANT_ADMIN,
    "tenants:approval_rule_switch": Role.TENANT_ADMIN,
    "tenants:retention": Role.TENANT_ADMIN,
}


@pytest.fixture
def own_tenant(make_tenant):
    """Return a tenant with an order full of personal data, and its staff by role."""
    # Nothing listens there: the pages that ask Clarus are refused at once.
    tenant = make_tenant(
        api_base_url="http://127.0.0.1:9", token_url="http://127.0.0.1:9/oauth/token"
    )
    staff = {}
    for role in (Role.AGENT, Role.SUPERVISOR, Role.TENANT_ADMIN):
        staff[role] = User.objects.create_user(f"{role}-user")
        Membership.objects.create(user=staff[role], tenant=tenant, role=role)
    personal = {
        "account_id": 7,
        "postcode": "LS1 4AP",
        "contact_email": "jo@example.com",
        "contact_name": "JO BLOGGS",
        "address": {
            "name": "Jo Bloggs",
            "address_1": "1 High Street",
            "postcode": "LS1 4AP",
            "email_address": "jo@example.com",
        },
    }
    sent = Order.objects.create(
        tenant=tenant,
        created_by=staff[Role.AGENT],
        reference="SENT-1",
        status=OrderStatus.SENT,
        clarus_id=41,
        **personal,
    )
    rejected = Order.objects.create(
        tenant=tenant,
        created_by=staff[Role.AGENT],
        reference="REJ-1",
        status=OrderStatus.REJECTED,
        **personal,
    )
    return tenant, staff, sent, rejected


def own_draft(tenant, staff):
    """Return the id of a new draft of the tenant's agent, full of personal data."""
    draft = Draft.objects.create(
        tenant=tenant,
        created_by=staff[Role.AGENT],
        form_token=uuid.uuid4(),
        form_data={"reference": ["DRAFT-1"], "delivery_name": ["Jo Bloggs"]},
        updated_at=timezone.now(),
    )
    return draft.pk


def desk_request(name, own_tenant):
    """Return the method, URL and data that open ``name`` in the user's own tenant."""
    tenant, staff, sent, rejected = own_tenant
    agent_membership = Membership.objects.get(user=staff[Role.AGENT])
    if name.startswith("invitations:") and name != "invitations:list":
        inviting = Tenant.objects.create(
            name="Inviting 3PL", subdomain=f"inviting-{name.split(':')[1]}"
        )
        invitation = StaffInvitation.objects.create(
            tenant=inviting,
            username=staff[PAGE_ROLES[name]].username,
            invitee=staff[PAGE_ROLES[name]],
            role=Role.AGENT,
            expires_at=timezone.now() + timedelta(days=1),
        )
        return "post", reverse(name, args=[invitation.pk]), None
    if name == "tenants:invitation_revoke":
        invitation = StaffInvitation.objects.create(
            tenant=tenant,
            username="someone",
            role=Role.AGENT,
            expires_at=timezone.now() + timedelta(days=1),
        )
        return "post", reverse(name, args=[invitation.pk]), None
    by_name = {
        # A sent order is not sent again, and a cancel without a reason asks no one.
        "orders:detail": (reverse("orders:detail", args=[sent.pk]), None),
        "orders:resend": (reverse("orders:resend", args=[sent.pk]), None),
        "orders:correct": (reverse("orders:correct", args=[rejected.pk]), None),
        "orders:copy": (reverse("orders:copy", args=[sent.pk]), None),
        "orders:cancel": (reverse("orders:cancel", args=[sent.pk]), {"reason": ""}),
        "orders:clarus_status": (reverse("orders:clarus_status", args=[sent.pk]), None),
        # Clarus cannot be reached here: the page says so, and no amendment waits to be checked.
        "orders:amend": (reverse("orders:amend", args=[sent.pk]), None),
        "orders:amend_check": (reverse("orders:amend_check", args=[sent.pk]), None),
        "tenants:staff_update": (
            reverse("tenants:staff_update", args=[agent_membership.pk]),
            {"role": "agent"},
        ),
        "tenants:staff_accounts": (
            reverse("tenants:staff_accounts", args=[agent_membership.pk]),
            None,
        ),
        "tenants:switch": (reverse("tenants:switch"), {"tenant": str(tenant.pk)}),
        "orders:line_row": (reverse("orders:line_row"), {"lines-TOTAL_FORMS": "1"}),
        "orders:caller_lines": (
            reverse("orders:caller_lines", args=[sent.pk]),
            {"lines-TOTAL_FORMS": "1"},
        ),
        "orders:draft_open": (reverse("orders:draft_open", args=[own_draft(tenant, staff)]), None),
        "orders:draft_delete": (
            reverse("orders:draft_delete", args=[own_draft(tenant, staff)]),
            None,
        ),
        "orders:paste_lines": (reverse("orders:paste_lines"), {"lines-TOTAL_FORMS": "1"}),
        # An earlier order named beside the reference box, with a link to it.
        "orders:reference_check": (
            reverse("orders:reference_check"),
            {"reference": "sent-1", "tenant": str(tenant.pk)},
        ),
        # A sent order is decided already: nothing is approved, refused or withdrawn.
        "orders:decide": (reverse("orders:decide", args=[sent.pk]), None),
        "orders:approve": (reverse("orders:approve", args=[sent.pk]), None),
        "orders:refuse": (reverse("orders:refuse", args=[sent.pk]), {"reason": "No"}),
        "orders:withdraw": (reverse("orders:withdraw", args=[sent.pk]), None),
        # The file of what is held about a person is personal data itself.
        "orders:privacy": (f"{reverse('orders:privacy')}?email=jo@example.com", None),
        "orders:privacy_export": (
            f"{reverse('orders:privacy_export')}?email=jo@example.com",
            None,
        ),
        "orders:privacy_erase": (
            reverse("orders:privacy_erase"),
            {"email": "jo@example.com", "reason": "Asked on the phone"},
        ),
    }
    if name in ("tenants:approval_rule_update", "tenants:approval_rule_switch"):
        rule = approval_rule_save(
            tenant=tenant,
            user=staff[Role.TENANT_ADMIN],
            terms=RuleTerms(kind=ApprovalRuleKind.LINES_OVER, number=5),
        )
        by_name[name] = (reverse(name, args=[rule.pk]), {"kind": "lines_over", "number": "7"})
    url, data = by_name[name] if name in by_name else (reverse(name), None)
    method = (ROLE_PAGES | OTHER_TENANT_PAGES)[name][0]
    return method, url, data


def test_the_no_store_walk_covers_every_desk_url():
    assert desk_url_names() == set(PAGE_ROLES)


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("name", sorted(PAGE_ROLES))
def test_no_desk_page_is_kept_in_a_cache(client, own_tenant, name, htmx):
    _tenant, staff, *_ = own_tenant
    client.force_login(staff[PAGE_ROLES[name]])
    method, url, data = desk_request(name, own_tenant)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    response = getattr(client, method)(url, data or {}, **headers)

    assert response.status_code < 400, (response.status_code, url)
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_a_page_with_an_order_on_it_is_no_store(client, own_tenant):
    _tenant, staff, sent, _rejected = own_tenant
    client.force_login(staff[Role.SUPERVISOR])

    response = client.get(reverse("orders:detail", args=[sent.pk]))

    assert "Jo Bloggs" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    ["/login/", "/no-such-page/", "/admin/login/", "/orders/999999/"],
)
def test_signed_out_and_missing_pages_are_no_store_too(client, path):
    response = client.get(path)

    assert "no-store" in response["Cache-Control"]


def test_the_sandbox_and_static_files_keep_their_own_caching(client, own_tenant, settings):
    _tenant, staff, *_ = own_tenant
    client.force_login(staff[Role.SUPERVISOR])

    sandbox = client.get(reverse("sandbox:goods_out_list"))
    static = client.get(f"/{settings.STATIC_URL.lstrip('/')}orders/missing.js")

    assert sandbox.status_code == 200
    assert "no-store" not in sandbox.get("Cache-Control", "")
    assert "no-store" not in static.get("Cache-Control", "")
