"""Who is signed in is decided on every request from the database, as Django decides it, though
the user and their memberships are read in one statement (clarus_admin/authentication.py)."""

from typing import Any

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Membership, Role

pytestmark = pytest.mark.postgres

CREATE = reverse("orders:create")
LINE_ROW = reverse("orders:line_row")
HTMX = {"HTTP_HX_REQUEST": "true"}


def line_row(client: Any) -> Any:
    return client.get(LINE_ROW, {"lines-TOTAL_FORMS": "1"}, **HTMX)


@pytest.fixture
def member(agent_client: Any, agent: User, make_tenant: Any) -> Any:
    Membership.objects.create(user=agent, tenant=make_tenant(), role=Role.AGENT)
    assert line_row(agent_client).status_code == 200
    return agent_client


def signed_out(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_deactivated_user_is_signed_out_on_the_next_request(member, agent):
    User.objects.filter(pk=agent.pk).update(is_active=False)

    assert signed_out(line_row(member))
    assert signed_out(member.get(CREATE))


def test_a_removed_membership_loses_access_on_the_next_request(member, agent):
    Membership.objects.filter(user=agent).delete()

    assert line_row(member).status_code == 403


def test_a_membership_removed_from_one_of_two_tenants_takes_only_that_one(
    member, agent, make_tenant
):
    other = make_tenant(name="Borealis Freight", subdomain="borealis")
    Membership.objects.create(user=agent, tenant=other, role=Role.AGENT)
    assert "Borealis Freight" in member.get(CREATE).content.decode()

    Membership.objects.filter(user=agent, tenant=other).delete()

    page = member.get(CREATE)
    assert page.status_code == 200
    assert "Borealis Freight" not in page.content.decode()


def test_a_password_changed_elsewhere_ends_the_session(member, agent):
    agent.set_password("a-new-password-456")
    agent.save()

    assert signed_out(line_row(member))
    # Ended, not only refused: the session's row is gone.
    assert not Session.objects.exists()


def test_signing_out_ends_the_session_for_good(member):
    cookie = member.cookies["sessionid"].value

    member.post(reverse("logout"))
    member.cookies["sessionid"] = cookie

    assert signed_out(line_row(member))


def test_a_session_without_its_password_hash_is_ended(member):
    session = member.session
    del session[HASH_SESSION_KEY]
    session.save()

    assert signed_out(line_row(member))
    assert not Session.objects.exists()


def test_a_session_signed_under_a_retired_secret_key_goes_on_under_a_new_key(member, settings):
    old_key = member.cookies["sessionid"].value
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-the-desk-0123456789-abcdefghij"

    assert line_row(member).status_code == 200

    new_key = member.cookies["sessionid"].value
    assert new_key != old_key
    assert line_row(member).status_code == 200


def test_a_session_naming_a_backend_the_desk_does_not_use_is_nobody(member):
    session = member.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.RemoteUserBackend"
    session.save()

    assert signed_out(line_row(member))


def test_a_session_naming_a_deleted_user_is_nobody(member, agent):
    User.objects.filter(pk=agent.pk).delete()

    assert signed_out(line_row(member))


def test_the_user_and_their_memberships_are_one_statement(member):
    with CaptureQueriesContext(connection) as queries:
        assert line_row(member).status_code == 200

    statements = [query["sql"] for query in queries]
    assert len(statements) == 2
    assert "django_session" in statements[0]
    assert all(table in statements[1] for table in ("auth_user", "orders_membership"))


def test_a_tenant_admin_reaches_django_admin_only_as_staff(client, make_tenant):
    # Django's admin reads request.user as the middleware leaves it.
    user = User.objects.create_user("boss", password="boss-pass-123")
    Membership.objects.create(user=user, tenant=make_tenant(), role=Role.TENANT_ADMIN)
    client.force_login(user)
    assert client.get("/admin/").status_code == 302

    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)

    assert client.get("/admin/").status_code == 200
