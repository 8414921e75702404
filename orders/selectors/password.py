"""Reads about a login's password: whether somebody else chose it."""

from orders.models import GivenPassword


def password_given(*, user_id: int) -> bool:
    """Return whether the login's password is one somebody else chose (a tenant admin making
    the login), which its owner has not replaced yet."""
    return GivenPassword.objects.filter(user_id=user_id).exists()
