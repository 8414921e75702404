"""Background delivery on Django's task framework (django-tasks-db runs it from the database).

One task, the delivery sweep: it sends every waiting order that is due, oldest first, saves the
delivery addresses asked for, deletes stale drafts, removes personal data past each tenant's
retention period, then puts itself back in the queue. A failed
send schedules a sweep for its own next try. How sweeps are scheduled, kept alive and taken over
from a dead worker is ``orders.services.sweeps``, which names this task by its path.
"""

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from orders.services.delivery import deliver_due_orders
from orders.services.delivery_addresses import delivery_addresses_deliver_due
from orders.services.drafts import drafts_purge
from orders.services.health import worker_heartbeat_record
from orders.services.privacy import personal_data_sweep
from orders.services.sweeps import (
    abandoned_sweeps_give_up,
    sweep_claim_window,
    sweep_ensure,
    sweep_schedule,
)

__all__ = ["SweepAbandoned", "delivery_sweep", "sweep_ensure", "sweep_schedule"]


# How long one sweep spends removing personal data at most: a backlog (a retention period just
# set on years of orders) is worked through over many sweeps, never holding up delivery.
PRIVACY_SECONDS = 10


class SweepAbandoned(Exception):
    """The worker running a sweep stopped before the sweep ended (recorded on its task row)."""


@task
def delivery_sweep() -> int:
    """Deliver what is due; return how many orders reached Clarus."""
    stop_claiming_at = timezone.now() + sweep_claim_window()
    try:
        # The worker running the sweep is alive (its sweep keeper says so too, between sweeps).
        worker_heartbeat_record()
        abandoned_sweeps_give_up()
        sent = deliver_due_orders(stop_claiming_at=stop_claiming_at)
        # The delivery addresses agents asked to save, once their orders are sent; and the
        # drafts untouched for DESK_DRAFT_DAYS (orders.services.drafts).
        delivery_addresses_deliver_due(stop_claiming_at=stop_claiming_at)
        drafts_purge()
        # Personal data past each tenant's retention period, in short batches, tenants in turn
        # (orders.services.privacy), for PRIVACY_SECONDS at most; the rest waits for the next.
        personal_data_sweep(
            stop_at=min(stop_claiming_at, timezone.now() + timedelta(seconds=PRIVACY_SECONDS))
        )
        return sent
    finally:
        now = timezone.now()
        # Cut short with orders perhaps left: the next sweep starts at once (on any worker).
        interval = timedelta(seconds=settings.DESK_SWEEP_INTERVAL_SECONDS)
        sweep_schedule(at=now if now >= stop_claiming_at else now + interval)
