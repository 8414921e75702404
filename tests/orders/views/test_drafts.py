"""Drafts of the entry form: autosaved (htmx), listed, resumed exactly, sent once, purged; never
another tenant's, never logged."""

import json
import logging
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from orders.models import Draft, Membership, Order, Role
from orders.services.drafts import draft_save, drafts_purge
from tests.orders.factories import order_post_data

HTMX = {"HTTP_HX_REQUEST": "true"}
SAVE = reverse("orders:draft_save")


def half_keyed(tenant, token=None, **overrides):
    """The entry form half keyed: a reference, one line picked, an address, a caller."""
    data = order_post_data(
        tenant.pk,
        token or str(uuid.uuid4()),
        [("501", "")],
        expected_date_of_dispatch="",
        caller="0113 496 0123",
        caller_order="17",
        account="ACME · Acme Ltd",
        account_label='{"code": "ACME", "name": "Acme Ltd"}',
        **{"lines-0-product": "MUG-BLK", "lines-0-description": "Black mug"},
    )
    data.update(overrides)
    return data


def test_autosave_keeps_the_whole_form_and_says_when(agent_client, agent, tenant):
    data = half_keyed(tenant)

    response = agent_client.post(SAVE, data, **HTMX)

    draft = Draft.objects.get()
    assert response.status_code == 200
    assert "Draft saved at" in response.content.decode()
    assert (draft.tenant, draft.created_by) == (tenant, agent)
    assert str(draft.form_token) == data["form_token"]
    assert draft.form_data["caller"] == ["0113 496 0123"]
    assert draft.form_data["lines-0-product"] == ["MUG-BLK"]
    assert "csrfmiddlewaretoken" not in draft.form_data
    assert draft.reference == "SO-1001"
    assert draft.summary == "1 line · ACME · Acme Ltd · Jo Bloggs Ltd, ls1 4ap"

    # Saved again as the agent goes on: the same draft.
    data["reference"] = "SO-1002"
    agent_client.post(SAVE, data, **HTMX)
    assert Draft.objects.get().reference == "SO-1002"


def test_an_autosave_asked_for_as_a_page_saves_nothing(agent_client, tenant):
    response = agent_client.post(SAVE, half_keyed(tenant))

    assert response.status_code == 302
    assert not Draft.objects.exists()


def test_a_damaged_form_is_not_saved_and_says_so(agent_client, tenant):
    response = agent_client.post(SAVE, half_keyed(tenant, form_token="nope"), **HTMX)

    assert "Not saved as a draft" in response.content.decode()
    assert not Draft.objects.exists()


def test_resuming_shows_the_draft_exactly_as_it_was_left_without_errors(agent_client, tenant):
    data = half_keyed(tenant)
    agent_client.post(SAVE, data, **HTMX)
    draft = Draft.objects.get()

    html = agent_client.get(draft.get_absolute_url()).content.decode()

    assert f'name="form_token" value="{data["form_token"]}"' in html
    assert 'value="SO-1001"' in html
    assert 'value="MUG-BLK"' in html
    assert 'name="lines-0-product_id" value="501"' in html
    assert 'value="0113 496 0123"' in html
    assert 'id="caller-order" value="17"' in html
    assert 'value="Jo Bloggs Ltd"' in html
    assert "Resumed draft SO-1001" in html
    # A half-keyed order is not a wrong one: no error is shown for what is still to key.
    assert 'role="alert">' not in html
    assert "Please correct" not in html


def test_sending_a_draft_makes_one_order_and_the_draft_goes(agent_client, tenant, settings):
    data = order_post_data(tenant.pk, str(uuid.uuid4()))
    agent_client.post(SAVE, data, **HTMX)

    # Sent twice (two tabs of the same draft), then an autosave that was on its way.
    agent_client.post(reverse("orders:create"), data)
    agent_client.post(reverse("orders:create"), data)
    late = agent_client.post(SAVE, data, **HTMX)

    assert Order.objects.count() == 1
    assert not Draft.objects.exists()
    assert "This order is saved already" in late.content.decode()


