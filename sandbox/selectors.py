"""Reads for the sandbox's pages."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from sandbox.models import SandboxGoodsOut


def goods_out_list() -> QuerySet[SandboxGoodsOut]:
    """Return the received goods-outs, newest first."""
    return SandboxGoodsOut.objects.select_related("subdomain").order_by("-received_at", "-id")


def goods_out_get(*, goods_out_id: int) -> SandboxGoodsOut:
    """Return one received goods-out, or raise Http404."""
    return get_object_or_404(SandboxGoodsOut.objects.select_related("subdomain"), pk=goods_out_id)
