"""Writes: one module per feature (``orders.services.submission``, ``delivery``, ``staff``, …)."""
