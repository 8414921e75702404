"""The supervisors' history: every order they may see, filtered and searched, as a page, an
htmx fragment or a CSV download."""

import csv
from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from orders import permissions
from orders.access import DeskRequest, tenant_view
from orders.forms.history import HistoryFilterForm
from orders.selectors import history
from orders.spreadsheets import spreadsheet_safe

CSV_COLUMNS = (
    "keyed_at",
    "tenant",
    "keyed_by",
    "reference",
    "account_id",
    "lines",
    "status",
    "clarus_id",
    "postcode",
    "sent_at",
    "attempts",
    "clarus_response_ms",
)


def _filters(request: DeskRequest) -> tuple[HistoryFilterForm, history.HistoryFilters]:
    form = HistoryFilterForm(
        request.GET or None,
        memberships=request.memberships,
        current=request.membership,
        user=request.user,
    )
    return form, form.filters()


@tenant_view(may=permissions.may_key)
@require_GET
@vary_on_headers("HX-Request")
def history_list(request: DeskRequest) -> HttpResponse:
    form, filters = _filters(request)
    page = history.history_page(
        user=request.user,
        memberships=request.memberships,
        filters=filters,
        after=request.GET.get("after", ""),
    )
    query = request.GET.copy()
    query.pop("after", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "orders/history.html#history-results" if request.htmx else "orders/history.html"
    return render(request, template, context)


def _csv_cell(value: str | int) -> str | int:
    # Numbers are the desk's own (ids and counts, never negative): kept as numbers.
    return spreadsheet_safe(value) if isinstance(value, str) else value


class _Echo:
    """A file-like object whose write returns the line, for csv.writer into a stream."""

    def write(self, value: str) -> str:
        return value


@tenant_view(may=permissions.may_key)
@require_GET
def history_export(request: DeskRequest) -> StreamingHttpResponse:
    """Stream the filtered history as CSV, a chunk of rows at a time (constant memory)."""
    _form, filters = _filters(request)
    # Every cell quoted, so a separator inside one never splits it for a reader that honours
    # quotes; spreadsheet_safe covers those that do not.
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)

    def rows() -> Iterator[str]:
        yield writer.writerow(CSV_COLUMNS)
        for order in history.history_rows_for_export(
            user=request.user, memberships=request.memberships, filters=filters
        ):
            row: tuple[str | int, ...] = (
                timezone.localtime(order.created_at).isoformat(timespec="seconds"),
                order.tenant.name,
                order.created_by.username,
                order.reference,
                order.account_id,
                order.line_count,
                order.status,
                order.clarus_id or "",
                order.postcode,
                timezone.localtime(order.sent_at).isoformat(timespec="seconds")
                if order.sent_at
                else "",
                order.attempt_count,
                "" if order.response_ms is None else order.response_ms,
            )
            yield writer.writerow([_csv_cell(value) for value in row])

    filename = f"orders-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
