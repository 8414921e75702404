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
from django.db.models.query_utils import DeferredAttribute


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


class Sealed:
    """A secret as stored, read with its row but not decrypted yet: its instance decrypts it when
    the field is first read (``orders.selectors.tenants`` reads every signed-in user's tenants
    on every request, and most requests never use a tenant's secrets)."""

    __slots__ = ("ciphertext",)

    def __init__(self, ciphertext: str) -> None:
        self.ciphertext = ciphertext

    def __repr__(self) -> str:
        return "Sealed(…)"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Sealed, (self.ciphertext,))


def sealed_from_db_value(value: str | None, expression: Any, connection: Any) -> Any:
    """A converter that keeps a stored secret sealed (``EncryptedTextField.from_db_value`` opens
    it at once)."""
    return Sealed(value) if value else value


class _OpenedOnRead(DeferredAttribute):
    """The field on its instance: a ``Sealed`` value is decrypted on its first read, and kept."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = instance.__dict__[self.field.attname] = decrypt(value.ciphertext)
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """A text column whose value is stored encrypted; the empty string is stored as it is."""

    descriptor_class = _OpenedOnRead

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
