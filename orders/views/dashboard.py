"""The supervisors' dashboard: one page, its figures refreshed as an htmx fragment."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from orders import charts, display, permissions
from orders.access import DeskRequest, tenant_view
from orders.forms.dashboard import DashboardFilterForm
from orders.forms.history import ALL_TENANTS
from orders.models import OrderStatus
from orders.selectors.dashboard import (
    AgentFigures,
    Dashboard,
    Period,
    dashboard_get,
)

# The agents drawn in their own colour on the orders chart; the rest share one.
CHARTED_AGENTS = charts.PALETTE - 1


@tenant_view(may=permissions.may_see_all_orders)
@require_GET
@vary_on_headers("HX-Request")
def dashboard_page(request: DeskRequest) -> HttpResponse:
    form = DashboardFilterForm(
        request.GET or None, memberships=request.memberships, current=request.membership
    )
    tenant_ids, period = form.tenant_ids(), form.period()
    figures = dashboard_get(tenant_ids=tenant_ids, period=period)
    context = {
        "form": form,
        "figures": figures,
        "charts": dashboard_charts(figures),
        "history": history_links(tenant_ids=tenant_ids, period=period, figures=figures),
    }
    template = (
        "orders/dashboard.html#dashboard-results" if request.htmx else "orders/dashboard.html"
    )
    return render(request, template, context)


@dataclass(frozen=True)
class HistoryLinks:
    """Addresses of the history behind the dashboard's figures: the same tenants and days."""

    keyed: str
    rejected: str
    # Each agent of the figures, with the address of their orders.
    agents: list[tuple[AgentFigures, str]]


def history_links(*, tenant_ids: list[int], period: Period, figures: Dashboard) -> HistoryLinks:
    """Return where the history lists the orders behind each of the dashboard's figures."""

    def url(**extra: str) -> str:
        query = {
            "tenant": str(tenant_ids[0]) if len(tenant_ids) == 1 else ALL_TENANTS,
            "date_from": period.first.isoformat(),
            "date_to": period.last.isoformat(),
            **extra,
        }
        return f"{reverse('orders:list')}?{urlencode(query)}"

    return HistoryLinks(
        keyed=url(),
        rejected=url(status=OrderStatus.REJECTED),
        agents=[(agent, url(agent=str(agent.agent_id))) for agent in figures.agents],
    )


@dataclass(frozen=True)
class DashboardCharts:
    orders: charts.ColumnChart
    # The agents' colours, in the order of the orders chart's stacks.
    legend: list[charts.Series]
    rejection_rate: charts.ColumnChart
    reasons: charts.RowChart
    keying: charts.RowChart


def dashboard_charts(figures: Dashboard) -> DashboardCharts:
    """Lay out the dashboard's four charts from its figures."""
    labels = [f"{day.day} {day:%b}" for day in figures.period.days]
    shown = figures.agents[:CHARTED_AGENTS]
    others = figures.agents[CHARTED_AGENTS:]
    legend = [charts.Series(a.username, charts.series_css(n)) for n, a in enumerate(shown)]
    if others:
        legend.append(charts.Series(f"{len(others)} other agents", charts.OTHERS_CSS))
    orders_columns = []
    for index, (day, label) in enumerate(zip(figures.period.days, labels, strict=True)):
        segments = [
            charts.Segment(a.per_day[index], f"{a.username}, {day:%a} {label}: {a.per_day[index]}")
            for a in shown
        ]
        if others:
            rest = sum(a.per_day[index] for a in others)
            segments.append(charts.Segment(rest, f"Other agents, {day:%a} {label}: {rest}"))
        orders_columns.append(charts.Column(label, segments))
    rates = []
    for each, label in zip(figures.days, labels, strict=True):
        rate = each.tally.rejection_rate
        title = (
            f"{each.day:%a} {label}: {rate:.1%} ({each.tally.rejected} of {each.tally.decided})"
            if rate is not None
            else f"{each.day:%a} {label}: nothing decided"
        )
        rates.append(charts.Column(label, [charts.Segment(rate or 0.0, title)]))
    overall = figures.total.rejection_rate
    return DashboardCharts(
        orders=charts.columns(orders_columns, series=legend, value_label=display.count),
        legend=legend,
        rejection_rate=charts.columns(
            rates,
            series=[charts.Series("Rejected", "series-rejected")],
            value_label=display.percent,
            whole=False,
            guides=[(overall, f"The period's rate: {overall:.1%}")] if overall else [],
        ),
        reasons=charts.rows(
            [
                (
                    f"{reason.label} · {display.field_label(reason.target, reason.source)}"
                    if reason.source
                    else reason.label,
                    reason.count,
                    f"{reason.count}",
                )
                for reason in figures.reasons
            ],
            css="series-rejected",
        ),
        keying=charts.rows(
            [
                (
                    a.username,
                    a.median_keying.total_seconds(),
                    display.as_minutes_and_seconds(a.median_keying),
                )
                for a in figures.agents
                if a.median_keying is not None
            ]
        ),
    )
