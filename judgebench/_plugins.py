"""The one rule the plugin registries (judges, benchmarks) share for finding an entry by name."""

from __future__ import annotations

import importlib


def import_own_module(package: str, name: str) -> None:
    """Import ``<package>.<name>``, the module an entry named ``name`` usually lives in, when it exists: a command
    that needs one judge or benchmark then imports only that one, not every module of the package. A name that is
    not a module name (or a private one) imports nothing; a module that exists but fails to import raises.

    Raises:
        whatever the module's own import raises (a ``ModuleNotFoundError`` of something it imports, included).
    """
    if not name.isidentifier() or name.startswith("_"):
        return
    try:
        importlib.import_module(f"{package}.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"{package}.{name}":
            raise
