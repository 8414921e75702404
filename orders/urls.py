from django.urls import path

from orders.views import amend, dashboard, entry, history, lookups, orders, paste

app_name = "orders"
urlpatterns = [
    path("", history.history_list, name="list"),
    path("export.csv", history.history_export, name="export"),
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("new/", entry.order_create, name="create"),
    path("new/line-row/", entry.order_line_row, name="line_row"),
    path("new/paste-lines/", paste.order_lines_paste, name="paste_lines"),
    path("new/lookups/accounts/", lookups.lookup, {"name": "accounts"}, name="lookup_accounts"),
    path("new/lookups/customers/", lookups.lookup, {"name": "customers"}, name="lookup_customers"),
    path("new/lookups/carriers/", lookups.lookup, {"name": "carriers"}, name="lookup_carriers"),
    path("new/lookups/products/", lookups.lookup, {"name": "products"}, name="lookup_products"),
    path(
        "new/lookups/warehouses/",
        lookups.lookup,
        {"name": "warehouses"},
        name="lookup_warehouses",
    ),
    path(
        "new/lookups/carrier-services/",
        lookups.lookup,
        {"name": "carrier_services"},
        name="lookup_carrier_services",
    ),
    path(
        "new/lookups/order-types/",
        lookups.lookup,
        {"name": "order_types"},
        name="lookup_order_types",
    ),
    path("new/lookups/refresh/", lookups.lookup_refresh, name="lookup_refresh"),
    path("<int:order_id>/", orders.order_detail, name="detail"),
    path("<int:order_id>/correct/", entry.order_correct, name="correct"),
    path("<int:order_id>/copy/", entry.order_copy, name="copy"),
    path("<int:order_id>/resend/", orders.order_resend, name="resend"),
    path("<int:order_id>/cancel/", orders.order_cancel, name="cancel"),
    path("<int:order_id>/amend/", amend.order_amend, name="amend"),
    path("<int:order_id>/amend/check/", amend.order_amend_check, name="amend_check"),
    path("<int:order_id>/clarus-status/", orders.order_clarus_status, name="clarus_status"),
]
