"""A separate desk process for the reliability tests: keys orders, or runs delivery sweeps.

Run as ``python -m tests.orders.flows.desk_process submit COUNT PREFIX`` or
``python -m tests.orders.flows.desk_process sweep SECONDS``, with DATABASE_URL naming the test
database.
"""

import os
import sys
import time
import uuid
from decimal import Decimal


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clarus_admin.settings")
    import django

    django.setup()
    from datetime import UTC, datetime

    from django.contrib.auth.models import User

    from orders.domain import KeyedOrder, LineInput, OrderHeader
    from orders.models import Tenant
    from orders.services.delivery import deliver_due_orders
    from orders.services.submission import order_submit

    mode = sys.argv[1]
    if mode == "submit":
        count, prefix = int(sys.argv[2]), sys.argv[3]
        tenant = Tenant.objects.get(subdomain="acme")
        user = User.objects.get(username="agent")
        for n in range(count):
            header = OrderHeader(
                goods_out_type="sales_order",
                account_id=7,
                reference=f"{prefix}-{n:03d}",
                expected_date_of_dispatch=datetime(2026, 12, 1, 14, 30, tzinfo=UTC),
            )
            keyed = KeyedOrder(
                tenant=tenant,
                header=header,
                lines=[LineInput(product_id=100 + n, quantity=Decimal(1))],
            )
            order_submit(form_token=uuid.uuid4(), keyed=keyed, user=user)
            print(f"keyed {header.reference}", flush=True)
    elif mode == "sweep":
        deadline = time.monotonic() + float(sys.argv[2])
        while time.monotonic() < deadline:
            deliver_due_orders()
            time.sleep(0.05)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
