"""The form of the "Your password" page: Django's own change of password, in the desk's words."""

from typing import Any

from django.contrib.auth.forms import PasswordChangeForm


class PasswordForm(PasswordChangeForm):
    """The password now, and the new one twice, checked by ``AUTH_PASSWORD_VALIDATORS``."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "That is not your password now: type it again.",
        "password_mismatch": "The two new passwords differ: type the same one twice.",
    }

    def __init__(self, *args: Any, given: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["old_password"].label = (
            "The password you were given" if given else "Your password now"
        )
        fields["new_password1"].label = "New password"
        fields["new_password1"].help_text = (
            "At least 8 characters, not all digits, not a common password and not like your "
            "login name."
        )
        fields["new_password2"].label = "New password again"
        fields["new_password2"].help_text = ""
        # The page focuses its first box itself (``focus_id``): passwords never come back in it.
        for field in fields.values():
            field.widget.attrs.pop("autofocus", None)
