"""Run inside a desk process whose DATABASE_URL is PgBouncer in transaction mode: key and send
an order to the sandbox, let the delivery sweep send one Clarus failed, export the history as
CSV. Print what came of it as JSON (tests/production/test_pgbouncer.py reads it)."""

import json
import os
import sys
import threading
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clarus_admin.settings")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from orders.domain import KeyedOrder  # noqa: E402
from orders.models import Membership, Order, Role, Tenant  # noqa: E402
from orders.services.submission import order_submit  # noqa: E402
from sandbox.models import SandboxSubdomain  # noqa: E402
from tests.orders.factories import address_of, cleaned_order, header_of, lines  # noqa: E402


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/sandbox"
    call_command("sandbox_client", subdomain="acme", client_id="pgb", client_secret="pgb-secret-0")
    tenant = Tenant.objects.create(
        name="Acme",
        subdomain="acme",
        api_base_url=base,
        token_url=f"{base}/oauth/token",
        client_id="pgb",
        client_secret="pgb-secret-0",
    )
    user = User.objects.create_user("super", password="super-pass-123")
    Membership.objects.create(user=user, tenant=tenant, role=Role.SUPERVISOR)

    def submit(reference: str) -> Order:
        cleaned = cleaned_order(reference=reference)
        keyed = KeyedOrder(
            tenant=tenant, header=header_of(cleaned), lines=lines(2), address=address_of(cleaned)
        )
        return order_submit(form_token=uuid.uuid4(), keyed=keyed, user=user).order

    keyed_now = submit("PGB-1")
    SandboxSubdomain.objects.filter(slug="acme").update(forced_status=503)
    failed = submit("PGB-2")
    failed_status = failed.status
    SandboxSubdomain.objects.filter(slug="acme").update(forced_status=None)
    Order.objects.filter(pk=failed.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    call_command("desk_worker", batch=True, interval=0.01, verbosity=0)

    client = Client()
    client.force_login(user)
    export = client.get("/orders/export.csv")
    csv_text = export.getvalue().decode()
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "first": Order.objects.get(pk=keyed_now.pk).status,
                "second_before_sweep": failed_status,
                "second": Order.objects.get(pk=failed.pk).status,
                "export_status": export.status_code,
                "export_references": sorted(
                    ref for ref in ("PGB-1", "PGB-2") if f'"{ref}"' in csv_text
                ),
            }
        )
    )
    server.shutdown()


if __name__ == "__main__":
    main()
