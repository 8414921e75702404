from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from sandbox.models import SandboxAccessToken, SandboxClient, SandboxSubdomain
from sandbox.services import access_token_issue

SECRET = "a-long-sandbox-secret-123"


def run(**options: Any) -> str:
    out = StringIO()
    arguments = {"subdomain": "acme", "client_id": "desk", "client_secret": SECRET} | options
    call_command("sandbox_client", stdout=out, **arguments)
    return out.getvalue()


def test_creates_the_subdomain_and_client(db: Any) -> None:
    output = run(name="Acme Warehouse")

    client = SandboxClient.objects.select_related("subdomain").get()
    assert client.client_id == "desk"
    assert client.subdomain.slug == "acme"
    assert client.subdomain.name == "Acme Warehouse"
    assert client.token_lifetime_seconds == 3600
    assert "Created" in output


def test_stores_only_a_salted_hash_and_never_prints_the_secret(db: Any) -> None:
    output = run()

    client = SandboxClient.objects.get()
    assert SECRET not in output
    assert SECRET not in client.secret_hash
    assert check_password(SECRET, client.secret_hash)


def test_running_twice_is_harmless(db: Any) -> None:
    run(name="Acme Warehouse", token_lifetime=60)
    client = SandboxClient.objects.get()
    _row, _token = access_token_issue(client=client)

    output = run(name="Acme Warehouse", token_lifetime=60)

    assert "Updated" in output
    assert SandboxSubdomain.objects.count() == 1
    again = SandboxClient.objects.get()
    assert again.secret_hash == client.secret_hash
    assert again.token_lifetime_seconds == 60
    assert not SandboxAccessToken.objects.filter(revoked=True).exists()


def test_updates_keep_what_is_not_given(db: Any) -> None:
    run(name="Acme Warehouse", token_lifetime=60)

    run()

    client = SandboxClient.objects.select_related("subdomain").get()
    assert client.subdomain.name == "Acme Warehouse"
    assert client.token_lifetime_seconds == 60


def test_new_secret_replaces_the_old_and_revokes_its_tokens(db: Any) -> None:
    run()
    access_token_issue(client=SandboxClient.objects.get())

    run(client_secret="another-secret-456")

    client = SandboxClient.objects.get()
    assert client.check_secret("another-secret-456")
    assert not client.check_secret(SECRET)
    assert SandboxAccessToken.objects.get().revoked


def test_client_moves_to_the_given_subdomain(db: Any) -> None:
    run()
    access_token_issue(client=SandboxClient.objects.get())

    run(subdomain="globex")

    assert SandboxClient.objects.get().subdomain.slug == "globex"
    assert SandboxAccessToken.objects.get().revoked


def test_name_defaults_to_the_subdomain(db: Any) -> None:
    run()

    assert SandboxSubdomain.objects.get().name == "acme"


def test_token_lifetime_zero_is_allowed(db: Any) -> None:
    run(token_lifetime=0)

    assert SandboxClient.objects.get().token_lifetime_seconds == 0


def test_command_line_form(db: Any) -> None:
    out = StringIO()
    call_command(
        "sandbox_client",
        "--subdomain=acme",
        "--client-id=desk",
        f"--client-secret={SECRET}",
        "--token-lifetime=120",
        stdout=out,
    )

    assert SandboxClient.objects.get().token_lifetime_seconds == 120
    assert SECRET not in out.getvalue()


@pytest.mark.parametrize(
    "arguments",
    [
        [
            "--subdomain=acme",
            "--client-id=desk",
            f"--client-secret={SECRET}",
            "--token-lifetime=-1",
        ],
        ["--subdomain=acme", "--client-id=desk", "--client-secret="],
        ["--subdomain=acme", "--client-id=desk"],
        ["--subdomain=acme corp", "--client-id=desk", f"--client-secret={SECRET}"],
    ],
)
def test_bad_arguments_are_refused(db: Any, arguments: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("sandbox_client", *arguments, stdout=StringIO())

    assert not SandboxClient.objects.exists()
