"""Benchmarks of the portal's hot paths, run by `make bench` (see bench/README.md)."""
