"""A WSGI app for test_drop.py to serve under gunicorn: it drops every connection it is given.

It goes through ``sandbox.faults.connection_drop`` exactly as the goods-out view does, without a
database, so gunicorn's workers can serve it in a few hundred milliseconds.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clarus_admin.settings")
django.setup()

from django.core.handlers.wsgi import WSGIRequest  # noqa: E402

from sandbox.faults import ConnectionDropped, connection_drop  # noqa: E402


def application(environ, start_response):
    request = WSGIRequest(environ)
    # Read the body first, as the goods-out view does before it stores anything.
    request.body  # noqa: B018
    try:
        connection_drop(request)
    except ConnectionDropped:
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [b"no socket to drop"]
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
