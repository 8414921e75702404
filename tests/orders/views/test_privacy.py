"""The personal-data pages: find a person, download what is held, erase it; the retention period.

And what a redacted order looks like everywhere the desk shows orders: the history and its CSV,
the dashboard, the caller box, the order's page.
"""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.models import Membership, Order, OrderStatus, OrderTransition, Role, Tenant
from orders.services.privacy import personal_data_sweep
from tests.orders.people import ANN, footprint

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def desk(make_tenant):
    mine = make_tenant(subdomain="mine", name="Mine")
    other = make_tenant(subdomain="other", name="Other")
    people = {}
    for tenant in (mine, other):
        for role in (Role.AGENT, Role.SUPERVISOR, Role.TENANT_ADMIN):
            user = User.objects.create_user(f"{tenant.subdomain}-{role}")
            Membership.objects.create(user=user, tenant=tenant, role=role)
            people[tenant.subdomain, role] = user
    footprint(mine, people["mine", Role.AGENT], ANN, reference="MINE-1")
    return mine, other, people


def signed_in(client, people, subdomain, role):
    client.force_login(people[subdomain, role])
    return client


def unzip(response):
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_a_supervisor_finds_a_person_and_downloads_everything_held(client, desk):
    _mine, _other, people = desk
    signed_in(client, people, "mine", Role.SUPERVISOR)

    page = client.get(reverse("orders:privacy"), {"email": "Annabel.Quist@Example.com"})
    download = client.get(reverse("orders:privacy_export"), {"phone": "+44 (0)113 496 0777"})

    assert page.status_code == 200
    assert "MINE-1" in page.content.decode()
    assert "1 order, 1 draft" in page.content.decode()
    # Before erasing, the supervisor is told that Clarus's own copy is not the desk's to erase.
    assert "Clarus keeps its own copy of the orders it received" in page.content.decode()
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith('attachment; filename="personal-data-')
    files = unzip(download)
    record = json.loads(files["personal-data.json"])
    assert [order["reference"] for order in record["orders"]] == ["MINE-1"]
    assert ANN.name in files["orders.csv"]
    for value in ANN.values():
        assert value in files["personal-data.json"]


def test_another_tenants_supervisor_can_neither_find_nor_erase_the_person(client, desk):
    mine, _other, people = desk
    signed_in(client, people, "other", Role.SUPERVISOR)

    page = client.get(reverse("orders:privacy"), {"email": ANN.email})
    download = client.get(reverse("orders:privacy_export"), {"email": ANN.email})
    erase = client.post(
        reverse("orders:privacy_erase"), {"email": ANN.email, "reason": "They asked"}
    )

    assert "MINE-1" not in page.content.decode()
    assert "0 orders, 0 drafts" in page.content.decode()
    record = json.loads(unzip(download)["personal-data.json"])
    assert record["orders"] == []
    assert record["drafts"] == []
    assert ANN.name not in json.dumps(record)
    assert erase.status_code == 302
    order = Order.objects.get(tenant=mine)
    assert order.contact_email == ANN.email
    assert order.personal_data_removed_at is None


