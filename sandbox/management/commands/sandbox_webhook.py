from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox.models import SandboxGoodsOut

STATUS_NAMES = {1: "DRAFT", 2: "PENDING", 3: "PICK", 5: "ALLOCATED", 6: "COMPLETED", 8: "CANCELLED"}


class Command(BaseCommand):
    help = (
        "Send a Clarus Automations webhook for a goods-out, as Clarus would: a POST with the full "
        "record and the X-ClarusWMS-* headers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--goods-out", type=int, required=True, help="The goods-out id.")
        parser.add_argument("--url", required=True, help="Where the automation posts.")
        parser.add_argument(
            "--event",
            default="updated",
            choices=("created", "updated", "processed", "completed", "cancelled"),
        )
        parser.add_argument("--automation-id", default="1")
        parser.add_argument("--status", type=int, help="Set the goods-out's status id first.")

    def handle(self, *args: Any, **options: Any) -> None:
        goods_out = (
            SandboxGoodsOut.objects.select_related("subdomain")
            .filter(pk=options["goods_out"])
            .first()
        )
        if goods_out is None:
            raise CommandError(f"No goods-out {options['goods_out']}.")
        if options["status"]:
            goods_out.goods_out_status_id = options["status"]
            goods_out.save(update_fields=["goods_out_status_id"])
        status = goods_out.goods_out_status_id or 2
        body = {
            "resource_name": "goods_out",
            "event": options["event"],
            "data": {
                **goods_out.attributes,
                "id": goods_out.pk,
                "goods_out_status_id": status,
                "goods_out_status": {"code": STATUS_NAMES.get(status, str(status))},
            },
        }
        # Clarus: the identifying headers of a webhook delivery (CONTRACT.md §5).
        headers = {
            "X-ClarusWMS-Domain": f"https://{goods_out.subdomain.slug}.claruswms.example",
            "X-ClarusWMS-API-Domain": "https://clarus-api.example",
            "X-ClarusWMS-Subdomain": goods_out.subdomain.slug,
            "X-ClarusWMS-Automation-ID": options["automation_id"],
        }
        response = httpx.post(options["url"], json=body, headers=headers, timeout=10)
        self.stdout.write(
            f"Sent {options['event']} for goods-out {goods_out.pk}: HTTP {response.status_code}"
        )
