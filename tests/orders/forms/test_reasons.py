"""A reason for refusing or cancelling an order or erasing someone's data is said in visible
characters: one made of invisible characters only says nothing and is refused, and no character
turns the text around for whoever reads it."""

import unicodedata

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from orders.forms.approvals import DecisionForm
from orders.forms.orders import CancelForm
from orders.forms.privacy import EraseForm

# Spaces, controls, zero-width and direction characters: nothing a reader can see.
invisible = st.text(
    alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"], exclude_characters="\x00"),
    min_size=1,
    max_size=20,
)
TURNING = {chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


def refusal(reason):
    return DecisionForm({"reason": reason}, refusing=True)


def erasure(reason):
    return EraseForm({"email": "jo@example.com", "reason": reason})


@hypothesis_settings(max_examples=100, deadline=None)
@given(reason=invisible)
def test_a_reason_of_invisible_characters_only_is_refused(reason):
    refused, erased, cancelled = refusal(reason), erasure(reason), CancelForm({"reason": reason})

    assert not refused.is_valid()
    assert refused.errors["reason"] == ["Say why the order is not approved."]
    assert not erased.is_valid()
    assert erased.errors["reason"] == ["Say why the person's data is erased: it is recorded."]
    assert not cancelled.is_valid()
    assert cancelled.errors["reason"] == ["Say why the order is cancelled."]


@hypothesis_settings(max_examples=100, deadline=None)
@given(
    before=invisible | st.just(""),
    # A form box refuses NUL on its own (Django's CharField), with its own message.
    words=st.text(st.characters(exclude_characters="\x00"), min_size=1, max_size=40),
    after=invisible,
)
def test_a_reason_keeps_what_was_said_without_turning_characters(before, words, after):
    reason = before + words + after
    form = refusal(reason)
    seen = [char for char in words if unicodedata.category(char)[0] in "LNPS"]

    if form.is_valid():
        kept = form.cleaned_data["reason"]
        assert not TURNING & set(kept)
        assert all(char in kept for char in seen)
    else:
        assert not seen


def test_a_reversed_reason_reads_as_typed():
    form = refusal("\u202eTOO MANY\u202c for one caller\u200b")

    assert form.is_valid()
    assert form.cleaned_data["reason"] == "TOO MANY for one caller\u200b"
