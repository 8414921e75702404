"""'Your password': a login changes its own, and a login a tenant admin made chooses its own at
its first sign-in before it sees anything else of the desk."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.models import Draft, GivenPassword, Membership, Role, StaffInvitation

ADMIN_PASSWORD = "admin-pass-phrase-1"
GIVEN = "given-by-the-admin-7"
OWN = "chosen-by-jo-herself-3"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def admin(make_tenant):
    tenant = make_tenant()
    user = User.objects.create_user("boss", password=ADMIN_PASSWORD)
    Membership.objects.create(user=user, tenant=tenant, role=Role.TENANT_ADMIN)
    return user


@pytest.fixture
def made_login(client, admin):
    """The login ``jo@acme``, made by the tenant admin on the Staff page."""
    client.force_login(admin)
    response = client.post(
        reverse("tenants:staff_create"),
        {"login-name": "jo", "login-role": Role.AGENT, "login-password": GIVEN},
    )
    assert response.status_code == 302
    return User.objects.get(username="jo@acme")


def sign_in(username, password):
    """Sign in through the sign-in page, as a person would."""
    browser = Client()
    response = browser.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()
    return browser


def signs_in(username, password):
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def change(browser, old, new, again=None, **extra):
    data = {"old_password": old, "new_password1": new, "new_password2": again or new, **extra}
    return browser.post(reverse("password_change"), data)


def test_a_login_made_by_an_admin_keeps_who_gave_its_password(made_login, admin):
    given = GivenPassword.objects.get(user=made_login)
    assert given.given_by == admin


def test_it_sees_nothing_of_the_desk_before_choosing_its_own(made_login):
    jo = sign_in("jo@acme", GIVEN)
    expected = reverse("password_change") + "?next=%2Forders%2Fnew%2F"

    page = jo.get(reverse("orders:create"))
    assert page.status_code == 302
    assert page["Location"] == expected
    # An htmx fragment takes the whole page there, back to the page it was asked from.
    fragment = jo.get(
        reverse("orders:line_row"), HTTP_HX_CURRENT_URL="http://testserver/orders/new/", **HTMX
    )
    assert fragment["HX-Redirect"] == expected
    # A POST is not carried out, and is not come back to.
    posted = jo.post(reverse("orders:draft_save"), {"reference": "PO-1"})
    assert posted["Location"] == reverse("password_change")
    assert not Draft.objects.exists()

    asked = jo.get(expected)
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "chosen by whoever made your login" in text
    assert "The password you were given" in text


def test_choosing_its_own_ends_the_given_one_and_goes_where_it_was_going(made_login):
    jo = sign_in("jo@acme", GIVEN)
    elsewhere = sign_in("jo@acme", GIVEN)

    response = change(jo, GIVEN, OWN, next="/orders/new/")

    assert response.status_code == 302
    assert response["Location"] == "/orders/new/"
    assert jo.get(reverse("orders:create")).status_code == 200
    assert not GivenPassword.objects.filter(user=made_login).exists()
    # The other session, signed in with the given password, is over.
    assert elsewhere.get(reverse("orders:create"))["Location"].startswith(reverse("login"))
    # The given password no longer signs in; the new one does, straight to the desk.
    assert not signs_in("jo@acme", GIVEN)
    again = sign_in("jo@acme", OWN)
    assert again.get(reverse("orders:create")).status_code == 200


@pytest.mark.parametrize(
    ("old", "new", "again", "field", "message"),
    [
        ("wrong-password-0", OWN, OWN, "old_password", "That is not your password now"),
        (GIVEN, OWN, OWN + "x", "new_password2", "The two new passwords differ"),
        (GIVEN, "short7", "short7", "new_password2", "too short"),
        (GIVEN, "12345678901", "12345678901", "new_password2", "entirely numeric"),
        (GIVEN, "jo@acme1", "jo@acme1", "new_password2", "too similar"),
    ],
)
def test_a_refused_change_says_why_beside_the_box_and_changes_nothing(
    made_login, old, new, again, field, message
):
    jo = sign_in("jo@acme", GIVEN)

    response = change(jo, old, new, again)

    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert f'id="id_{field}-error"' in text
    # The message is tied to its box; passwords never come back, so the first box is focused.
    assert re.search(
        rf'id="id_{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_{field}"', text
    )
    focused = re.findall(r"<input[^>]*\bautofocus\b[^>]*>", text)
    assert len(focused) == 1
    assert 'id="id_old_password"' in focused[0]
    assert GIVEN not in text
    assert GivenPassword.objects.filter(user=made_login).exists()
    assert jo.get(reverse("orders:create")).status_code == 302


def test_an_invitation_cannot_be_answered_with_a_given_password(made_login, make_tenant):
    other = make_tenant(subdomain="other", name="Other Ltd")
    inviter = User.objects.create_user("other-admin", password=ADMIN_PASSWORD)
    Membership.objects.create(user=inviter, tenant=other, role=Role.TENANT_ADMIN)
    admin = Client()
    admin.force_login(inviter)
    admin.post(reverse("tenants:staff"), {"invite-username": "jo@acme", "invite-role": "agent"})
    invitation = StaffInvitation.objects.get(username="jo@acme")
    jo = sign_in("jo@acme", GIVEN)

    response = jo.post(reverse("invitations:accept", args=[invitation.pk]))

    assert response["Location"] == reverse("password_change")
    assert not Membership.objects.filter(user=made_login, tenant=other).exists()


def test_a_login_that_chose_its_own_password_changes_it_when_it_likes(admin):
    boss = sign_in("boss", ADMIN_PASSWORD)
    assert boss.get(reverse("tenants:staff")).status_code == 200

    page = boss.get(reverse("password_change")).content.decode()
    assert "Your password now" in page
    assert "chosen by whoever made your login" not in page

    assert change(boss, ADMIN_PASSWORD, OWN)["Location"] == reverse("home")
    assert signs_in("boss", OWN)
    assert not signs_in("boss", ADMIN_PASSWORD)


# What a form's "next" may hold: anything typed or forged, and the known ways out of a site.
NEXT_URLS = st.text(max_size=80) | st.sampled_from(
    [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        " //evil.example",
        "http:/evil.example",
        "home",
        "0",
        "/orders/new/?a=1",
        "/orders/\nSet-Cookie: x=1",
    ]
)


def stays_on_the_desk(location, next_url):
    """The redirect goes home, or to the path given, as a path of this desk."""
    if location == reverse("home"):
        return True
    return (
        location == iri_to_uri(next_url) and location.startswith("/") and location[1:2] not in "/\\"
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(next_url=NEXT_URLS)
def test_after_the_change_it_never_leaves_the_desk(db, next_url):
    User.objects.filter(username="walker").delete()
    walker = User.objects.create_user("walker", password=ADMIN_PASSWORD)
    browser = Client()
    browser.force_login(walker)

    response = change(browser, ADMIN_PASSWORD, OWN, next=next_url)

    assert response.status_code == 302
    assert stays_on_the_desk(response["Location"], next_url)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(next_url=NEXT_URLS)
def test_switching_tenant_never_leaves_the_desk(admin, next_url):
    browser = Client()
    browser.force_login(admin)
    tenant = admin.memberships.get().tenant_id

    response = browser.post(reverse("tenants:switch"), {"tenant": tenant, "next": next_url})

    assert response.status_code == 302
    assert stays_on_the_desk(response["Location"], next_url)


def test_the_staff_page_says_who_still_has_a_given_password(client, made_login):
    # ``client`` is the admin's, who made jo's login.
    page = client.get(reverse("tenants:staff")).content.decode()
    assert page.count("still has the password given") == 1
    row = re.search(r"<td>jo@acme[^<]*<span[^>]*>([^<]*)</span>", page)
    assert row
    assert "still has the password given" in row.group(1)

    change(sign_in("jo@acme", GIVEN), GIVEN, OWN)

    assert (
        "still has the password given" not in client.get(reverse("tenants:staff")).content.decode()
    )


def test_logins_made_before_are_asked_too(make_tenant):
    """The migration that brought "Your password" marks the logins tenant admins had made: those
    in a tenant's name space, on its staff, with a password one can sign in with."""
    acme = make_tenant()
    made = User.objects.create_user("jo@ACME", password=GIVEN)
    unusable = User.objects.create_user("kim@acme")
    elsewhere = User.objects.create_user("lee@other", password=GIVEN)
    own_name = User.objects.create_user("sam", password=GIVEN)
    for user in (made, unusable, elsewhere, own_name):
        Membership.objects.create(user=user, tenant=acme, role=Role.AGENT)
    migration = importlib.import_module("orders.migrations.0027_given_password")

    migration.logins_made_by_tenant_admins(django_apps, None)

    assert set(GivenPassword.objects.values_list("user__username", flat=True)) == {"jo@ACME"}
