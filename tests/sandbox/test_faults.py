"""Fault knobs of POST goods_outs beyond latency and forced_status, over the test client.

The dropped connection is tested over a real socket in test_drop.py.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from sandbox.faults import ConnectionDropped, faults_parse, faults_set, faults_update
from sandbox.models import (
    SandboxAccessToken,
    SandboxClient,
    SandboxGoodsOut,
    SandboxRefreshToken,
    SandboxSubdomain,
    SandboxUser,
)
from sandbox.services import (
    access_token_issue,
    refresh_token_issue,
    tokens_expire,
    tokens_revoke,
)
from tests.sandbox.factories import edited, goods_out_document

Post = Callable[..., Any]


def knobs() -> SandboxSubdomain:
    return SandboxSubdomain.objects.get(slug="acme")


@pytest.mark.parametrize(("retry_after", "header"), [(None, "1"), (7, "7")])
def test_forced_429_says_when_to_retry(
    post_goods_out: Post, retry_after: int | None, header: str
) -> None:
    options = {} if retry_after is None else {"retry_after_seconds": retry_after}
    faults_set(subdomain="acme", forced_status=429, **options)

    response = post_goods_out(goods_out_document())

    assert response.status_code == 429
    assert response["Retry-After"] == header
    assert response.json() == {
        "errors": [
            {
                "code": 429,
                "symbol": "too_many_requests",
                "details": "Too Many Requests (forced by the sandbox's fault knobs).",
                "source": None,
            }
        ]
    }
    assert not SandboxGoodsOut.objects.exists()


def test_other_forced_statuses_have_no_retry_after(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", forced_status=503, retry_after_seconds=5)

    response = post_goods_out(goods_out_document())

    assert response.status_code == 503
    assert "Retry-After" not in response


def test_fail_next_fails_that_many_with_500_then_answers(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", fail_next=2)

    statuses = [post_goods_out(goods_out_document()).status_code for _ in range(4)]

    assert statuses == [500, 500, 200, 200]
    assert SandboxGoodsOut.objects.count() == 2
    assert knobs().fail_next == 0


def test_fail_next_uses_the_forced_status_then_clears_it(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", forced_status=503, fail_next=2)

    statuses = [post_goods_out(goods_out_document()).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert (knobs().fail_next, knobs().forced_status) == (0, None)


def test_fail_next_with_429_sends_retry_after(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", forced_status=429, retry_after_seconds=3, fail_next=1)

    failed = post_goods_out(goods_out_document())
    answered = post_goods_out(goods_out_document())

    assert failed.status_code == 429
    assert failed["Retry-After"] == "3"
    assert answered.status_code == 200


def test_requests_refused_earlier_do_not_count_towards_fail_next(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", fail_next=1)

    unauthorized = post_goods_out(goods_out_document(), bearer="made-up")
    broken = post_goods_out("{broken")

    assert (unauthorized.status_code, broken.status_code) == (401, 422)
    assert knobs().fail_next == 1
    assert post_goods_out(goods_out_document()).status_code == 500


def test_fail_next_counts_per_subdomain(
    post_goods_out: Post, make_client: Callable[..., SandboxClient]
) -> None:
    globex = make_client(subdomain="globex", client_id="globex-desk")
    _row, globex_token = access_token_issue(client=globex)
    faults_set(subdomain="acme", fail_next=1)

    other = post_goods_out(goods_out_document(), bearer=globex_token, subdomain="globex")

    assert other.status_code == 200
    assert knobs().fail_next == 1


def test_drop_after_store_stores_then_drops(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", drop_after_store=1)

    # The test client has no socket to drop, so the sandbox says so instead of answering.
    with pytest.raises(ConnectionDropped):
        post_goods_out(goods_out_document())
    answered = post_goods_out(goods_out_document())

    assert SandboxGoodsOut.objects.count() == 2
    assert answered.status_code == 200
    assert knobs().drop_after_store == 0


def test_drop_after_store_spares_refused_documents(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", drop_after_store=1)

    response = post_goods_out(edited(goods_out_document(), "data.type", "nope"))

    assert response.status_code == 422
    assert knobs().drop_after_store == 1


def test_fail_next_comes_before_drop_after_store(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", fail_next=1, drop_after_store=1)

    assert post_goods_out(goods_out_document()).status_code == 500
    with pytest.raises(ConnectionDropped):
        post_goods_out(goods_out_document())
    assert SandboxGoodsOut.objects.count() == 1


def test_expire_tokens_after_ends_the_token_mid_run(
    post_goods_out: Post, sandbox_client: SandboxClient
) -> None:
    faults_set(subdomain="acme", expire_tokens_after=2)

    statuses = [post_goods_out(goods_out_document()).status_code for _ in range(2)]
    expired = post_goods_out(goods_out_document())
    _row, fresh = access_token_issue(client=sandbox_client)

    assert statuses == [200, 200]
    assert expired.status_code == 401
    assert expired.json() == {"error": "The access token has expired."}
    assert knobs().expire_tokens_after is None
    assert post_goods_out(goods_out_document(), bearer=fresh).status_code == 200
    assert SandboxGoodsOut.objects.count() == 3


def test_expire_tokens_after_counts_only_stored_goods_outs(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", expire_tokens_after=1)

    post_goods_out(edited(goods_out_document(), "data.type", "nope"))

    assert knobs().expire_tokens_after == 1
    assert post_goods_out(goods_out_document()).status_code == 200
    assert post_goods_out(goods_out_document()).status_code == 401


def test_expire_tokens_after_spares_refresh_tokens(
    post_goods_out: Post, sandbox_client: SandboxClient, sandbox_user: SandboxUser
) -> None:
    refresh_row, _refresh = refresh_token_issue(
        client=sandbox_client, user=sandbox_user, family=uuid.uuid4()
    )
    faults_set(subdomain="acme", expire_tokens_after=1)

    post_goods_out(goods_out_document())

    refresh_row.refresh_from_db()
    assert not refresh_row.is_expired


@pytest.fixture
def two_tenants(
    sandbox_client: SandboxClient,
    sandbox_user: SandboxUser,
    make_client: Callable[..., SandboxClient],
) -> dict[str, Any]:
    globex = make_client(subdomain="globex", client_id="globex-desk")
    access_token_issue(client=sandbox_client)
    access_token_issue(client=globex)
    refresh_token_issue(client=sandbox_client, user=sandbox_user, family=uuid.uuid4())
    return {"acme": sandbox_client, "globex": globex}


def test_tokens_expire_ends_one_subdomains_access_tokens(two_tenants: dict[str, Any]) -> None:
    count = tokens_expire(subdomain="acme")

    assert count == 1
    assert SandboxAccessToken.objects.get(client=two_tenants["acme"]).is_expired
    assert not SandboxAccessToken.objects.get(client=two_tenants["globex"]).is_expired
    assert not SandboxRefreshToken.objects.get().is_expired


def test_tokens_expire_can_end_refresh_tokens_too(two_tenants: dict[str, Any]) -> None:
    count = tokens_expire(subdomain="acme", refresh_tokens=True)

    assert count == 2
    assert SandboxRefreshToken.objects.get().is_expired


def test_tokens_revoke_ends_every_token_of_one_subdomain(two_tenants: dict[str, Any]) -> None:
    count = tokens_revoke(subdomain="acme")

    assert count == 2
    assert SandboxAccessToken.objects.get(client=two_tenants["acme"]).revoked
    assert SandboxRefreshToken.objects.get().revoked
    assert not SandboxAccessToken.objects.get(client=two_tenants["globex"]).revoked


def test_expired_tokens_are_refused_at_once(post_goods_out: Post) -> None:
    tokens_expire(subdomain="acme")

    response = post_goods_out(goods_out_document())

    assert response.status_code == 401
    assert response.json() == {"error": "The access token has expired."}


def test_revoked_tokens_are_refused_at_once(post_goods_out: Post) -> None:
    tokens_revoke(subdomain="acme")

    response = post_goods_out(goods_out_document())

    assert response.json() == {"error": "The access token has been revoked."}


def test_faults_update_leaves_other_knobs(sandbox_client: SandboxClient) -> None:
    faults_set(subdomain="acme", latency_ms=20, forced_status=503)

    faults_update(subdomain="acme", knobs={"fail_next": 2})

    assert (knobs().latency_ms, knobs().forced_status, knobs().fail_next) == (20, 503, 2)


@pytest.mark.parametrize(
    "changes",
    [
        {"nonsense": 1},
        {"fail_next": None},
        {"expire_tokens_after": 0},
        {"forced_status": 302},
    ],
)
def test_faults_update_refuses_bad_knobs(
    sandbox_client: SandboxClient, changes: dict[str, int | None]
) -> None:
    with pytest.raises(ValidationError):
        faults_update(subdomain="acme", knobs=changes)


def test_faults_parse_reads_several_subdomains() -> None:
    parsed = faults_parse(
        " demo:latency_ms=800, fail_next=2 ; other:forced_status=none,expire_tokens_after=3;"
    )

    assert parsed == {
        "demo": {"latency_ms": 800, "fail_next": 2},
        "other": {"forced_status": None, "expire_tokens_after": 3},
    }


@pytest.mark.parametrize(
    "text", ["demo", ":fail_next=1", "demo:fail_next", "demo:speed=1", "demo:fail_next=two"]
)
def test_faults_parse_refuses_malformed_text(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        faults_parse(text)


def run_faults(*arguments: str) -> str:
    out = StringIO()
    call_command("sandbox_faults", *arguments, stdout=out)
    return out.getvalue()


def test_command_sets_the_given_knobs_and_shows_them(sandbox_client: SandboxClient) -> None:
    faults_set(subdomain="acme", latency_ms=10)

    output = run_faults(
        "--subdomain=acme",
        "--forced-status=429",
        "--retry-after=4",
        "--fail-next=3",
        "--drop-after-store=1",
        "--expire-tokens-after=5",
    )

    tenant = knobs()
    assert (tenant.latency_ms, tenant.forced_status, tenant.retry_after_seconds) == (10, 429, 4)
    assert (tenant.fail_next, tenant.drop_after_store, tenant.expire_tokens_after) == (3, 1, 5)
    assert output.strip() == (
        "acme:latency_ms=10,forced_status=429,retry_after_seconds=4,fail_next=3,"
        "drop_after_store=1,expire_tokens_after=5"
    )


def test_command_clear_resets_first(sandbox_client: SandboxClient) -> None:
    faults_set(subdomain="acme", latency_ms=10, forced_status=500)

    run_faults("--subdomain=acme", "--clear", "--fail-next=1")

    assert (knobs().latency_ms, knobs().forced_status, knobs().fail_next) == (0, None, 1)


def test_command_none_unsets_a_knob(sandbox_client: SandboxClient) -> None:
    faults_set(subdomain="acme", forced_status=500, expire_tokens_after=2)

    run_faults("--subdomain=acme", "--forced-status=none", "--expire-tokens-after=none")

    assert (knobs().forced_status, knobs().expire_tokens_after) == (None, None)


def test_command_without_knobs_only_shows(sandbox_client: SandboxClient) -> None:
    faults_set(subdomain="acme", latency_ms=10)

    output = run_faults("--subdomain=acme")

    assert "latency_ms=10" in output
    assert knobs().latency_ms == 10


def test_command_applies_sandbox_faults_from_the_environment(
    make_client: Callable[..., SandboxClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_client()
    make_client(subdomain="globex", client_id="globex-desk")
    monkeypatch.setenv("SANDBOX_FAULTS", "acme:latency_ms=800,fail_next=2;globex:forced_status=503")

    output = run_faults("--from-env")

    assert (knobs().latency_ms, knobs().fail_next) == (800, 2)
    assert SandboxSubdomain.objects.get(slug="globex").forced_status == 503
    assert "acme:" in output
    assert "globex:" in output


@pytest.mark.parametrize(
    ("arguments", "environment"),
    [
        ([], None),
        (["--subdomain=nowhere", "--fail-next=1"], None),
        (["--subdomain=acme", "--forced-status=200"], None),
        (["--subdomain=acme", "--expire-tokens-after=0"], None),
        (["--subdomain=acme", "--fail-next=-1"], None),
        (["--from-env"], None),
        (["--from-env"], "acme:speed=1"),
        (["--from-env"], "acme:fail_next=1;nowhere:fail_next=1"),
        (["--from-env", "--subdomain=acme"], "acme:fail_next=1"),
    ],
)
def test_command_refuses_bad_arguments(
    sandbox_client: SandboxClient,
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    environment: str | None,
) -> None:
    if environment is None:
        monkeypatch.delenv("SANDBOX_FAULTS", raising=False)
    else:
        monkeypatch.setenv("SANDBOX_FAULTS", environment)

    with pytest.raises(CommandError):
        run_faults(*arguments)

    # All or nothing: a bad entry leaves every subdomain as it was.
    assert knobs().fail_next == 0


def test_tokens_expire_leaves_already_expired_tokens_alone(sandbox_client: SandboxClient) -> None:
    row, _token = access_token_issue(client=sandbox_client)
    past = timezone.now() - timedelta(hours=1)
    SandboxAccessToken.objects.update(expires_at=past)

    assert tokens_expire(subdomain="acme") == 0
    row.refresh_from_db()
    assert row.expires_at == past
