"""Benchmarks that run the whole desk for real: see bench/README.md."""
