from datetime import datetime
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sandbox.models import SandboxGoodsOut
from sandbox.webhooks import EVENT_STATUS, EVENTS, goods_out_webhook_body


class Command(BaseCommand):
    help = (
        "Send a Clarus Automations webhook for a goods-out, as Clarus would: a POST with the full "
        "record and the X-ClarusWMS-* headers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--goods-out", type=int, required=True, help="The goods-out id.")
        parser.add_argument("--url", required=True, help="Where the automation posts.")
        parser.add_argument("--event", default="updated", choices=EVENTS)
        parser.add_argument("--automation-id", default="1")
        parser.add_argument(
            "--status",
            type=int,
            help="Set the goods-out's status id first (completed and cancelled set 6 and 8).",
        )
        parser.add_argument(
            "--at",
            help=(
                "When the change happened, ISO 8601 with a zone (the record's updated_at): "
                "default now, or when it was received for created. Older times replay news late."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        goods_out = (
            SandboxGoodsOut.objects.select_related("subdomain")
            .filter(pk=options["goods_out"])
            .first()
        )
        if goods_out is None:
            raise CommandError(f"No goods-out {options['goods_out']}.")
        event = options["event"]
        status = options["status"] or EVENT_STATUS.get(event)
        if status:
            goods_out.goods_out_status_id = status
            goods_out.save(update_fields=["goods_out_status_id"])
        body = goods_out_webhook_body(
            goods_out,
            event=event,
            lines=list(goods_out.lines.all()),
            updated_at=self._moment(options["at"], goods_out, event),
        )
        # Clarus: the identifying headers of a webhook delivery (CONTRACT.md §5).
        headers = {
            "X-ClarusWMS-Domain": f"https://{goods_out.subdomain.slug}.claruswms.example",
            "X-ClarusWMS-API-Domain": "https://clarus-api.example",
            "X-ClarusWMS-Subdomain": goods_out.subdomain.slug,
            "X-ClarusWMS-Automation-ID": options["automation_id"],
        }
        response = httpx.post(options["url"], json=body, headers=headers, timeout=10)
        self.stdout.write(f"Sent {event} for goods-out {goods_out.pk}: HTTP {response.status_code}")

    def _moment(self, at: str | None, goods_out: SandboxGoodsOut, event: str) -> datetime:
        if at is None:
            return goods_out.received_at if event == "created" else timezone.now()
        try:
            moment = datetime.fromisoformat(at)
        except ValueError as exc:
            raise CommandError(f"--at is not an ISO 8601 time: {at}") from exc
        if timezone.is_naive(moment):
            raise CommandError("--at needs a time zone, as Clarus's times carry one.")
        return moment