def test_a_draft_left_behind_by_a_race_is_not_listed_and_opens_its_order(
    agent_client, agent, tenant
):
    data = order_post_data(tenant.pk, str(uuid.uuid4()))
    agent_client.post(reverse("orders:create"), data)
    order = Order.objects.get()
    draft = Draft.objects.create(
        tenant=tenant,
        created_by=agent,
        form_token=order.form_token,
        form_data={"reference": ["SO-1001"]},
        updated_at=timezone.now(),
    )

    listing = agent_client.get(reverse("orders:drafts")).content.decode()
    response = agent_client.get(draft.get_absolute_url())

    assert draft.get_absolute_url() not in listing
    assert response["Location"] == order.get_absolute_url()


def test_my_drafts_are_mine_and_a_supervisor_sees_the_tenants(client, tenant, agent):
    colleague = User.objects.create_user("colleague")
    boss = User.objects.create_user("boss")
    Membership.objects.create(user=colleague, tenant=tenant, role=Role.AGENT)
    Membership.objects.create(user=boss, tenant=tenant, role=Role.SUPERVISOR)
    for user, reference in ((agent, "MINE-1"), (colleague, "THEIRS-1")):
        client.force_login(user)
        client.post(SAVE, half_keyed(tenant, reference=reference), **HTMX)
    theirs = Draft.objects.get(reference="THEIRS-1")

    client.force_login(agent)
    mine = client.get(reverse("orders:drafts")).content.decode()
    refused = client.get(theirs.get_absolute_url())
    client.force_login(boss)
    everyone = client.get(reverse("orders:drafts")).content.decode()
    opened = client.get(theirs.get_absolute_url())

    assert "MINE-1" in mine
    assert "THEIRS-1" not in mine
    assert refused["Location"] == reverse("orders:create")
    assert "MINE-1" in everyone
    assert "THEIRS-1" in everyone
    assert opened.status_code == 200
    assert "by colleague" in opened.content.decode()


def test_nobody_saves_over_someone_elses_draft(client, tenant, agent):
    colleague = User.objects.create_user("colleague")
    Membership.objects.create(user=colleague, tenant=tenant, role=Role.AGENT)
    data = half_keyed(tenant)
    client.force_login(agent)
    client.post(SAVE, data, **HTMX)

    client.force_login(colleague)
    response = client.post(SAVE, {**data, "reference": "HIJACKED"}, **HTMX)

    assert response.status_code == 403
    assert Draft.objects.get().reference == "SO-1001"


def test_a_draft_is_kept_in_the_tenant_it_was_started_in(tenant, agent, make_tenant):
    other = make_tenant(subdomain="other")
    Membership.objects.create(user=agent, tenant=other, role=Role.AGENT)
    memberships = list(Membership.objects.filter(user=agent))
    token = uuid.uuid4()
    draft_save(
        user=agent,
        memberships=memberships,
        tenant=tenant,
        form_token=token,
        form_data={},
        reference="",
        summary="",
    )

    with pytest.raises(PermissionDenied):
        draft_save(
            user=agent,
            memberships=memberships,
            tenant=other,
            form_token=token,
            form_data={},
            reference="",
            summary="",
        )
    assert Draft.objects.get().tenant == tenant


def test_deleting_a_draft(agent_client, tenant):
    agent_client.post(SAVE, half_keyed(tenant), **HTMX)
    draft = Draft.objects.get()

    response = agent_client.post(reverse("orders:draft_delete", args=[draft.pk]))

    assert response["Location"] == reverse("orders:drafts")
    assert not Draft.objects.exists()


def test_drafts_untouched_for_the_set_days_are_purged(agent, tenant, settings):
    settings.DESK_DRAFT_DAYS = 14
    now = timezone.now()
    for days, reference in ((15, "STALE"), (13, "FRESH")):
        Draft.objects.create(
            tenant=tenant,
            created_by=agent,
            form_token=uuid.uuid4(),
            reference=reference,
            updated_at=now - timedelta(days=days),
        )

    assert drafts_purge(now=now) == 1
    assert list(Draft.objects.values_list("reference", flat=True)) == ["FRESH"]
    settings.DESK_DRAFT_DAYS = 7
    assert drafts_purge(now=now) == 1
    assert not Draft.objects.exists()


