from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver

from clarus_admin.development_server import NoDelayWSGIServer


class Command(StaticRunserver):
    """Django's ``runserver`` with static files, its server sending each answer without delay.

    The demo desk calls the sandbox on this same server over a kept connection, and browsers keep
    theirs: without TCP_NODELAY their answers waited up to 40 ms each (``development_server``).
    """

    server_cls = NoDelayWSGIServer
