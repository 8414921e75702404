"""Correcting a refused order and sending it again, and copying an old order into a new one."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from orders.forms.entry import (
    OrderForm,
    line_formset,
    order_entry_data,
    order_entry_initial,
)
from orders.models import (
    AttemptOutcome,
    Membership,
    Order,
    OrderLine,
    OrderStatus,
    Role,
    SubmissionAttempt,
)
from sandbox.catalogue import Product
from tests.orders.factories import order_post_data

CREATE = reverse("orders:create")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def staff(catalogue_tenant):
    """An agent, a colleague of theirs, a supervisor and a tenant admin of the sandbox tenant."""
    people = {}
    for name, role in (
        ("agent", Role.AGENT),
        ("colleague", Role.AGENT),
        ("supervisor", Role.SUPERVISOR),
        ("admin", Role.TENANT_ADMIN),
    ):
        people[name] = User.objects.create_user(name)
        Membership.objects.create(user=people[name], tenant=catalogue_tenant, role=role)
    return people


def products(count):
    return list(Product.objects.filter(subdomain__slug="acme").order_by("pk")[:count])


@pytest.fixture
def refused(client, catalogue_tenant, staff):
    """An order the agent keyed with a product id Clarus does not have: Clarus refused line 2."""
    first = products(1)[0]
    unknown = str(first.pk + 100_000)
    client.force_login(staff["agent"])
    data = order_post_data(
        catalogue_tenant.pk,
        str(uuid.uuid4()),
        [(str(first.pk), "2"), (unknown, "5")],
        reference="PHONE-77",
        delivery_postcode="hx1 1aa",
        **{"lines-0-product": first.code, "lines-0-description": first.description},
    )
    client.post(CREATE, data)
    client.logout()
    order = Order.objects.get(reference="PHONE-77")
    assert order.status == OrderStatus.REJECTED
    return order


@pytest.mark.django_db(transaction=True)
def test_the_order_page_says_what_clarus_said_in_the_forms_words(client, refused, staff):
    client.force_login(staff["supervisor"])

    page = client.get(refused.get_absolute_url()).content.decode()

    assert 'id="clarus-reasons"' in page
    assert "<strong>Line 2, product</strong>: there is no product with id" in page
    assert f'href="{reverse("orders:correct", args=[refused.pk])}"' in page
    assert f'href="{reverse("orders:copy", args=[refused.pk])}"' in page


@pytest.mark.django_db(transaction=True)
def test_the_correction_page_shows_the_order_as_sent_with_clarus_reason_beside_the_line(
    client, refused, staff
):
    client.force_login(staff["supervisor"])

    response = client.get(reverse("orders:correct", args=[refused.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Correct order PHONE-77 and send it again" in html
    assert f'value="{refused.form_token}"' in html
    assert f'action="{reverse("orders:correct", args=[refused.pk])}"' in html
    assert 'value="PHONE-77"' in html
    assert 'value="HX1 1AA"' in html
    assert "there is no product with id" in html
    assert 'class="line-row has-error"' in html
    form = response.context["form"]
    assert form.has_one_tenant


@pytest.mark.django_db(transaction=True)
def test_a_corrected_order_is_the_same_order_with_a_new_attempt_and_the_old_kept(
    client, refused, staff
):
    first, second = products(2)
    client.force_login(staff["supervisor"])
    data = order_entry_data(refused)
    data["lines-1-product_id"] = str(second.pk)
    data["lines-1-product"] = second.code

    response = client.post(reverse("orders:correct", args=[refused.pk]), data)

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.pk == refused.pk
    assert order.status == OrderStatus.SENT
    assert order.created_by == staff["agent"]
    assert [a.outcome for a in order.attempts.all()] == [
        AttemptOutcome.SENT,
        AttemptOutcome.REJECTED,
    ]
    assert list(order.lines.values_list("product_id", flat=True)) == [first.pk, second.pk]
    corrected = order.transitions.get(reason="Corrected by supervisor.")
    assert corrected.user == staff["supervisor"]
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Changed since the attempt before" in page
    assert "lines_changes[1].attributes.product_id" in page


@pytest.mark.django_db(transaction=True)
def test_a_correction_clarus_refuses_again_comes_back_with_the_typing_kept(client, refused, staff):
    client.force_login(staff["agent"])
    data = order_entry_data(refused)
    data["delivery_town"] = "Halifax"

    response = client.post(reverse("orders:correct", args=[refused.pk]), data, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Clarus rejected the order" in html
    assert 'value="Halifax"' in html
    assert refused.attempts.count() == 2
    assert Order.objects.get().status == OrderStatus.REJECTED


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("who", "status"), [("agent", 200), ("supervisor", 200), ("colleague", 404), ("admin", 404)]
)
def test_who_may_correct(client, refused, staff, who, status):
    client.force_login(staff[who])

    response = client.get(reverse("orders:correct", args=[refused.pk]))

    assert response.status_code == status


@pytest.mark.django_db(transaction=True)
def test_a_colleague_cannot_correct_by_posting_the_orders_form_token(client, refused, staff):
    client.force_login(staff["colleague"])
    data = order_entry_data(refused)

    response = client.post(CREATE, data)

    assert response.status_code == 403
    assert refused.attempts.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_sent_order_cannot_be_corrected(client, catalogue_tenant, staff):
    first = products(1)[0]
    client.force_login(staff["agent"])
    client.post(
        CREATE, order_post_data(catalogue_tenant.pk, str(uuid.uuid4()), [(str(first.pk), "1")])
    )
    order = Order.objects.get()
    assert order.status == OrderStatus.SENT

    response = client.get(reverse("orders:correct", args=[order.pk]), follow=True)

    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    assert "can be corrected" in response.content.decode()
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'id="correct-order"' not in page
    assert 'id="copy-order"' in page


@pytest.mark.django_db(transaction=True)
def test_copy_starts_a_new_order_with_the_old_ones_lines_and_address(client, refused, staff):
    client.force_login(staff["agent"])

    response = client.get(reverse("orders:copy", args=[refused.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Copied from order" in html
    assert f'action="{CREATE}"' in html
    assert str(refused.form_token) not in html
    assert 'value="PHONE-77"' not in html
    assert 'value="HX1 1AA"' in html
    assert f'value="{products(1)[0].code}"' in html
    assert 'name="lines-INITIAL_FORMS" value="0"' in html
    assert 'name="lines-TOTAL_FORMS" value="2"' in html


@pytest.mark.django_db(transaction=True)
def test_a_copy_sent_with_its_own_reference_is_a_second_order(client, refused, staff):
    first = products(1)[0]
    client.force_login(staff["agent"])
    initial = order_entry_initial(refused, fresh=True)
    data = order_entry_data(refused)
    data.update(
        form_token=str(uuid.uuid4()),
        reference="PHONE-78",
        expected_date_of_dispatch="2026-12-03T10:00",
        **{"lines-1-product_id": str(first.pk), "lines-1-product": first.code},
    )
    assert "reference" not in initial.header

    response = client.post(CREATE, data)

    assert response.status_code == 302
    copy = Order.objects.get(reference="PHONE-78")
    assert copy.pk != refused.pk
    assert copy.status == OrderStatus.SENT
    refused.refresh_from_db()
    assert refused.status == OrderStatus.REJECTED
    assert copy.address == refused.address


@pytest.mark.django_db
def test_entry_data_round_trips_through_the_form(make_tenant, agent):
    tenant = make_tenant()
    order = Order.objects.create(
        tenant=tenant,
        created_by=agent,
        reference="R-1",
        account_id=7,
        header={
            "goods_out_type": "sales_order",
            "account_id": 7,
            "reference": "R-1",
            "expected_date_of_dispatch": "2026-12-01T14:30:00+00:00",
            "carrier_id": 4,
        },
        labels={"account_id": {"code": "ACME", "name": "Acme Ltd"}},
        address={"name": "Jo", "postcode": "LS1 4AP", "country_code": "GB"},
    )
    OrderLine.objects.create(order=order, position=1, product_id=5, quantity=Decimal("10.000"))
    OrderLine.objects.create(order=order, position=2, product_id=6, quantity=Decimal("0.250"))

    data = order_entry_data(order)
    form, formset = OrderForm(data, tenants=[tenant]), line_formset(data)

    assert form.is_valid(), form.errors
    assert formset.is_valid(), formset.errors
    assert data["account"] == "ACME · Acme Ltd"
    assert data["carrier"] == "4"
    assert [line.quantity for line in formset.lines()] == [Decimal("10"), Decimal("0.25")]
    assert data["lines-0-quantity"] == "10"
    dispatch = form.cleaned_data["expected_date_of_dispatch"]
    assert dispatch == datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    assert form.labels() == {"account_id": {"code": "ACME", "name": "Acme Ltd"}}


@pytest.mark.django_db(transaction=True)
def test_an_order_an_unanswered_try_may_have_delivered_cannot_be_changed(client, refused, staff):
    Order.objects.filter(pk=refused.pk).update(status=OrderStatus.FAILED)
    SubmissionAttempt.objects.create(
        order=refused,
        tenant=refused.tenant,
        started_at=timezone.now(),
        duration_ms=20_000,
        method="POST",
        url="https://clarus.example/api/goods_outs",
        request_headers={},
        request_body="{}",
        outcome=AttemptOutcome.NO_ANSWER,
    )
    client.force_login(staff["supervisor"])

    page = client.get(refused.get_absolute_url()).content.decode()
    correcting = client.get(reverse("orders:correct", args=[refused.pk]))
    data = order_entry_data(refused)
    data["delivery_town"] = "Halifax"
    posted = client.post(CREATE, data, follow=True)

    assert 'id="correct-order"' not in page
    assert correcting.status_code == 302
    assert "may have reached Clarus" in posted.content.decode()
    assert refused.attempts.count() == 2
    refused.refresh_from_db()
    assert refused.address["address_3"] == "Leeds"
