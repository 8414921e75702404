"""Create the demo: two Clarus sandbox subdomains with catalogues, two desk tenants on them, logins.

"Demo 3PL" signs in to Clarus with client credentials, "Northwind Logistics" with the
authorization-code flow (its tenant admin presses "Connect to Clarus" and signs in at the sandbox
as clarus-admin). The logins agent, supervisor and admin work in both. Running it again changes
nothing but the secrets and passwords, which it sets anew.

One process for every step (`make demo`, `make serve`): each `manage.py` would load Django again.
It runs with the sandbox installed (DESK_SANDBOX on), against the database the desk and the
sandbox share, and migrates it first.

    .venv/bin/python scripts/demo_data.py --desk-url http://127.0.0.1:8000 \
        --sandbox-url http://127.0.0.1:8000/sandbox
"""

import argparse
import os
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
STAFF = [("agent", "agent"), ("supervisor", "supervisor"), ("admin", "tenant_admin")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--desk-url", required=True, help="where staff reach the desk (Northwind's callback)")
    add("--sandbox-url", required=True, help="the sandbox's base URL, e.g. http://…/sandbox")
    add("--client-id", default=os.environ.get("DEMO_CLIENT_ID", "demo-desk"))
    add("--client-secret", default=os.environ.get("DEMO_CLIENT_SECRET", "demo-desk-secret"))
    add("--password", default=os.environ.get("DEMO_PASSWORD", "clarus-demo"))
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clarus_admin.settings")
    os.environ["DESK_SANDBOX"] = "true"
    sys.path.insert(0, str(PROJECT))
    import django
    from django.core.management import call_command

    django.setup()
    sandbox, desk = args.sandbox_url.rstrip("/"), args.desk_url.rstrip("/")
    secret = args.client_secret

    call_command("migrate", interactive=False, verbosity=0)
    call_command(
        "sandbox_client",
        *("--subdomain", "demo", "--name", "Demo Warehouse"),
        *("--client-id", args.client_id, "--client-secret", secret),
    )
    call_command(
        "sandbox_client",
        *("--subdomain", "northwind", "--name", "Northwind Warehouse"),
        *("--client-id", "northwind-desk", "--client-secret", secret),
        *("--redirect-uri", f"{desk}/tenant/callback/"),
        *("--user", "clarus-admin", "--password", args.password),
    )
    call_command("sandbox_seed", "--subdomain", "demo", "--products", "5000")
    call_command("sandbox_seed", "--subdomain", "northwind", "--products", "2000", "--seed", "2")
    call_command(
        "clarus_tenant",
        *("--subdomain", "demo", "--name", "Demo 3PL"),
        *("--base-url", sandbox, "--token-url", f"{sandbox}/oauth/token"),
        *("--client-id", args.client_id, "--client-secret", secret),
    )
    call_command(
        "clarus_tenant",
        *("--subdomain", "northwind", "--name", "Northwind Logistics"),
        *("--base-url", sandbox, "--token-url", f"{sandbox}/oauth/token"),
        *("--flow", "authorization_code", "--authorize-url", f"{sandbox}/oauth/authorize"),
        *("--client-id", "northwind-desk", "--client-secret", secret),
    )
    for tenant in ("demo", "northwind"):
        # The password through the environment, as clarus_staff asks: never on a command line.
        # Set once: hashing it again for the second tenant would only cost a second per login.
        os.environ["DESK_STAFF_PASSWORD"] = args.password if tenant == "demo" else ""
        for username, role in STAFF:
            call_command("clarus_staff", "--tenant", tenant, "--username", username, "--role", role)
    print(f"Demo logins (password {args.password}): agent, supervisor, admin (tenant admin).")
    print(f"Northwind's Clarus sign-in: clarus-admin / {args.password}.")


if __name__ == "__main__":
    main()
