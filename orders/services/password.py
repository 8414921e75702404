"""A login's own password: its owner changes it, and one somebody else chose is then theirs no
longer."""

from django.contrib.auth.models import User
from django.db import transaction

from orders.models import GivenPassword


def password_change(*, user: User, password: str) -> None:
    """Give ``user`` the new ``password`` they chose (already validated by the form).

    Every other session of theirs ends at its next request (its copy of the password's hash no
    longer matches: ``clarus_admin.authentication``); the caller keeps its own with
    ``update_session_auth_hash``.
    """
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        GivenPassword.objects.filter(user=user).delete()
