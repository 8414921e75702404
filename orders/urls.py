from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("new/", views.order_create, name="create"),
    path("new/line-row/", views.order_line_row, name="line_row"),
    path("<int:order_id>/", views.order_detail, name="detail"),
    path("<int:order_id>/resend/", views.order_resend, name="resend"),
]
