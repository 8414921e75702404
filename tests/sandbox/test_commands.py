from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from sandbox.models import SandboxAccessToken, SandboxClient, SandboxSubdomain, SandboxUser
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


def test_redirect_uris_and_refresh_lifetime(db: Any) -> None:
    run(
        redirect_uri=["https://desk.example/cb", "http://127.0.0.1:8000/tenant/callback/"],
        refresh_token_lifetime=600,
    )

    client = SandboxClient.objects.get()
    assert client.redirect_uris == [
        "https://desk.example/cb",
        "http://127.0.0.1:8000/tenant/callback/",
    ]
    assert client.refresh_token_lifetime_seconds == 600


def test_redirect_uris_given_again_replace_the_list(db: Any) -> None:
    call_command(
        "sandbox_client",
        "--subdomain=acme",
        "--client-id=desk",
        f"--client-secret={SECRET}",
        "--redirect-uri=https://a.example/cb",
        "--redirect-uri=https://b.example/cb",
        stdout=StringIO(),
    )
    run()
    kept = SandboxClient.objects.get().redirect_uris

    run(redirect_uri=["https://c.example/cb"])

    assert kept == ["https://a.example/cb", "https://b.example/cb"]
    assert SandboxClient.objects.get().redirect_uris == ["https://c.example/cb"]


def test_new_client_defaults(db: Any) -> None:
    run()

    client = SandboxClient.objects.get()
    assert client.redirect_uris == []
    assert client.refresh_token_lifetime_seconds == 30 * 24 * 60 * 60


def test_creates_a_demo_user_with_a_hashed_password(db: Any) -> None:
    output = run(user="clarus-admin", password="user-password-123")

    user = SandboxUser.objects.select_related("subdomain").get()
    assert user.username == "clarus-admin"
    assert user.subdomain.slug == "acme"
    assert user.check_password("user-password-123")
    assert "user-password-123" not in user.password_hash
    assert "user-password-123" not in output
    assert "Created sandbox user clarus-admin@acme." in output


def test_user_again_keeps_or_replaces_the_password(db: Any) -> None:
    run(user="clarus-admin", password="user-password-123")
    first_hash = SandboxUser.objects.get().password_hash

    same = run(user="clarus-admin", password="user-password-123")
    unchanged_hash = SandboxUser.objects.get().password_hash
    run(user="clarus-admin", password="another-password-456")

    assert "Updated sandbox user" in same
    assert unchanged_hash == first_hash
    user = SandboxUser.objects.get()
    assert user.check_password("another-password-456")
    assert not user.check_password("user-password-123")


@pytest.mark.parametrize(
    "arguments",
    [
        ["--redirect-uri=not a url"],
        ["--redirect-uri=ftp://desk.example/cb"],
        ["--redirect-uri=https://desk.example/cb#fragment"],
        ["--redirect-uri=/relative/cb"],
        ["--user=clarus-admin"],
        ["--password=user-password-123"],
        ["--user=clarus-admin", "--password="],
        ["--refresh-token-lifetime=-5"],
    ],
)
def test_bad_oauth_arguments_are_refused(db: Any, arguments: list[str]) -> None:
    base = ["--subdomain=acme", "--client-id=desk", f"--client-secret={SECRET}"]

    with pytest.raises(CommandError):
        call_command("sandbox_client", *base, *arguments, stdout=StringIO())

    assert not SandboxClient.objects.exists()
    assert not SandboxUser.objects.exists()
