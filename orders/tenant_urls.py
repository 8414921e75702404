from django.urls import path

from orders import tenant_views

app_name = "tenants"
urlpatterns = [
    path("", tenant_views.tenant_settings, name="settings"),
    path("switch/", tenant_views.tenant_switch, name="switch"),
    path("test/", tenant_views.tenant_test, name="test"),
    path("connect/", tenant_views.tenant_connect, name="connect"),
    path("callback/", tenant_views.tenant_callback, name="callback"),
    path("webhook/rotate/", tenant_views.tenant_webhook_rotate, name="webhook_rotate"),
    path("staff/", tenant_views.tenant_staff, name="staff"),
    path("staff/new-login/", tenant_views.tenant_staff_create, name="staff_create"),
    path("staff/<int:membership_id>/", tenant_views.tenant_staff_update, name="staff_update"),
    path(
        "staff/invitations/<int:invitation_id>/withdraw/",
        tenant_views.tenant_invitation_revoke,
        name="invitation_revoke",
    ),
]
