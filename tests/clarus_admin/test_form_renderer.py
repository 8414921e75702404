"""The desk's form renderer writes every widget exactly as Django's templates do."""

from typing import Any

from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from clarus_admin.form_renderer import FAST as WRITTEN_IN_PYTHON
from clarus_admin.form_renderer import DeskFormRenderer
from orders.forms.dashboard import DashboardFilterForm
from orders.forms.entry import OrderForm, OrderLineForm, line_form, line_formset
from orders.forms.history import HistoryFilterForm
from orders.forms.orders import CancelForm
from orders.forms.tenants import StaffInviteForm, TenantConnectionForm
from orders.models import Membership

FAST = DeskFormRenderer()
DJANGO = DjangoTemplates()


def both_ways(form: forms.BaseForm) -> list[tuple[str, str, str]]:
    """Return each field's widget as Django's templates write it and as the desk's renderer."""
    rendered = []
    for name in form.fields:
        form.renderer = DJANGO
        slow = str(form[name])
        form.renderer = FAST
        rendered.append((name, slow, str(form[name])))
    return rendered


def assert_same(form: forms.BaseForm) -> None:
    for name, slow, fast in both_ways(form):
        assert fast == slow, name


def test_the_desk_renders_forms_with_its_renderer() -> None:
    assert settings.FORM_RENDERER == "clarus_admin.form_renderer.DeskFormRenderer"
    assert isinstance(get_default_renderer(), DeskFormRenderer)
    # Every template it writes in Python is Django's own here: none is handed back.
    assert set(FAST.fast) == set(WRITTEN_IN_PYTHON)
    assert "django/forms/widgets/select.html" in FAST.fast


def test_the_entry_form_is_written_as_django_writes_it(make_tenant: Any) -> None:
    one = make_tenant(subdomain="one", name="One & <Sons>")
    two = make_tenant(subdomain="two", name='Two "quoted"')
    assert_same(OrderForm(tenants=[one]))
    assert_same(OrderForm(tenants=[one, two]))
    posted = {
        "tenant": str(two.pk),
        "reference": '<b>"R&D"</b>',
        "delivery_country": "FR",
        "priority": "0",
        "expected_date_of_dispatch": "not a date",
        "delivery_notes": "line one\n<script>x</script>",
        "account": "ACME & co",
        "account_id": "12",
        "account_label": '{"code": "AC<", "name": "Acme \\"Ltd\\""}',
        "warehouse_id": "x",
    }
    bound = OrderForm(posted, tenants=[one, two])
    assert not bound.is_valid()
    assert_same(bound)
    formset = line_formset()
    assert_same(formset.management_form)
    assert_same(line_form(formset, 3, product="<MUG>", quantity="2"))
    assert_same(OrderLineForm({"product": "a\"b'c", "quantity": "-1", "available": "3.5"}))


def test_every_other_form_of_the_desk_is_written_as_django_writes_it(
    agent: Any, make_tenant: Any
) -> None:
    tenant = make_tenant()
    membership = Membership.objects.create(user=agent, tenant=tenant, role="supervisor")
    assert_same(HistoryFilterForm(None, memberships=[membership], current=membership, user=agent))
    assert_same(
        HistoryFilterForm(
            {"q": "<x>", "status": "sent", "date_from": "2026-13-01"},
            memberships=[membership],
            current=membership,
            user=agent,
        )
    )
    assert_same(DashboardFilterForm(None, memberships=[membership], current=membership))
    assert_same(CancelForm({"reason": '"why" & <how>'}))
    assert_same(TenantConnectionForm(instance=tenant))
    assert_same(StaffInviteForm({"username": "<bad>", "role": "nobody"}))


class Anything(forms.Form):
    text = forms.CharField()
    notes = forms.CharField(widget=forms.Textarea)
    number = forms.IntegerField()
    choice = forms.ChoiceField(choices=[])
    hidden = forms.CharField(widget=forms.HiddenInput)


texts = st.text(st.characters(codec="utf-8"), max_size=12)
attr_values = st.one_of(st.booleans(), texts, st.integers(), texts.map(mark_safe))


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    values=st.dictionaries(st.sampled_from(["text", "notes", "number", "choice", "hidden"]), texts),
    attrs=st.dictionaries(st.from_regex(r"[a-z][a-z-]{0,8}", fullmatch=True), attr_values),
    choices=st.lists(st.tuples(texts, texts), max_size=4),
    groups=st.lists(st.tuples(texts, st.lists(st.tuples(texts, texts), max_size=2)), max_size=2),
)
def test_any_value_and_attribute_are_written_as_django_writes_them(
    values: dict[str, str],
    attrs: dict[str, Any],
    choices: list[tuple[str, str]],
    groups: list[tuple[str, list[tuple[str, str]]]],
) -> None:
    form = Anything(values or None)
    choice = form.fields["choice"]
    assert isinstance(choice, forms.ChoiceField)
    choice.choices = [*choices, *groups]
    for field in form.fields.values():
        field.widget.attrs.update(attrs)
    assert_same(form)
