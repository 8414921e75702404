from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from orders.crypto import encrypted_fields


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret under the first key of DESK_ENCRYPTION_KEYS. Put the new "
        "key first, keep the old one after it, run this, then drop the old key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for model, field in encrypted_fields():
            count = 0
            with transaction.atomic():
                # Reading decrypts under any key; writing encrypts under the first.
                for pk, value in model._default_manager.select_for_update().values_list(
                    "pk", field
                ):
                    if value:
                        model._default_manager.filter(pk=pk).update(**{field: value})
                        count += 1
            self.stdout.write(f"{model._meta.label}.{field}: {count} re-encrypted")
