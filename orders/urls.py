from django.urls import path

from orders.views import caller, dashboard, drafts, entry, history, lookups, orders, paste

app_name = "orders"
urlpatterns = [
    path("", history.history_list, name="list"),
    path("export.csv", history.history_export, name="export"),
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("new/", entry.order_create, name="create"),
    path("new/line-row/", entry.order_line_row, name="line_row"),
    path("new/dispatch-date/", entry.dispatch_date_understood, name="dispatch_date"),
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
    path("new/caller/", caller.caller_search, name="caller_search"),
    path("new/caller/panel/", caller.caller_panel, name="caller_panel"),
    path("new/caller/addresses/", caller.caller_addresses, name="caller_addresses"),
    path("new/caller/orders/<int:order_id>/lines/", caller.caller_lines, name="caller_lines"),
    path("new/draft/", drafts.draft_save, name="draft_save"),
    path("drafts/", drafts.draft_list, name="drafts"),
    path("drafts/<int:draft_id>/", drafts.draft_open, name="draft_open"),
    path("drafts/<int:draft_id>/delete/", drafts.draft_delete, name="draft_delete"),
    path("<int:order_id>/", orders.order_detail, name="detail"),
    path("<int:order_id>/correct/", entry.order_correct, name="correct"),
    path("<int:order_id>/copy/", entry.order_copy, name="copy"),
    path("<int:order_id>/resend/", orders.order_resend, name="resend"),
    path("<int:order_id>/cancel/", orders.order_cancel, name="cancel"),
    path("<int:order_id>/clarus-status/", orders.order_clarus_status, name="clarus_status"),
]
