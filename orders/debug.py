"""Error reports that never carry Clarus credentials."""

from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class DeskExceptionReporterFilter(SafeExceptionReporterFilter):
    """Hide every local variable of the frames that handle Clarus credentials.

    ``sensitive_variables`` covers the desk's own functions, but an error deep in authlib or
    httpx would still show their locals: request headers with the Basic or Bearer credentials,
    token dictionaries. Those frames are hidden whole.
    """

    HIDDEN_MODULES = ("authlib", "httpx", "httpcore", "orders.clarus")

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        module = str(tb_frame.f_globals.get("__name__", ""))
        if module.startswith(self.HIDDEN_MODULES):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)
