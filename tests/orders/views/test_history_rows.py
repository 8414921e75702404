"""The history's rows written in Python (``{% history_rows %}``) are the rows the template wrote."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from orders.models import Membership, Order, OrderStatus, Role
from orders.selectors.history import HistoryFilters, history_page
from orders.templatetags.desk import history_rows

# templates/orders/history.html's rows before {% history_rows %}, as they were.
ROWS_TEMPLATE = Template(
    """{% for order in orders %}
    <tr>
      <td>{{ order.created_at|date:"j M Y H:i" }}</td>
      <td><a href="{{ order.get_absolute_url }}">{{ order.reference }}</a></td>
      <td>{{ order.tenant }}</td>
      <td>{% with seen=order.labels.account_id %}{% if seen.code %}<abbr title="Clarus id {{ order.account_id }}{% if seen.name %}: {{ seen.name }}{% endif %}">{{ seen.code }}</abbr>{% else %}{{ order.account_id }}{% endif %}{% endwith %}</td>
      <td>{{ order.line_count }}</td>
      <td>{{ order.created_by.get_username }}</td>
      <td><span class="status status-{{ order.status }}">{{ order.get_status_display }}</span></td>
      <td>{{ order.clarus_id|default:"—" }}</td>
      <td>{{ order.attempt_count }}</td>
      <td>{% if order.response_ms is not None %}{{ order.response_ms }} ms{% else %}—{% endif %}</td>
      <td>{{ order.postcode|default:"—" }}</td>
    </tr>
    {% endfor %}"""  # noqa: E501
)

TEXT = st.text(alphabet=st.sampled_from("aZ09 <>&\"'é—;"), max_size=12)
LABELS: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.just({}),
    st.fixed_dictionaries({"account_id": st.fixed_dictionaries({"code": TEXT, "name": TEXT})}),
    st.fixed_dictionaries({"account_id": st.fixed_dictionaries({"code": TEXT})}),
    st.just({"account_id": "not a dict"}),
)


@pytest.fixture
def owner(make_tenant):
    tenant = make_tenant(name="Acme <3PL> & Co")
    user = User.objects.create_user("ann<&>")
    membership = Membership.objects.create(user=user, tenant=tenant, role=Role.AGENT)
    return tenant, user, membership


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    reference=TEXT.filter(str.strip),
    postcode=st.one_of(st.just(""), TEXT),
    labels=LABELS,
    clarus_id=st.one_of(st.none(), st.integers(0, 10**9)),
    status=st.sampled_from(list(OrderStatus)),
    minutes=st.integers(0, 600 * 24 * 60),
)
def test_rows_are_the_rows_the_template_wrote(
    owner, reference, postcode, labels, clarus_id, status, minutes
):
    tenant, user, membership = owner
    Order.objects.all().delete()
    order = Order.objects.create(
        tenant=tenant,
        created_by=user,
        reference=reference,
        account_id=7,
        postcode=postcode,
        labels=labels,
        clarus_id=clarus_id,
        status=status,
    )
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    rows = history_page(user=user, memberships=[membership], filters=HistoryFilters()).orders
    assert len(rows) == 1

    assert history_rows(rows) == ROWS_TEMPLATE.render(Context({"orders": rows}))


def test_no_rows_no_markup():
    assert history_rows([]) == ""


def test_rows_leave_the_tenant_secrets_and_the_document_unread(owner):
    """The tenant is the membership's (its Clarus secrets decrypted once per request, not once
    per row); the order's document and the agent's other columns are not read."""
    tenant, user, membership = owner
    Order.objects.create(tenant=tenant, created_by=user, reference="R-1", account_id=7)

    with CaptureQueriesContext(connection) as queries:
        (row,) = history_page(user=user, memberships=[membership], filters=HistoryFilters()).orders
        assert str(row.tenant) == "Acme <3PL> & Co"
        assert row.created_by.get_username() == "ann<&>"

    assert len(queries) == 1
    assert "orders_tenant" not in queries[0]["sql"]
    assert row.tenant is membership.tenant
    assert {"header", "address"} <= row.get_deferred_fields()
    assert {"password", "email"} <= row.created_by.get_deferred_fields()
