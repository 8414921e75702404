"""Removing a member of staff takes their access at once: the tenant admin's Remove asks first,
on a page of its own, and only its own button removes them."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from orders.models import Membership, Role


@pytest.fixture
def staff(make_tenant):
    tenant = make_tenant()
    other = make_tenant(subdomain="other", name="Other")
    admin = User.objects.create_user("admin")
    Membership.objects.create(user=admin, tenant=tenant, role=Role.TENANT_ADMIN)
    sue = User.objects.create_user("sue")
    member = Membership.objects.create(user=sue, tenant=tenant, role=Role.SUPERVISOR)
    theirs = Membership.objects.create(
        user=User.objects.create_user("olly"), tenant=other, role=Role.AGENT
    )
    return admin, member, theirs


def test_remove_asks_first_and_removes_nobody_until_confirmed(client, staff):
    admin, member, _theirs = staff
    client.force_login(admin)
    url = reverse("tenants:staff_update", args=[member.pk])

    asked = client.post(url, {"remove": "1", "role": "supervisor"})
    page = asked.content.decode()

    assert asked.status_code == 200
    assert "Remove sue from Acme 3PL?" in page
    assert 'name="confirmed" value="yes"' in page
    assert 'id="remove-member-button" autofocus' in page
    assert f'href="{reverse("tenants:staff")}" id="remove-member-cancel"' in page
    assert Membership.objects.filter(pk=member.pk).exists()


def test_the_confirmed_remove_removes_and_says_what_it_means(client, staff):
    admin, member, _theirs = staff
    client.force_login(admin)
    url = reverse("tenants:staff_update", args=[member.pk])

    done = client.post(url, {"remove": "1", "confirmed": "yes"}, follow=True)

    assert not Membership.objects.filter(pk=member.pk).exists()
    assert "sue removed from Acme 3PL: they can no longer work in it." in done.content.decode()


def test_another_tenants_member_is_not_found_to_confirm(client, staff):
    admin, _member, theirs = staff
    client.force_login(admin)

    response = client.post(reverse("tenants:staff_update", args=[theirs.pk]), {"remove": "1"})

    assert response.status_code == 404
    assert "olly" not in response.content.decode()
    assert Membership.objects.filter(pk=theirs.pk).exists()