def test_the_worker_sweep_purges_stale_drafts(agent, tenant):
    from orders.tasks import delivery_sweep

    Draft.objects.create(
        tenant=tenant,
        created_by=agent,
        form_token=uuid.uuid4(),
        updated_at=timezone.now() - timedelta(days=30),
    )

    delivery_sweep.call()

    assert not Draft.objects.exists()


def test_personal_data_in_a_draft_never_reaches_the_logs(agent_client, tenant, caplog):
    caplog.set_level(logging.DEBUG)
    data = half_keyed(
        tenant,
        delivery_name="Zebedee Quartermaine",
        delivery_email="zebedee@example.com",
        delivery_phone="07700 900123",
    )

    agent_client.post(SAVE, data, **HTMX)
    draft = Draft.objects.get()
    agent_client.get(draft.get_absolute_url())
    agent_client.get(reverse("orders:drafts"))

    logged = "\n".join(record.getMessage() for record in caplog.records)
    for personal in ("Zebedee", "zebedee@example.com", "07700", "0113 496 0123"):
        assert personal not in logged


def test_a_correction_is_not_saved_as_a_draft(agent_client, agent, tenant):
    data = order_post_data(tenant.pk, str(uuid.uuid4()))
    agent_client.post(reverse("orders:create"), data)
    order = Order.objects.get()
    Order.objects.filter(pk=order.pk).update(status="rejected")

    html = agent_client.get(reverse("orders:correct", args=[order.pk])).content.decode()

    assert 'id="draft-autosave"' not in html


def test_a_saved_draft_gives_the_page_its_address(agent_client, tenant):
    response = agent_client.post(SAVE, half_keyed(tenant), **HTMX)

    draft = Draft.objects.get()
    assert json.loads(response["HX-Trigger"]) == {"draft:saved": {"url": draft.get_absolute_url()}}
    # Resumed at that address: the same form, so the next save is the same draft.
    page = agent_client.get(draft.get_absolute_url()).content.decode()
    assert f'value="{draft.form_token}"' in page


def test_a_save_that_keeps_nothing_leaves_the_address_alone(agent_client, tenant):
    out_of_date = agent_client.post(SAVE, half_keyed(tenant, form_token="nope"), **HTMX)
    data = order_post_data(tenant.pk, str(uuid.uuid4()))
    agent_client.post(reverse("orders:create"), data)
    sent_already = agent_client.post(SAVE, data, **HTMX)

    assert "HX-Trigger" not in out_of_date
    assert "saved already" in sent_already.content.decode()
    assert "HX-Trigger" not in sent_already
    assert not Draft.objects.exists()


def test_a_draft_no_longer_kept_opens_a_new_order_saying_so(client, tenant, agent):
    colleague = User.objects.create_user("colleague")
    Membership.objects.create(user=colleague, tenant=tenant, role=Role.AGENT)
    client.force_login(colleague)
    client.post(SAVE, half_keyed(tenant, reference="THEIRS-9"), **HTMX)
    theirs = Draft.objects.get()
    client.force_login(agent)
    client.post(SAVE, half_keyed(tenant, reference="MINE-9"), **HTMX)
    mine = Draft.objects.get(reference="MINE-9")
    client.post(reverse("orders:draft_delete", args=[mine.pk]))

    answers = [
        client.get(url, follow=True)
        for url in (mine.get_absolute_url(), theirs.get_absolute_url(), "/orders/drafts/999999/")
    ]

    for answer in answers:
        page = answer.content.decode()
        assert answer.redirect_chain == [(reverse("orders:create"), 302)]
        assert "That draft is no longer kept" in page
        assert 'id="order-form"' in page
        assert "THEIRS-9" not in page
        assert "MINE-9" not in page
    # Nothing says which of them was someone else's.
    assert len({answer.content.count(b"<input") for answer in answers}) == 1
