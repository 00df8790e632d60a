"""Tests of the prompted judges: exact prompt rendering and strict verdict parsing on recorded outputs."""
