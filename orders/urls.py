from django.urls import path

from orders import history_views, views

app_name = "orders"
urlpatterns = [
    path("", history_views.history_list, name="list"),
    path("export.csv", history_views.history_export, name="export"),
    path("new/", views.order_create, name="create"),
    path("new/line-row/", views.order_line_row, name="line_row"),
    path("<int:order_id>/", views.order_detail, name="detail"),
    path("<int:order_id>/resend/", views.order_resend, name="resend"),
    path("<int:order_id>/clarus-status/", views.order_clarus_status, name="clarus_status"),
]
