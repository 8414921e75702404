"""A request starts the idle sign-out again, writing the session at most once a minute."""

import time
from datetime import timedelta
from typing import Any

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clarus_admin.middleware import RENEW_EVERY_SECONDS, RENEWED_KEY
from orders.models import Membership, Role

LINE_ROW = reverse("orders:line_row")
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in_agent(agent_client: Any, agent: Any, make_tenant: Any) -> Any:
    Membership.objects.create(user=agent, tenant=make_tenant(), role=Role.AGENT)
    assert agent_client.get(reverse("orders:create")).status_code == 200
    return agent_client


def expiry() -> Any:
    return Session.objects.get().expire_date


def test_a_request_within_the_minute_writes_nothing(agent_client, agent, make_tenant, settings):
    client = signed_in_agent(agent_client, agent, make_tenant)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    before = expiry()

    with CaptureQueriesContext(connection) as queries:
        assert client.get(LINE_ROW, {"lines-TOTAL_FORMS": "1"}, **HTMX).status_code == 200

    assert expiry() == before
    assert not [
        query for query in queries if "django_session" in query["sql"] and "UPDATE" in query["sql"]
    ]


def test_a_request_a_minute_after_the_last_renewal_starts_the_idle_time_again(
    agent_client, agent, make_tenant, settings
):
    client = signed_in_agent(agent_client, agent, make_tenant)
    session = client.session
    session[RENEWED_KEY] = int(time.time()) - RENEW_EVERY_SECONDS
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))

    assert client.get(LINE_ROW, {"lines-TOTAL_FORMS": "1"}, **HTMX).status_code == 200

    renewed = expiry() - timezone.now()
    assert timedelta(seconds=settings.SESSION_COOKIE_AGE - 30) < renewed
    assert client.session[RENEWED_KEY] >= int(time.time()) - 5


def test_a_session_idle_for_its_age_ends_even_if_renewed_a_moment_before(
    agent_client, agent, make_tenant
):
    client = signed_in_agent(agent_client, agent, make_tenant)

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("orders:create"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
