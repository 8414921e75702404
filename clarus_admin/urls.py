from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from orders.views import health as health_views
from orders.views import metrics as metrics_views
from orders.views import orders as orders_views
from orders.views import password as password_views
from orders.views import webhooks as webhook_views

# A body larger than settings.DATA_UPLOAD_MAX_MEMORY_SIZE, or with too many fields.
handler400 = "clarus_admin.errors.bad_request"

urlpatterns = [
    path("", orders_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", password_views.password_change, name="password_change"),
    path("orders/", include("orders.urls")),
    path("tenant/", include("orders.tenant_urls")),
    path("invitations/", include("orders.invitation_urls")),
    path(
        "webhooks/clarus/<slug:subdomain>/<str:secret>/",
        webhook_views.clarus_webhook,
        name="clarus_webhook",
    ),
    path("admin/", admin.site.urls),
    # For the machines that run the desk (docs/deploy.md): no sign-in, nothing about tenants.
    path("healthz", health_views.healthz, name="healthz"),
    path("readyz", health_views.readyz, name="readyz"),
    path("metrics", metrics_views.metrics, name="metrics"),
]
if settings.DESK_SANDBOX:
    # The Clarus stand-in, served by the same process so the demo needs one command.
    urlpatterns.append(path("sandbox/", include("sandbox.urls")))
