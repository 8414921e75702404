"""Fault knobs: make a pretend tenant slow, or make its goods-out endpoint fail.

Tests and demos use them to see how the desk copes with a Clarus that is slow or down; they apply
to ``POST goods_outs`` only, never to the token endpoint.
"""

import time

from sandbox.models import SandboxSubdomain


def faults_set(
    *, subdomain: str, latency_ms: int = 0, forced_status: int | None = None
) -> SandboxSubdomain:
    """Set the faults of ``subdomain``, replacing any it had."""
    tenant = SandboxSubdomain.objects.get(slug=subdomain)
    tenant.latency_ms = latency_ms
    tenant.forced_status = forced_status
    tenant.full_clean()
    tenant.save(update_fields=["latency_ms", "forced_status"])
    return tenant


def faults_clear(*, subdomain: str) -> SandboxSubdomain:
    """Make ``subdomain`` answer promptly and normally again."""
    return faults_set(subdomain=subdomain)


def latency_apply(subdomain: SandboxSubdomain) -> None:
    """Wait as long as the subdomain's latency knob says."""
    if subdomain.latency_ms:
        time.sleep(subdomain.latency_ms / 1000)
