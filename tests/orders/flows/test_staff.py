"""A tenant's staff: who may join it and how, through the pages, with a real database.

Every tenant is hostile to every other: a tenant admin invites, only the invited login can
accept, nothing on the admin's page tells whether a login exists, and renaming a tenant never
makes it another tenant's members' default.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders.models import InvitationStatus, Membership, Role, StaffInvitation

PASSWORD = "a-long-pass-phrase-9"
ZERO_WIDTH_SPACE = "\u200b"


@pytest.fixture
def tenants(make_tenant):
    """Tenant A, whose admin is hostile, and tenant B, whose agent ``victim`` they want."""
    attacker = make_tenant(subdomain="attacker", name="Attacker Ltd")
    home = make_tenant(subdomain="victim-home", name="Victim 3PL")
    admin = User.objects.create_user("mallory", password=PASSWORD, email="mallory@a.example")
    Membership.objects.create(user=admin, tenant=attacker, role=Role.TENANT_ADMIN)
    victim = User.objects.create_user("victim", password=PASSWORD, email="victim@b.example")
    Membership.objects.create(user=victim, tenant=home, role=Role.AGENT)
    return attacker, home, admin, victim


@pytest.fixture
def admin_client(client, tenants):
    client.force_login(tenants[2])
    return client


def invite(client, username, role=Role.SUPERVISOR, **kwargs):
    data = {"invite-username": username, "invite-role": role}
    return client.post(reverse("tenants:staff"), data, **kwargs)


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def comparable(page, username):
    """Return the page without what differs between any two responses: tokens, nonces, ids."""
    page = page.replace(username, "USERNAME")
    page = re.sub(r'(name="csrfmiddlewaretoken" value=)"[^"]+"', r"\1", page)
    page = re.sub(r'("x-csrftoken": )"[^"]+"', r"\1", page)
    page = re.sub(r'nonce="[^"]+"', "nonce", page)
    return re.sub(r"invitations/\d+/withdraw", "invitations/ID/withdraw", page)


def test_inviting_another_tenants_agent_makes_no_member_and_shows_no_email(admin_client, tenants):
    attacker, _home, _admin, victim = tenants

    response = invite(admin_client, "victim", follow=True)

    page = response.content.decode()
    assert "Invitation sent to victim" in page
    assert not Membership.objects.filter(user=victim, tenant=attacker).exists()
    assert "victim@b.example" not in page
    # Listed as waiting, with no more than the name the admin typed.
    assert StaffInvitation.objects.get(tenant=attacker, username="victim").invitee == victim


def test_the_staff_page_reads_the_same_whether_or_not_the_login_exists(admin_client, tenants):
    answers = {}
    for username in ("victim", "nobody-has-this-name"):
        posted = invite(admin_client, username)
        page = admin_client.get(posted["Location"]).content.decode()
        answers[username] = (posted.status_code, posted["Location"], comparable(page, username))
        invitation = StaffInvitation.objects.get(username=username)
        # Withdraw it, and read the message, so the next round starts from the same page.
        admin_client.post(reverse("tenants:invitation_revoke", args=[invitation.pk]), follow=True)

    assert answers["victim"][0] == 302
    assert answers["victim"] == answers["nobody-has-this-name"]


def test_a_declined_invitation_still_reads_as_waiting_to_the_admin(admin_client, tenants):
    _attacker, _home, _admin, victim = tenants
    invite(admin_client, "victim")
    invitation = StaffInvitation.objects.get(username="victim")

    declined = as_user(victim).post(reverse("invitations:decline", args=[invitation.pk]))

    assert declined.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    staff = admin_client.get(reverse("tenants:staff")).content.decode()
    assert re.search(r"<td>victim</td>\s*<td>Supervisor</td>", staff)


@pytest.mark.postgres
def test_the_invited_login_sees_the_invitation_and_joins_only_on_accept(admin_client, tenants):
    attacker, home, _admin, victim = tenants
    invite(admin_client, "victim")
    invitation = StaffInvitation.objects.get(username="victim")
    victim_client = as_user(victim)

    page = victim_client.get(reverse("orders:create")).content.decode()

    assert "You are invited to join <strong>Attacker Ltd</strong> (attacker) as supervisor" in page
    assert not Membership.objects.filter(user=victim, tenant=attacker).exists()
    # Accepting is a POST: a GET changes nothing.
    assert victim_client.get(reverse("invitations:accept", args=[invitation.pk])).status_code == 405

    accepted = victim_client.post(reverse("invitations:accept", args=[invitation.pk]), follow=True)

    assert "You joined Attacker Ltd as supervisor" in accepted.content.decode()
    assert Membership.objects.get(user=victim, tenant=attacker).role == Role.SUPERVISOR
    # Joining does not move the member: they still work in their own tenant until they switch.
    assert "Working in <strong>Victim 3PL</strong>" in accepted.content.decode()
    # Now a member of the admin's tenant, their email is the admin's to see.
    assert "victim@b.example" in admin_client.get(reverse("tenants:staff")).content.decode()
    assert not Membership.objects.filter(user=victim, tenant=home).exclude(role=Role.AGENT)


def test_a_login_on_no_staff_yet_can_answer_its_invitation(admin_client, tenants):
    attacker = tenants[0]
    loner = User.objects.create_user("loner")
    invite(admin_client, "loner", role=Role.AGENT)
    invitation = StaffInvitation.objects.get(username="loner")
    client = as_user(loner)

    waiting = client.get(reverse("home"))
    accepted = client.post(reverse("invitations:accept", args=[invitation.pk]), follow=True)

    assert waiting.status_code == 403
    assert "You are invited to join <strong>Attacker Ltd</strong>" in waiting.content.decode()
    assert accepted.redirect_chain[-1][0] == reverse("orders:create")
    assert "Working in <strong>Attacker Ltd</strong> (attacker) as agent" in (
        accepted.content.decode()
    )
    assert Membership.objects.get(user=loner).tenant == attacker


def test_accepting_needs_the_csrf_token(tenants, admin_client):
    _attacker, _home, _admin, victim = tenants
    invite(admin_client, "victim")
    invitation = StaffInvitation.objects.get(username="victim")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(victim)

    response = strict.post(reverse("invitations:accept", args=[invitation.pk]))

    assert response.status_code == 403
    assert Membership.objects.filter(user=victim).count() == 1


@pytest.mark.parametrize("answer", ["invitations:accept", "invitations:decline"])
def test_nobody_but_the_invited_login_can_answer(admin_client, tenants, answer):
    attacker, home, admin, _victim = tenants
    invite(admin_client, "victim")
    invitation = StaffInvitation.objects.get(username="victim")
    colleague = User.objects.create_user("colleague")
    Membership.objects.create(user=colleague, tenant=home, role=Role.AGENT)

    for someone in (colleague, admin):
        client = as_user(someone)
        listing = client.get(reverse("invitations:list")).content.decode()
        assert "You are invited to join" not in listing
        assert "You have no invitations waiting." in listing
        assert client.post(reverse(answer, args=[invitation.pk])).status_code == 404

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert not Membership.objects.filter(user=colleague, tenant=attacker).exists()


def test_an_invitation_to_a_name_nobody_had_reaches_no_later_login(admin_client, tenants):
    invite(admin_client, "newcomer")
    invitation = StaffInvitation.objects.get(username="newcomer")
    newcomer = User.objects.create_user("newcomer")

    response = as_user(newcomer).post(reverse("invitations:accept", args=[invitation.pk]))

    assert response.status_code == 404
    assert not newcomer.memberships.exists()


@pytest.mark.postgres
@pytest.mark.parametrize("closed", ["expired", "withdrawn", "accepted", "declined"])
def test_a_closed_invitation_cannot_be_accepted(admin_client, tenants, closed):
    attacker, _home, _admin, victim = tenants
    invite(admin_client, "victim")
    invitation = StaffInvitation.objects.get(username="victim")
    victim_client = as_user(victim)
    accept = reverse("invitations:accept", args=[invitation.pk])
    if closed == "expired":
        StaffInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif closed == "withdrawn":
        admin_client.post(reverse("tenants:invitation_revoke", args=[invitation.pk]))
    elif closed == "accepted":
        victim_client.post(accept)
        Membership.objects.filter(user=victim, tenant=attacker).delete()
    else:
        victim_client.post(reverse("invitations:decline", args=[invitation.pk]))

    listing = victim_client.get(reverse("invitations:list")).content.decode()
    assert "You are invited to join" not in listing
    assert victim_client.post(accept).status_code == 404
    assert not Membership.objects.filter(user=victim, tenant=attacker).exists()


@pytest.mark.postgres
def test_invitations_expire_after_14_days_and_can_be_renewed(admin_client, tenants):
    invite(admin_client, "victim", role=Role.AGENT)
    first = StaffInvitation.objects.get(username="victim")
    assert timedelta(days=13, hours=23) < first.expires_at - timezone.now() <= timedelta(days=14)
    StaffInvitation.objects.filter(pk=first.pk).update(expires_at=timezone.now())

    invite(admin_client, "victim", role=Role.SUPERVISOR)

    renewed = StaffInvitation.objects.get(username="victim")
    assert renewed.pk == first.pk
    assert renewed.role == Role.SUPERVISOR
    assert renewed.expires_at > timezone.now() + timedelta(days=13)


def test_an_admin_cannot_withdraw_another_tenants_invitation(admin_client, tenants):
    _attacker, home, _admin, victim = tenants
    theirs = StaffInvitation.objects.create(
        tenant=home,
        username="someone",
        role=Role.AGENT,
        expires_at=timezone.now() + timedelta(days=1),
    )

    response = admin_client.post(reverse("tenants:invitation_revoke", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == InvitationStatus.PENDING
    assert victim.memberships.count() == 1


def test_inviting_one_of_the_tenants_own_members_says_so(admin_client, tenants):
    response = invite(admin_client, "mallory")

    assert response.status_code == 200
    assert "mallory is already on the staff of Attacker Ltd" in response.content.decode()
    assert not StaffInvitation.objects.exists()


def sign_in(username, password=PASSWORD):
    """Sign in afresh, through the sign-in page, as a person would."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()
    return client


