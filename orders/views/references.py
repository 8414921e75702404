"""The entry page's reference check: beside the reference box, an earlier order with it."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from orders import permissions
from orders.access import DeskRequest, keying_tenant, tenant_view
from orders.forms.references import ReferenceCheckForm
from orders.selectors.references import reference_earlier

TEMPLATE = "orders/_reference_check.html"


@tenant_view(may=permissions.may_key)
@require_GET
@vary_on_headers("HX-Request")
def reference_check(request: DeskRequest) -> HttpResponse:
    """Say beside the reference box whether an earlier order of the tenant the order is keyed for
    (``tenant``) has the reference typed (``reference``), or one differing only in capitals,
    other than the form's own order (``form_token``)."""
    if not request.htmx:
        return redirect("orders:create")
    form = ReferenceCheckForm(request.GET)
    reference = form.reference_typed()
    earlier = None
    if reference:
        earlier = reference_earlier(
            tenant=keying_tenant(request),
            reference=reference,
            form_token=form.form_token_given(),
            user=request.user,
            memberships=request.memberships,
        )
    return render(request, TEMPLATE + "#reference-said", {"earlier": earlier})
