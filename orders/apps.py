import warnings

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Order desk"

    def ready(self) -> None:
        # authlib asks httpx users to move to httpx2; the desk keeps one HTTP stack, httpx
        # (STYLE.md). authlib sets its warnings to "always" when imported, so filter after that.
        import authlib.deprecate  # noqa: F401

        warnings.filterwarnings("ignore", message="The httpx module is deprecated")

        from django.contrib.auth.signals import user_logged_in

        from orders.access import password_to_choose_note

        user_logged_in.connect(password_to_choose_note, dispatch_uid="desk_password_to_choose")
