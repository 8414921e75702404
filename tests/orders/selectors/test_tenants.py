"""The signed-in read (the user with their memberships and tenants, one statement written as SQL)
returns what the ORM's reads return."""

import pickle
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders import crypto
from orders.models import Membership, Role, Tenant
from orders.selectors.tenants import membership_list_for_user, user_with_memberships

pytestmark = pytest.mark.postgres


def fields(instance: Any) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_user_and_memberships_are_those_the_orm_reads(agent, make_tenant):
    now = timezone.now()
    User.objects.filter(pk=agent.pk).update(last_login=now, first_name="Ada", is_staff=True)
    names = ["borealis", "Acme 3PL", "Zeta", "acme 3pl", "Ärger Freight"]
    for number, name in enumerate(names):
        tenant = make_tenant(name=name, subdomain=f"t{number}", retention_months=number or None)
        Membership.objects.create(
            user=agent,
            tenant=tenant,
            role=[Role.AGENT, Role.SUPERVISOR, Role.TENANT_ADMIN][number % 3],
            last_used_at=now - timedelta(days=number) if number % 2 else None,
        )
    Tenant.objects.filter(subdomain="t1").update(
        needs_reconnect=True, lookups_version=2**40, access_token_expires_at=now
    )
    # Another user's membership is not the agent's.
    someone = User.objects.create_user("someone")
    Membership.objects.create(user=someone, tenant=make_tenant(subdomain="x"), role=Role.AGENT)

    user, memberships = user_with_memberships(user_id=agent.pk)

    assert user is not None
    assert fields(user) == fields(User.objects.get(pk=agent.pk))
    expected = membership_list_for_user(user=agent)
    assert [m.pk for m in memberships] == [m.pk for m in expected]
    for read, orm in zip(memberships, expected, strict=True):
        assert fields(read) == fields(orm)
        assert fields(read.tenant) == fields(orm.tenant)
        assert read.tenant.client_secret == "client-secret-value"
        assert read.user is user
    assert memberships[0].last_used_at is None or memberships[0].last_used_at.tzinfo is not None


def test_a_user_on_no_tenants_staff_has_no_memberships(agent):
    user, memberships = user_with_memberships(user_id=agent.pk)

    assert user is not None
    assert user.pk == agent.pk
    assert memberships == []


def test_no_such_user(db):
    assert user_with_memberships(user_id=987654) == (None, [])


def test_an_inactive_user_is_read_as_inactive(agent):
    User.objects.filter(pk=agent.pk).update(is_active=False)

    user, _ = user_with_memberships(user_id=agent.pk)

    assert user is not None
    assert user.is_active is False


def test_a_tenants_secrets_are_decrypted_only_when_read(agent, make_tenant, monkeypatch):
    tenant = make_tenant()
    Tenant.objects.filter(pk=tenant.pk).update(access_token="the-access-token")
    Membership.objects.create(user=agent, tenant=tenant, role=Role.AGENT)
    opened: list[str] = []
    real_decrypt = crypto.decrypt

    def counted_decrypt(text: str) -> str:
        opened.append(text)
        return real_decrypt(text)

    monkeypatch.setattr(crypto, "decrypt", counted_decrypt)

    _, (membership,) = user_with_memberships(user_id=agent.pk)
    read = membership.tenant

    assert opened == []
    assert "client-secret-value" not in repr(vars(read))
    assert read.client_secret == "client-secret-value"
    assert read.access_token == "the-access-token"
    assert read.refresh_token == ""
    assert read.client_secret == "client-secret-value"
    assert len(opened) == 2


def test_a_tenant_read_sealed_saves_and_copies_as_any_other(agent, make_tenant):
    tenant = make_tenant()
    Membership.objects.create(user=agent, tenant=tenant, role=Role.AGENT)
    _, (membership,) = user_with_memberships(user_id=agent.pk)
    read = membership.tenant

    copied = pickle.loads(pickle.dumps(read))
    read.access_token = "a-new-token"
    read.save(update_fields=["access_token"])
    read.save()

    assert copied.client_secret == "client-secret-value"
    stored = Tenant.objects.get(pk=tenant.pk)
    assert stored.access_token == "a-new-token"
    assert stored.client_secret == "client-secret-value"
    raw = Tenant.objects.filter(pk=tenant.pk).values_list("client_secret", flat=True).get()
    assert raw == "client-secret-value"


TENANT_NAMES = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=12
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    names=st.lists(TENANT_NAMES, min_size=1, max_size=4),
    pairs=st.sets(st.tuples(st.integers(0, 2), st.integers(0, 3), st.sampled_from(list(Role)))),
)
def test_each_user_reads_exactly_their_own_memberships(db, names, pairs):
    with transaction.atomic():
        users = [User.objects.create_user(f"user-{n}") for n in range(3)]
        tenants = [
            Tenant.objects.create(
                name=name,
                subdomain=f"t{n}",
                api_base_url="http://clarus.test",
                token_url="http://clarus.test/oauth/token",
                client_id="client-id",
                client_secret=f"secret-{n}",
            )
            for n, name in enumerate(names)
        ]
        taken: set[tuple[int, int]] = set()
        for user, tenant, role in sorted(pairs):
            if tenant < len(tenants) and (user, tenant) not in taken:
                taken.add((user, tenant))
                Membership.objects.create(user=users[user], tenant=tenants[tenant], role=role)

        for user in users:
            read_user, read = user_with_memberships(user_id=user.pk)
            expected = membership_list_for_user(user=user)

            assert read_user is not None
            assert read_user.pk == user.pk
            assert [m.tenant.name for m in read] == [m.tenant.name for m in expected]
            by_id = {m.pk: fields(m) for m in expected}
            assert {m.pk: fields(m) for m in read} == by_id
            assert {m.tenant.client_secret for m in read} == {
                m.tenant.client_secret for m in expected
            }
            assert all(m.user_id == user.pk for m in read)
        transaction.set_rollback(True)
