"""Personal data: find everything held about a person, download it, erase it (supervisors)."""

from http import HTTPStatus
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from orders import permissions
from orders.access import DeskRequest, tenant_view
from orders.audit import Actor
from orders.forms.privacy import EraseForm, PersonForm
from orders.selectors.privacy import person_file, person_record, person_summary
from orders.services.privacy import ErasureRefused, person_erase


def _page(
    request: DeskRequest,
    *,
    form: PersonForm,
    erase_form: EraseForm | None = None,
    status: HTTPStatus = HTTPStatus.OK,
) -> HttpResponse:
    context: dict[str, object] = {"form": form, "erase_form": erase_form}
    if form.is_bound and form.is_valid():
        orders, drafts = person_summary(tenant=request.membership.tenant, person=form.person())
        query = urlencode(
            {"email": form.cleaned_data["email"], "phone": form.cleaned_data["phone"]}
        )
        context |= {
            "orders": orders,
            "drafts": drafts,
            "export_url": f"{reverse('orders:privacy_export')}?{query}",
            "erase_form": erase_form
            or EraseForm(
                initial={"email": form.cleaned_data["email"], "phone": form.cleaned_data["phone"]}
            ),
        }
    return render(request, "orders/personal_data.html", context, status=status)


@tenant_view(may=permissions.may_handle_personal_data)
@require_GET
def privacy_person(request: DeskRequest) -> HttpResponse:
    form = PersonForm(request.GET if request.GET else None)
    return _page(request, form=form)


@tenant_view(may=permissions.may_handle_personal_data)
@require_GET
def privacy_export(request: DeskRequest) -> HttpResponse:
    form = PersonForm(request.GET)
    if not form.is_valid():
        return _page(request, form=form, status=HTTPStatus.BAD_REQUEST)
    now = timezone.now()
    record = person_record(tenant=request.membership.tenant, person=form.person(), at=now)
    response = HttpResponse(person_file(record), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="personal-data-{now:%Y%m%d-%H%M%S}.zip"'
    )
    return response


@tenant_view(may=permissions.may_handle_personal_data)
@require_POST
def privacy_erase(request: DeskRequest) -> HttpResponse:
    erase_form = EraseForm(request.POST)
    form = PersonForm(
        {"email": request.POST.get("email", ""), "phone": request.POST.get("phone", "")}
    )
    if not erase_form.is_valid():
        return _page(request, form=form, erase_form=erase_form, status=HTTPStatus.BAD_REQUEST)
    try:
        erased = person_erase(
            tenant=request.membership.tenant,
            person=erase_form.person(),
            by=Actor.of(request.user),
            reason=erase_form.cleaned_data["reason"],
        )
    except ErasureRefused as refused:
        erase_form.add_error(None, str(refused))
        return _page(request, form=form, erase_form=erase_form, status=HTTPStatus.CONFLICT)
    messages.success(
        request,
        f"Erased: personal data removed from {erased} order{'s' if erased != 1 else ''} and "
        "the person's drafts. Each order's history records who erased it and why.",
    )
    query = urlencode(
        {"email": erase_form.cleaned_data["email"], "phone": erase_form.cleaned_data["phone"]}
    )
    return redirect(f"{reverse('orders:privacy')}?{query}")
