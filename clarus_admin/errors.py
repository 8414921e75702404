"""The desk's answer to a request refused before any view reads it (settings.DATA_UPLOAD_*)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Say plainly why a request was refused: 413 for a body larger than the desk takes.

    An htmx request gets the words alone, for the page to show where the agent is working.
    """
    megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    status = 400
    if isinstance(exception, RequestDataTooBig):
        status = 413
        said = (
            f"This is more than the desk takes at once (over {megabytes:g} MB), so nothing was "
            "saved or sent. Shorten the longest notes, or split the order in two, and send again."
        )
    elif isinstance(exception, TooManyFieldsSent):
        said = (
            "This holds more boxes than any order can, so nothing was saved or sent. Reload the "
            "page and key it again."
        )
    else:
        said = "The desk could not read this request, so nothing was saved or sent. Try again."
    if request.headers.get("HX-Request"):
        return HttpResponse(said, status=status, content_type="text/plain; charset=utf-8")
    return HttpResponse(render_to_string("400.html", {"said": said}), status=status)
