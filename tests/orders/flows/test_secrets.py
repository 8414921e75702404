"""No secret or token ever reaches the audit trail, the logs or a page, whatever goes wrong."""

import json
import logging
import uuid

import pytest
from django.contrib.auth.models import User
from django.core import serializers
from django.urls import reverse

from orders.domain import KeyedOrder
from orders.models import Membership, Order, Role, SubmissionAttempt, Tenant
from orders.services.submission import order_submit
from sandbox.models import SandboxSubdomain
from tests.conftest import SANDBOX_CLIENT_SECRET
from tests.orders.factories import address_of, cleaned_order, header_of, lines

pytestmark = pytest.mark.django_db(transaction=True)


def submit(tenant, user, **overrides):
    cleaned = cleaned_order(**overrides)
    keyed = KeyedOrder(
        tenant=tenant,
        header=header_of(cleaned),
        lines=lines(2),
        address=address_of(cleaned),
    )
    return order_submit(form_token=uuid.uuid4(), keyed=keyed, user=user)


def test_no_secret_or_token_in_audit_logs_or_pages(sandbox_tenant, client, caplog):
    caplog.set_level(logging.DEBUG)
    user = User.objects.create_user("super")
    Membership.objects.create(user=user, tenant=sandbox_tenant, role=Role.SUPERVISOR)
    admin = User.objects.create_user("admin")
    Membership.objects.create(user=admin, tenant=sandbox_tenant, role=Role.TENANT_ADMIN)

    submit(sandbox_tenant, user, reference="OK-1")
    submit(sandbox_tenant, user, reference="BAD-1", priority=0)
    SandboxSubdomain.objects.filter(slug="acme").update(forced_status=500)
    submit(sandbox_tenant, user, reference="DOWN-1")
    SandboxSubdomain.objects.filter(slug="acme").update(forced_status=None)
    sandbox_tenant.refresh_from_db()
    used_token = sandbox_tenant.access_token
    # A token Clarus no longer accepts, then credentials it refuses.
    Tenant.objects.filter(pk=sandbox_tenant.pk).update(access_token="")
    sandbox_tenant.refresh_from_db()
    sandbox_tenant.access_token = "stale-token-0123456789"
    sandbox_tenant.save()
    submit(sandbox_tenant, user, reference="STALE-1")
    sandbox_tenant.refresh_from_db()
    second_token = sandbox_tenant.access_token
    sandbox_tenant.client_secret = "wrong-secret-0123456789"
    sandbox_tenant.access_token = ""
    sandbox_tenant.save()
    submit(sandbox_tenant, user, reference="REFUSED-1")

    secrets = {SANDBOX_CLIENT_SECRET, "wrong-secret-0123456789", used_token, second_token}
    secrets.discard("")
    assert len(secrets) == 4

    audit = serializers.serialize("json", [*SubmissionAttempt.objects.all(), *Order.objects.all()])
    client.force_login(user)
    pages = [client.get(reverse("orders:list")).content.decode()]
    pages += [
        client.get(order.get_absolute_url()).content.decode() for order in Order.objects.all()
    ]
    client.force_login(admin)
    pages.append(client.get(reverse("tenants:settings")).content.decode())
    logs = "\n".join(record.getMessage() for record in caplog.records) + caplog.text

    assert SubmissionAttempt.objects.count() >= 6
    for secret in secrets:
        assert secret not in audit
        assert secret not in logs
        assert all(secret not in page for page in pages)
    # The pages did show the attempts (so the search above looked at real content).
    assert "[redacted]" in "".join(pages)
    assert json.loads(audit)


class NetworkFailure(Exception):
    pass


def _fail(request):
    raise NetworkFailure("the network library failed")


def _report_of_a_failed_token_request(tenant):
    import sys

    import httpx
    from django.views.debug import ExceptionReporter

    from orders import clarus

    try:
        clarus.post_json(tenant, "goods_outs", {}, transport=httpx.MockTransport(_fail))
    except NetworkFailure:
        return ExceptionReporter(None, *sys.exc_info()).get_traceback_html()
    raise AssertionError("the error should have reached the caller")


def test_error_reports_never_show_clarus_credentials(make_tenant):
    import base64

    # Built at run time, so the report's source excerpts cannot contain it.
    secret = "-".join(["report", "secret", str(len("0123456789"))])
    report = _report_of_a_failed_token_request(make_tenant(client_secret=secret))

    assert "the network library failed" in report
    assert secret not in report
    assert base64.b64encode(f"client-id:{secret}".encode()).decode() not in report
