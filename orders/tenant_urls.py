from django.urls import path

from orders.views import tenants

app_name = "tenants"
urlpatterns = [
    path("", tenants.tenant_settings, name="settings"),
    path("switch/", tenants.tenant_switch, name="switch"),
    path("test/", tenants.tenant_test, name="test"),
    path("connect/", tenants.tenant_connect, name="connect"),
    path("callback/", tenants.tenant_callback, name="callback"),
    path("staff/", tenants.tenant_staff, name="staff"),
    path("staff/<int:membership_id>/", tenants.tenant_staff_update, name="staff_update"),
]
