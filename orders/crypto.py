"""Secrets at rest: Fernet encryption under keys from the environment, with key rotation.

``DESK_ENCRYPTION_KEYS`` holds one or more Fernet keys, comma-separated, newest first. Values are
encrypted under the first and decrypted under any, so a new key is rolled out by putting it first
and running ``manage.py rotate_encryption_keys``; the old key can be dropped after that.
"""

from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("DESK_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "DESK_ENCRYPTION_KEYS holds a key that is not a Fernet key."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.DESK_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        # Never include the ciphertext: it names nothing useful and belongs to no log.
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with DESK_ENCRYPTION_KEYS: is a key missing?"
        ) from exc


class EncryptedTextField(models.TextField):
    """A text column whose value is stored encrypted; the empty string is stored as it is."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(str(value))


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Return every (model, field name) stored with EncryptedTextField."""
    from django.apps import apps

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedTextField)
    ]
