"""Reads for the sandbox's pages, and for tests that count what the desk did."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from sandbox.models import SandboxGoodsOut, SandboxTokenRequest


def goods_out_list() -> QuerySet[SandboxGoodsOut]:
    """Return the received goods-outs, newest first."""
    return SandboxGoodsOut.objects.select_related("subdomain").order_by("-received_at", "-id")


def goods_out_get(*, goods_out_id: int) -> SandboxGoodsOut:
    """Return one received goods-out, or raise Http404."""
    return get_object_or_404(SandboxGoodsOut.objects.select_related("subdomain"), pk=goods_out_id)


def token_request_count(
    *, client_id: str, grant_type: str | None = None, outcome: str | None = None
) -> int:
    """Return how many token requests named ``client_id``, whatever their outcome by default.

    ``outcome`` is ``SandboxTokenRequest.ISSUED`` or an RFC 6749 §5.2 error code.
    """
    requests = SandboxTokenRequest.objects.filter(presented_client_id=client_id)
    if grant_type is not None:
        requests = requests.filter(grant_type=grant_type)
    if outcome is not None:
        requests = requests.filter(outcome=outcome)
    return requests.count()
