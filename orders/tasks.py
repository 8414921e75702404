"""Background delivery on Django's task framework (django-tasks-db runs it from the database).

One task, the delivery sweep: it sends every waiting order that is due, oldest first, then puts
itself back in the queue, so orders left behind by a dead process are found even when nobody
scheduled them. A failed send schedules a sweep for its own next try
(``orders.services.delivery.sweep_schedule``, which names this task by its path).
"""

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from orders.services.delivery import deliver_due_orders, sweep_schedule


@task
def delivery_sweep() -> int:
    """Deliver what is due; return how many orders reached Clarus."""
    try:
        return deliver_due_orders()
    finally:
        sweep_schedule(at=timezone.now() + timedelta(seconds=settings.DESK_SWEEP_INTERVAL_SECONDS))