@pytest.mark.postgres
def test_a_renamed_tenant_does_not_become_the_default_after_sign_in(admin_client, tenants):
    attacker, home, _admin, victim = tenants
    invite(admin_client, "victim", role=Role.AGENT)
    invitation = StaffInvitation.objects.get(username="victim")
    as_user(victim).post(reverse("invitations:accept", args=[invitation.pk]))
    session = sign_in("victim")
    session.post(reverse("tenants:switch"), {"tenant": str(home.pk)})

    attacker.name = "AAA Victim 3PL"
    attacker.save()
    page = sign_in("victim").get(reverse("orders:create")).content.decode()

    assert "Working in <strong>Victim 3PL</strong> (victim-home) as agent" in page
    # Even a tenant renamed to look the same is told apart in the switcher, by its subdomain.
    assert f'<option value="{attacker.pk}">AAA Victim 3PL (attacker), agent</option>' in page
    # The order keyed next goes to the tenant the top bar names.
    assert f'<option value="{home.pk}" selected>Victim 3PL</option>' in page


def test_the_desk_opens_on_the_tenant_last_used(make_tenant):
    first, second = (make_tenant(subdomain=s, name=s.title()) for s in ("alpha", "beta"))
    user = User.objects.create_user("jo", password=PASSWORD)
    for tenant in (first, second):
        Membership.objects.create(user=user, tenant=tenant, role=Role.AGENT)
    page = sign_in("jo").get(reverse("orders:create")).content.decode()
    assert "Working in <strong>Alpha</strong>" in page

    sign_in("jo").post(reverse("tenants:switch"), {"tenant": str(second.pk)})
    first.name = "AAA"
    first.save()

    page = sign_in("jo").get(reverse("orders:create")).content.decode()
    assert "Working in <strong>Beta</strong> (beta) as agent" in page


