"""Background delivery on Django's task framework (django-tasks-db runs it from the database).

One task, the delivery sweep: it sends every waiting order that is due, oldest first, then puts
itself back in the queue, so orders left behind by a dead process are found even when nobody
scheduled them. A failed send schedules a sweep for its own next try.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max


@task
def delivery_sweep() -> int:
    """Deliver what is due; return how many orders reached Clarus."""
    # Imported here: the services schedule sweeps, so they import this module.
    from orders.services.delivery import deliver_due_orders

    try:
        return deliver_due_orders()
    finally:
        sweep_schedule(at=timezone.now() + timedelta(seconds=settings.DESK_SWEEP_INTERVAL_SECONDS))


def sweep_schedule(*, at: datetime) -> None:
    """Make sure a sweep runs at ``at`` or sooner, without piling up duplicates."""
    soon_enough = DBTaskResult.objects.filter(
        Q(run_after__lte=at) | Q(run_after=get_date_max()),
        task_path=delivery_sweep.module_path,
        status=TaskResultStatus.READY,
    )
    if not soon_enough.exists():
        delivery_sweep.using(run_after=at).enqueue()