@pytest.mark.parametrize("role", [Role.AGENT, Role.TENANT_ADMIN])
def test_agents_and_tenant_admins_cannot_search_download_or_erase(client, desk, role):
    mine, _other, people = desk
    signed_in(client, people, "mine", role)

    responses = [
        client.get(reverse("orders:privacy"), {"email": ANN.email}),
        client.get(reverse("orders:privacy_export"), {"email": ANN.email}),
        client.post(reverse("orders:privacy_erase"), {"email": ANN.email, "reason": "x"}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert Order.objects.get(tenant=mine).personal_data_removed_at is None


def test_erasure_is_recorded_with_who_and_why(client, desk):
    _mine, _other, people = desk
    supervisor = people["mine", Role.SUPERVISOR]
    signed_in(client, people, "mine", Role.SUPERVISOR)

    response = client.post(
        reverse("orders:privacy_erase"),
        {"email": ANN.email, "phone": "", "reason": "  Asked by email   on 3 Dec "},
        follow=True,
    )

    assert response.status_code == 200
    assert "Erased: personal data removed from 1 order" in response.content.decode()
    step = OrderTransition.objects.get(user=supervisor)
    assert step.reason == "Personal data removed: Asked by email on 3 Dec"
    order_page = client.get(reverse("orders:detail", args=[step.order_id])).content.decode()
    assert "Personal data removed: Asked by email on 3 Dec" in order_page
    assert ANN.name not in order_page


def test_erasure_is_refused_with_a_clear_message_while_an_order_is_unsettled(client, desk):
    mine, _other, people = desk
    footprint(
        mine,
        people["mine", Role.AGENT],
        ANN,
        reference="MINE-2",
        status=OrderStatus.UNKNOWN,
        with_draft=False,
    )
    signed_in(client, people, "mine", Role.SUPERVISOR)

    response = client.post(reverse("orders:privacy_erase"), {"email": ANN.email, "reason": "x"})

    assert response.status_code == 409
    assert "Not erased" in response.content.decode()
    assert "MINE-2" in response.content.decode()
    assert not Order.objects.filter(personal_data_removed_at__isnull=False).exists()


def test_erasure_without_a_reason_says_so_and_erases_nothing(client, desk):
    _mine, _other, people = desk
    signed_in(client, people, "mine", Role.SUPERVISOR)

    response = client.post(reverse("orders:privacy_erase"), {"email": ANN.email, "reason": " "})

    assert response.status_code == 400
    assert "Say why the person&#x27;s data is erased" in response.content.decode()
    assert not Order.objects.filter(personal_data_removed_at__isnull=False).exists()


ANY_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["@", "a@b", "0", "+44", "\x00", "9" * 5000, "' OR 1=1 --", "%", "é@é"]),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(email=ANY_TEXT, phone=ANY_TEXT, reason=ANY_TEXT)
def test_the_pages_never_fail_on_any_input(client, desk, email, phone, reason):
    _mine, _other, people = desk
    signed_in(client, people, "mine", Role.SUPERVISOR)
    query = {"email": email, "phone": phone}

    responses = [
        client.get(reverse("orders:privacy"), query),
        client.get(reverse("orders:privacy_export"), query),
        # An unsettled order of someone matching would refuse it; here nothing is unsettled.
        client.post(reverse("orders:privacy_erase"), {**query, "reason": reason}),
    ]

    assert all(response.status_code in (200, 302, 400, 409) for response in responses)


def test_a_tenant_admin_sets_the_retention_period_with_help_and_clear_errors(client, desk):
    mine, _other, people = desk
    signed_in(client, people, "mine", Role.TENANT_ADMIN)

    page = client.get(reverse("tenants:settings")).content.decode()
    wrong = client.post(reverse("tenants:retention"), {"retention_months": "eighteen"})
    saved = client.post(reverse("tenants:retention"), {"retention_months": "18"})
    mine.refresh_from_db()
    kept_after_18 = mine.retention_months
    cleared = client.post(reverse("tenants:retention"), {"retention_months": ""})
    mine.refresh_from_db()

    assert "Keep callers&#x27; personal data for (months)" in page
    assert "Leave blank to keep personal data." in page
    assert wrong.status_code == 200
    assert "Enter a whole number of months" in wrong.content.decode()
    assert 'value="eighteen"' in wrong.content.decode()
    assert saved.status_code == 302
    assert kept_after_18 == 18
    assert cleared.status_code == 302
    assert mine.retention_months is None


def test_a_redacted_order_shows_no_personal_value_anywhere_but_is_found_by_reference(client, desk):
    mine, _other, people = desk
    Order.objects.filter(tenant=mine).update(created_at=timezone.now() - timedelta(days=700))
    Tenant.objects.filter(pk=mine.pk).update(retention_months=18)
    assert personal_data_sweep() == 1
    Order.objects.filter(tenant=mine).update(created_at=timezone.now())
    order = Order.objects.get(tenant=mine)
    signed_in(client, people, "mine", Role.SUPERVISOR)

    pages = {
        "export": client.get(reverse("orders:export")),
        "history": client.get(reverse("orders:list")),
        "dashboard": client.get(reverse("orders:dashboard")),
        "order": client.get(reverse("orders:detail", args=[order.pk])),
        "caller by name": client.get(
            reverse("orders:caller_search"), {"caller": "Annabel"}, **HTMX
        ),
        "caller by email": client.get(
            reverse("orders:caller_search"), {"caller": ANN.email}, **HTMX
        ),
        "caller by phone": client.get(
            reverse("orders:caller_search"), {"caller": ANN.phone}, **HTMX
        ),
    }
    by_reference = client.get(reverse("orders:list"), {"search": "MINE-1"}).content.decode()
    by_old_name = client.get(reverse("orders:list"), {"search": "Annabel"}).content.decode()

    texts = {}
    for where, response in pages.items():
        text = b"".join(response.streaming_content) if response.streaming else response.content
        body = texts[where] = text.decode()
        assert response.status_code == 200, where
        assert [value for value in ANN.values() if value.lower() in body.lower()] == [], where
    assert "MINE-1" in texts["export"]
    assert "MINE-1" in by_reference
    assert "MINE-1" not in by_old_name


def test_a_redacted_order_can_be_neither_corrected_nor_amended(client, desk, settings):
    mine, _other, people = desk
    rejected = footprint(
        mine,
        people["mine", Role.AGENT],
        ANN,
        reference="MINE-2",
        status=OrderStatus.REJECTED,
        with_draft=False,
    )
    sent = Order.objects.get(reference="MINE-1")
    signed_in(client, people, "mine", Role.SUPERVISOR)
    assert (
        client.post(
            reverse("orders:privacy_erase"), {"email": ANN.email, "reason": "Asked"}
        ).status_code
        == 302
    )

    correct = client.get(reverse("orders:correct", args=[rejected.pk]), follow=True)
    amend = client.get(reverse("orders:amend", args=[sent.pk]), follow=True)
    sent_page = client.get(reverse("orders:detail", args=[sent.pk])).content.decode()

    assert "Only an order that Clarus refused or that was not sent can be corrected." in (
        correct.content.decode()
    )
    assert "personal data was removed, so it can no longer be amended" in amend.content.decode()
    assert reverse("orders:amend", args=[sent.pk]) not in sent_page


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        (OrderStatus.HELD, "MINE-2 is awaiting approval: approve it, or refuse it and then"),
        (OrderStatus.DECLINED, "MINE-2 is not approved: withdraw it, or correct it and send"),
        (OrderStatus.FAILED, "MINE-2 is not sent: send it again, or withdraw it"),
        (OrderStatus.UNKNOWN, "MINE-2 is on its way to Clarus: wait for Clarus&#x27;s answer"),
    ],
)
def test_a_refused_erasure_says_what_to_do_with_each_order_in_the_way(client, desk, status, advice):
    # An order awaiting approval is not "on its way to Clarus": the supervisor must be told to
    # approve or refuse it, which is what lets the person be erased.
    mine, _other, people = desk
    footprint(
        mine, people["mine", Role.AGENT], ANN, reference="MINE-2", status=status, with_draft=False
    )
    signed_in(client, people, "mine", Role.SUPERVISOR)

    response = client.post(reverse("orders:privacy_erase"), {"email": ANN.email, "reason": "x"})

    assert response.status_code == 409
    page = response.content.decode()
    assert advice in page
    assert "MINE-1 is" not in page