def test_a_member_who_never_switched_opens_on_the_tenant_they_joined_first(make_tenant):
    joined_first = make_tenant(subdomain="zulu", name="Zulu")
    user = User.objects.create_user("jo", password=PASSWORD)
    Membership.objects.create(user=user, tenant=joined_first, role=Role.AGENT)
    later = make_tenant(subdomain="alpha", name="Alpha")
    Membership.objects.create(user=user, tenant=later, role=Role.AGENT)

    page = sign_in("jo").get(reverse("orders:create")).content.decode()

    assert "Working in <strong>Zulu</strong> (zulu) as agent" in page


def test_the_top_bar_names_the_current_tenant_for_a_single_membership(tenants):
    _attacker, _home, _admin, victim = tenants

    page = as_user(victim).get(reverse("orders:create")).content.decode()

    assert '<span class="tenant-name" id="current-tenant">Working in <strong>Victim 3PL' in page


def test_a_tenant_admin_creates_a_new_login_in_the_tenants_own_name_space(admin_client, tenants):
    attacker, _home, _admin, victim = tenants
    data = {
        "login-name": "victim",
        "login-role": Role.AGENT,
        "login-email": "v2@a.example",
        "login-password": PASSWORD,
    }

    created = admin_client.post(reverse("tenants:staff_create"), data, follow=True)
    again = admin_client.post(reverse("tenants:staff_create"), data)

    assert "Login victim@attacker created as agent" in created.content.decode()
    login = User.objects.get(username="victim@attacker")
    assert login.check_password(PASSWORD)
    assert Membership.objects.get(user=login).tenant == attacker
    # The other tenant's "victim" is untouched and never named.
    assert victim.memberships.count() == 1
    assert "victim@b.example" not in created.content.decode()
    assert "victim@attacker is already one of this tenant" in again.content.decode()


