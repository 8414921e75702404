from django.urls import path

from orders import (
    dashboard_views,
    entry_views,
    history_views,
    lookup_views,
    paste_views,
    views,
)

app_name = "orders"
urlpatterns = [
    path("", history_views.history_list, name="list"),
    path("export.csv", history_views.history_export, name="export"),
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("new/", entry_views.order_create, name="create"),
    path("new/line-row/", entry_views.order_line_row, name="line_row"),
    path("new/paste-lines/", paste_views.order_lines_paste, name="paste_lines"),
    path("new/lookups/accounts/", lookup_views.lookup_accounts, name="lookup_accounts"),
    path("new/lookups/customers/", lookup_views.lookup_customers, name="lookup_customers"),
    path("new/lookups/carriers/", lookup_views.lookup_carriers, name="lookup_carriers"),
    path("new/lookups/products/", lookup_views.lookup_products, name="lookup_products"),
    path("new/lookups/warehouses/", lookup_views.lookup_warehouses, name="lookup_warehouses"),
    path(
        "new/lookups/carrier-services/",
        lookup_views.lookup_carrier_services,
        name="lookup_carrier_services",
    ),
    path("new/lookups/order-types/", lookup_views.lookup_order_types, name="lookup_order_types"),
    path("new/lookups/refresh/", lookup_views.lookup_refresh, name="lookup_refresh"),
    path("<int:order_id>/", views.order_detail, name="detail"),
    path("<int:order_id>/correct/", entry_views.order_correct, name="correct"),
    path("<int:order_id>/copy/", entry_views.order_copy, name="copy"),
    path("<int:order_id>/resend/", views.order_resend, name="resend"),
    path("<int:order_id>/cancel/", views.order_cancel, name="cancel"),
    path("<int:order_id>/clarus-status/", views.order_clarus_status, name="clarus_status"),
]
