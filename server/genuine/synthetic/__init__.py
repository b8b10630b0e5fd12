"""Synthetic data with planted truth, for tests and benchmarks (never for real cards)."""
