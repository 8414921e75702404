"""Latency figures the benches print: runs, median and 95th percentile, in milliseconds."""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    runs: int
    p50: float
    p95: float


def percentile(values: Sequence[float], share: float) -> float:
    """Return the nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def timing(times: Sequence[float]) -> Timing:
    """Return the runs, median and 95th percentile of request times."""
    return Timing(len(times), statistics.median(times), percentile(times, 0.95))
