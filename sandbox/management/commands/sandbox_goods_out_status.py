from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox.amend import goods_out_status_set
from sandbox.goods_out_records import GOODS_OUT_STATUSES
from sandbox.models import SandboxGoodsOut

CODES = [code for code, _name in GOODS_OUT_STATUSES.values()]


class Command(BaseCommand):
    help = (
        "Move a sandbox goods-out to another status, as the warehouse's own work would (PICK: "
        "picking has started, so Clarus refuses amendments)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--goods-out", type=int, required=True, help="The goods-out id.")
        parser.add_argument("--status", required=True, choices=CODES, help="The status code.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            goods_out = goods_out_status_set(
                goods_out_id=options["goods_out"], code=options["status"]
            )
        except SandboxGoodsOut.DoesNotExist:
            raise CommandError(f"No goods-out {options['goods_out']}.") from None
        self.stdout.write(f"Goods-out {goods_out.pk} is now {options['status']}.")
