"""The invitations a signed-in user may still answer: every page asks, almost never finding one."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import InvitationStatus, Role, StaffInvitation
from orders.selectors.staff import invitation_list_for_user


@pytest.fixture
def invite(make_tenant):
    tenant = make_tenant(name="Acme")
    admin = User.objects.create_user("admin")

    def make(invitee: User, *, status: str = InvitationStatus.PENDING, days: int = 3) -> Any:
        return StaffInvitation.objects.create(
            tenant=tenant,
            username=invitee.username,
            invitee=invitee,
            role=Role.AGENT,
            invited_by=admin,
            expires_at=timezone.now() + timedelta(days=days),
            status=status,
        )

    return make


@pytest.mark.postgres
def test_an_open_invitation_is_listed_with_its_tenant(invite):
    ann = User.objects.create_user("ann")
    invitation = invite(ann)

    (found,) = invitation_list_for_user(user=ann)

    assert found == invitation
    assert str(found.tenant) == "Acme"


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("status", "days"),
    [
        (InvitationStatus.ACCEPTED, 3),
        (InvitationStatus.DECLINED, 3),
        (InvitationStatus.PENDING, -1),
    ],
)
def test_an_answered_or_expired_invitation_is_not(invite, status, days):
    ann = User.objects.create_user("ann")
    invite(ann, status=status, days=days)

    assert invitation_list_for_user(user=ann) == []


@pytest.mark.postgres
def test_someone_elses_invitation_is_not(invite):
    ann, bob = User.objects.create_user("ann"), User.objects.create_user("bob")
    invite(bob)

    assert invitation_list_for_user(user=ann) == []


@pytest.mark.postgres
def test_with_none_open_one_plain_query_answers(invite):
    ann, bob = User.objects.create_user("ann"), User.objects.create_user("bob")
    invite(bob)

    with CaptureQueriesContext(connection) as queries:
        assert invitation_list_for_user(user=ann) == []

    assert len(queries) == 1
    assert "orders_tenant" not in queries[0]["sql"]
    assert "JOIN" not in queries[0]["sql"]