def test_a_new_login_cannot_borrow_another_tenants_name_space(admin_client, tenants):
    data = {
        "login-name": "jo@victim-home",
        "login-role": Role.AGENT,
        "login-password": PASSWORD,
    }

    response = admin_client.post(reverse("tenants:staff_create"), data)

    assert response.status_code == 200
    assert "Leave out the @: the desk adds @attacker itself." in response.content.decode()
    assert not User.objects.filter(username__startswith="jo").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("agent" + ZERO_WIDTH_SPACE, "cannot contain invisible or control characters"),
        ("ag\u200dent", "cannot contain invisible or control characters"),
        ("\u0430gent", "cannot mix alphabets"),  # a Cyrillic a
        ("\u03bfmar", "cannot mix alphabets"),  # a Greek omicron
    ],
)
def test_lookalike_names_are_refused_with_a_message(admin_client, tenants, name, message):
    create = admin_client.post(
        reverse("tenants:staff_create"),
        {"login-name": name, "login-role": Role.AGENT, "login-password": PASSWORD},
    )
    invited = invite(admin_client, name)

    for response in (create, invited):
        assert response.status_code == 200
        assert message in response.content.decode()
        # What was typed stays in the field, to be corrected.
        assert f'value="{name}"' in response.content.decode()
    assert not User.objects.filter(username__contains="gent").exclude(username="agent").exists()
    assert not StaffInvitation.objects.exists()


def test_full_width_names_are_the_same_login_at_creation_and_sign_in(admin_client, tenants):
    full_width = "".join(chr(ord(c) - 0x21 + 0xFF01) for c in "jo")
    admin_client.post(
        reverse("tenants:staff_create"),
        {"login-name": full_width, "login-role": Role.AGENT, "login-password": PASSWORD},
    )

    assert User.objects.filter(username="jo@attacker").exists()
    client = sign_in(f"{full_width}@attacker")
    # Signed in as that login: first, its own password.
    page = client.get(reverse("password_change")).content.decode()
    assert "Working in <strong>Attacker Ltd</strong>" in page
    assert "jo@attacker: your password" in page


def test_a_locked_out_login_stays_locked_under_another_form_of_its_name(tenants, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    for _ in range(2):
        client.post(reverse("login"), {"username": "victim", "password": "wrong"})
    full_width = "".join(chr(ord(c) - 0x21 + 0xFF01) for c in "victim")

    response = client.post(reverse("login"), {"username": full_width, "password": PASSWORD})

    assert response.status_code != 302
    assert "_auth_user_id" not in client.session
