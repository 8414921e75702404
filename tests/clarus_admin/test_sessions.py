"""The session engine reads Django's session rows with one statement written as SQL, and
otherwise behaves as Django's database sessions do."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from clarus_admin.sessions import SessionStore

pytestmark = pytest.mark.postgres


def saved(**data: object) -> SessionStore:
    store = SessionStore()
    store.update(data)
    store.save()
    return store


def test_a_saved_session_reads_back(db):
    key = saved(cart="full", count=3).session_key

    again = SessionStore(session_key=key)

    assert again.load() == {"cart": "full", "count": 3}
    assert again.session_key == key


def test_an_expired_session_is_empty_and_its_key_dropped(db):
    key = saved(cart="full").session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    again = SessionStore(session_key=key)

    assert again.load() == {}
    assert again.session_key is None


def test_a_key_the_browser_made_up_is_never_used(db):
    store = SessionStore(session_key="made-up-by-the-browser-0123456789")

    assert store.load() == {}
    store["cart"] = "full"
    store.save()

    assert store.session_key != "made-up-by-the-browser-0123456789"
    assert not Session.objects.filter(session_key="made-up-by-the-browser-0123456789").exists()


def test_a_session_about_to_expire_still_reads(db):
    key = saved(cart="full").session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(seconds=5)
    )

    assert SessionStore(session_key=key).load() == {"cart": "full"}


def test_a_tampered_session_is_empty(db):
    key = saved(cart="full").session_key
    Session.objects.filter(session_key=key).update(session_data="not-signed-by-the-desk")

    assert SessionStore(session_key=key).load() == {}
