"""Login names: one form of each, nothing invisible, one script; never a crash."""

import unicodedata

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.models import Membership, Role, StaffInvitation
from orders.services.staff import staff_login_create, staff_member_set
from orders.usernames import ALLOWED_MIXES, username_clean, username_scripts

FAST = settings(max_examples=300, deadline=None)
# Each example writes logins (and rolls them back): fewer of them.
WITH_DATABASE = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
THROUGH_PAGES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Any Unicode at all, with a fair share of what makes names look alike: invisible format
# characters, Cyrillic and Greek letters, full-width and mathematical forms.
TRICKY = st.sampled_from(
    ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u0430", "\u03bf", "\uff41", "\U0001d41a"]
)
NAMES = st.lists(st.one_of(st.characters(), TRICKY, st.sampled_from("agent.@_")), max_size=30).map(
    "".join
)


def assert_safe(name):
    assert name == unicodedata.normalize("NFKC", name)
    assert 0 < len(name) <= 150
    assert not any(unicodedata.category(c)[0] in "CZ" for c in name)
    UnicodeUsernameValidator()(name)
    scripts = username_scripts(name)
    assert len(scripts) <= 1 or any(scripts <= mix for mix in ALLOWED_MIXES)
    assert username_clean(name) == name


@FAST
@given(raw=NAMES)
def test_any_name_is_either_made_safe_or_refused_with_a_message(raw):
    refusal = None
    try:
        name = username_clean(raw)
    except ValidationError as exc:
        refusal = exc

    if refusal is None:
        assert_safe(name)
    else:
        assert refusal.messages
        assert all(message.strip() for message in refusal.messages)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("agent", "agent"),
        ("\uff41\uff47\uff45\uff4e\uff54", "agent"),  # full-width
        ("\U0001d41a\U0001d420\U0001d41e\U0001d427\U0001d42d", "agent"),  # mathematical bold
        ("jo@acme", "jo@acme"),
        ("\u0421\u0435\u0440\u0433\u0435\u0439", "\u0421\u0435\u0440\u0433\u0435\u0439"),
        ("\u5c71\u7530taro", "\u5c71\u7530taro"),  # Han with Latin: one language's mix
        ("\u30e9\u30fc\u30e1\u30f3", "\u30e9\u30fc\u30e1\u30f3"),  # katakana with its long mark
    ],
)
def test_names_kept_in_one_form(raw, kept):
    assert username_clean(raw) == kept


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("agent\u200b", "invisible"),
        ("\u202eagent", "invisible"),
        ("age\u0000nt", "invisible"),
        ("agent\u00a0", "spaces"),
        ("\u0430gent", "mixed_scripts"),
        ("agent\u00b5", "mixed_scripts"),  # the micro sign is a Greek mu
        ("", "required"),
        ("a" * 151, "max_length"),
        ("jo!", "invalid"),
    ],
)
def test_names_refused(raw, code):
    with pytest.raises(ValidationError) as refused:
        username_clean(raw)
    assert refused.value.code == code


def compatibility_forms(char):
    """Return ways of writing an ASCII letter or digit that NFKC makes that character again."""
    forms = [char]
    if char.isalnum():
        forms.append(chr(ord(char) - 0x21 + 0xFF01))  # full width
    if char.isascii() and char.isalpha():
        bold = 0x1D400 + (ord(char) - ord("A") if char.isupper() else 26 + ord(char) - ord("a"))
        forms.append(chr(bold))
    return forms


ASCII_NAMES = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
    min_size=1,
    max_size=20,
)


@pytest.mark.postgres
@WITH_DATABASE
@given(data=st.data(), base=ASCII_NAMES)
def test_two_names_that_normalise_alike_are_one_login(make_tenant, data, base):
    variant = "".join(data.draw(st.sampled_from(compatibility_forms(c))) for c in base)
    assert unicodedata.normalize("NFKC", variant) == base
    with transaction.atomic():
        tenant = make_tenant(subdomain="alike")
        first, _ = staff_member_set(tenant=tenant, username=base, role=Role.AGENT)
        second, created = staff_member_set(tenant=tenant, username=variant, role=Role.SUPERVISOR)
        by = first.user
        staff_login_create(
            tenant=tenant, name=base, role=Role.AGENT, password="x-long-1", created_by=by
        )
        with pytest.raises(ValidationError, match="already one of this tenant's logins"):
            staff_login_create(
                tenant=tenant, name=variant, role=Role.AGENT, password="x-long-1", created_by=by
            )

        assert not created
        assert second.user_id == first.user_id
        assert User.objects.filter(username__in=[base, variant]).count() == 1
        assert User.objects.filter(username__endswith="@alike").count() == 1
        transaction.set_rollback(True)


@THROUGH_PAGES
@given(raw=NAMES)
def test_the_staff_forms_never_fail_on_any_name(make_tenant, raw):
    with transaction.atomic():
        tenant = make_tenant(subdomain="pages")
        admin = User.objects.create_user("page-admin")
        Membership.objects.create(user=admin, tenant=tenant, role=Role.TENANT_ADMIN)
        client = Client()
        client.force_login(admin)
        invited = client.post(
            reverse("tenants:staff"), {"invite-username": raw, "invite-role": Role.AGENT}
        )
        created = client.post(
            reverse("tenants:staff_create"),
            {"login-name": raw, "login-role": Role.AGENT, "login-password": "a-long-pass-9z"},
        )

        for response in (invited, created):
            assert response.status_code in (200, 302)
            if response.status_code == 200:
                assert 'role="alert"' in response.content.decode()
        for invitation in StaffInvitation.objects.all():
            assert_safe(invitation.username)
        for user in User.objects.exclude(pk=admin.pk):
            assert_safe(user.username)
        transaction.set_rollback(True)