def test_a_shorter_retention_period_that_removes_data_now_asks_first(client, desk):
    # Typing 1 for 12 would take a year of callers' details at the next sweep, for good.
    mine, other, people = desk
    footprint(mine, people["mine", Role.AGENT], ANN, reference="MINE-OLD", with_draft=False)
    Order.objects.filter(reference="MINE-OLD").update(
        created_at=timezone.now() - timedelta(days=100)
    )
    footprint(other, people["other", Role.AGENT], ANN, reference="OTHER-OLD", with_draft=False)
    Order.objects.filter(reference="OTHER-OLD").update(
        created_at=timezone.now() - timedelta(days=100)
    )
    Tenant.objects.filter(pk=mine.pk).update(retention_months=12)
    signed_in(client, people, "mine", Role.TENANT_ADMIN)

    asked = client.post(reverse("tenants:retention"), {"retention_months": "1"})
    mine.refresh_from_db()
    kept_while_asking = mine.retention_months
    confirmed = client.post(
        reverse("tenants:retention"), {"retention_months": "1", "confirmed": "yes"}
    )
    mine.refresh_from_db()

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "Remove personal data from 1 order now?" in page
    assert 'name="retention_months" value="1"' in page
    assert 'id="retention-cancel" autofocus' in page
    assert kept_while_asking == 12
    assert confirmed.status_code == 302
    assert mine.retention_months == 1


def test_a_longer_period_or_one_that_removes_nothing_yet_is_saved_at_once(client, desk):
    mine, _other, people = desk
    Tenant.objects.filter(pk=mine.pk).update(retention_months=12)
    Order.objects.filter(tenant=mine).update(created_at=timezone.now() - timedelta(days=100))
    signed_in(client, people, "mine", Role.TENANT_ADMIN)

    longer = client.post(reverse("tenants:retention"), {"retention_months": "24"})
    nothing_due = client.post(reverse("tenants:retention"), {"retention_months": "6"})
    mine.refresh_from_db()

    assert (longer.status_code, nothing_due.status_code) == (302, 302)
    assert mine.retention_months == 6
