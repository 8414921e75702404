from django.urls import path

from orders.views import approvals, tenants

app_name = "tenants"
urlpatterns = [
    path("", tenants.tenant_settings, name="settings"),
    path("switch/", tenants.tenant_switch, name="switch"),
    path("test/", tenants.tenant_test, name="test"),
    path("connect/", tenants.tenant_connect, name="connect"),
    path("callback/", tenants.tenant_callback, name="callback"),
    path("personal-data/", tenants.tenant_retention, name="retention"),
    path("webhook/rotate/", tenants.tenant_webhook_rotate, name="webhook_rotate"),
    path("staff/", tenants.tenant_staff, name="staff"),
    path("staff/new-login/", tenants.tenant_staff_create, name="staff_create"),
    path("staff/<int:membership_id>/", tenants.tenant_staff_update, name="staff_update"),
    path(
        "staff/<int:membership_id>/accounts/",
        tenants.tenant_staff_accounts,
        name="staff_accounts",
    ),
    path(
        "staff/invitations/<int:invitation_id>/withdraw/",
        tenants.tenant_invitation_revoke,
        name="invitation_revoke",
    ),
    path("approvals/", approvals.approval_rules, name="approval_rules"),
    path("approvals/settings/", approvals.approval_settings, name="approval_settings"),
    path("approvals/<int:rule_id>/", approvals.approval_rule_update, name="approval_rule_update"),
    path(
        "approvals/<int:rule_id>/switch/",
        approvals.approval_rule_switch,
        name="approval_rule_switch",
    ),
]
