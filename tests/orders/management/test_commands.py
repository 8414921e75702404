import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from orders.clarus.http import rest_url
from orders.models import AuthFlow, Membership, Role, Tenant


def run(command, **options):
    out = io.StringIO()
    call_command(command, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


TENANT = {
    "subdomain": "acme",
    "base_url": "https://clarus.example",
    "token_url": "https://clarus.example/oauth/token",
    "client_id": "desk",
    "client_secret": "secret-1",
}


def test_clarus_tenant_creates_then_updates(db):
    assert "Created tenant acme" in run("clarus_tenant", **TENANT, name="Acme")
    Tenant.objects.filter(subdomain="acme").update(refresh_token="")
    tenant = Tenant.objects.get()
    tenant.access_token = "kept-token"
    tenant.save()

    output = run("clarus_tenant", **TENANT)

    tenant.refresh_from_db()
    assert "Updated tenant acme (Acme)" in output
    assert tenant.access_token == "kept-token"
    assert "secret-1" not in output


def test_clarus_tenant_new_credentials_drop_the_tokens(db):
    run("clarus_tenant", **TENANT)
    Tenant.objects.filter(subdomain="acme").update(access_token="old")

    run("clarus_tenant", **{**TENANT, "client_secret": "secret-2"})

    tenant = Tenant.objects.get()
    assert tenant.access_token == ""
    assert tenant.client_secret == "secret-2"


def test_clarus_tenant_authorization_code_needs_a_sign_in_address(db):
    with pytest.raises(CommandError, match="authorize-url"):
        run("clarus_tenant", **TENANT, flow=AuthFlow.AUTHORIZATION_CODE)

    run(
        "clarus_tenant",
        **TENANT,
        flow=AuthFlow.AUTHORIZATION_CODE,
        authorize_url="https://clarus.example/oauth/authorize",
        path_prefix="/api/v1",
    )

    tenant = Tenant.objects.get()
    assert tenant.auth_flow == AuthFlow.AUTHORIZATION_CODE
    assert rest_url(tenant, "goods_outs") == "https://clarus.example/api/v1/goods_outs"


def test_clarus_staff_adds_a_login_with_a_role(db, monkeypatch):
    run("clarus_tenant", **TENANT)
    monkeypatch.setenv("DESK_STAFF_PASSWORD", "a-long-pass-phrase")

    output = run("clarus_staff", tenant="acme", username="jo", role=Role.SUPERVISOR)
    run("clarus_staff", tenant="acme", username="jo", role=Role.AGENT)

    user = User.objects.get(username="jo")
    assert "jo is Supervisor in acme" in output
    assert user.check_password("a-long-pass-phrase")
    assert Membership.objects.get(user=user).role == Role.AGENT


def test_clarus_staff_needs_a_known_tenant(db):
    with pytest.raises(CommandError, match="No tenant"):
        run("clarus_staff", tenant="nowhere", username="jo", role=Role.AGENT)


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("agent\u200b", "invisible or control characters"),
        ("\u0430gent", "cannot mix alphabets"),
        ("jo smith", "cannot contain spaces"),
    ],
)
def test_clarus_staff_refuses_names_that_pass_for_another(db, username, message):
    run("clarus_tenant", **TENANT)

    with pytest.raises(CommandError, match=message):
        run("clarus_staff", tenant="acme", username=username, role=Role.AGENT)

    assert not User.objects.exists()


def test_clarus_staff_takes_any_form_of_a_name_as_that_login(db):
    run("clarus_tenant", **TENANT)
    run("clarus_staff", tenant="acme", username="agent", role=Role.AGENT)
    full_width = "\uff41\uff47\uff45\uff4e\uff54"

    output = run("clarus_staff", tenant="acme", username=full_width, role=Role.SUPERVISOR)

    assert "agent is Supervisor in acme" in output
    assert list(User.objects.values_list("username", flat=True)) == ["agent"]
    assert Membership.objects.get().role == Role.SUPERVISOR
