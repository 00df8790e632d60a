"""Benchmarks: where each one's data lives, how its rows become items, and its scoring rule."""
