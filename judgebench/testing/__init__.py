"""Test helpers that ship with the package: the fake OpenAI-compatible judge server."""
