"""Loading Hugging Face datasets without waiting on a hub that cannot be reached.

``datasets.load_dataset`` retries an unreachable hub for about 25 seconds before failing (five retries with
back-off). Every loader here goes through :func:`load_hub_dataset`, which first checks in at most
``HUB_PROBE_TIMEOUT`` seconds that the hub's host accepts a connection; when it does not, ``datasets`` runs in
offline mode (``HF_HUB_OFFLINE=1``), so a dataset already in the local cache still loads and any other fails at
once with the caller's hint (where to put a local copy). The probe is made once per process. ``HF_HUB_OFFLINE=1``
set by the user skips it; ``HF_ENDPOINT`` (a mirror) is the host probed.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from typing import Any
from urllib.parse import urlsplit

from .errors import InputError

logger = logging.getLogger(__name__)

HUB_PROBE_TIMEOUT = 3.0
"""Seconds the reachability check waits for a TCP connection to the hub's host."""

_reachable: bool | None = None


def hub_endpoint() -> tuple[str, int]:
    """The hub's host and port: ``HF_ENDPOINT`` when set, else ``huggingface.co:443``."""
    parts = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    return parts.hostname or "huggingface.co", parts.port or (80 if parts.scheme == "http" else 443)


def hub_reachable() -> bool:
    """Whether the hub's host accepts a TCP connection within ``HUB_PROBE_TIMEOUT`` (cached for the process;
    ``False`` at once under ``HF_HUB_OFFLINE=1``)."""
    global _reachable
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return False
    if _reachable is None:
        host, port = hub_endpoint()
        try:
            with socket.create_connection((host, port), timeout=HUB_PROBE_TIMEOUT):
                _reachable = True
        except OSError as e:
            logger.info("the Hugging Face hub (%s:%d) is unreachable (%s): datasets runs offline, from its local cache only", host, port, e)
            _reachable = False
    return _reachable


def _go_offline() -> None:
    """Put ``datasets`` and ``huggingface_hub`` in offline mode, imported or not (both read the flag at import)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    for module, attr in (("huggingface_hub.constants", "HF_HUB_OFFLINE"), ("datasets.config", "HF_HUB_OFFLINE"), ("datasets.config", "HF_DATASETS_OFFLINE")):
        mod = sys.modules.get(module)
        if mod is not None and hasattr(mod, attr):
            setattr(mod, attr, True)


def load_hub_dataset(name: str, /, *, hint: str, where: str | None = None, **options: Any) -> Any:
    """``datasets.load_dataset(name, **options)``, failing fast when the hub cannot be reached (module docstring).

    Args:
        name: the dataset id (``allenai/reward-bench``); positional only, so ``name=`` in ``options`` is the
            dataset's configuration, as in ``load_dataset``.
        hint: what the user can do instead (where to put a local copy), appended to every error.
        where: the "file" errors name (default ``hf:<name>``).
        options: passed to ``load_dataset`` (``split``, ``data_dir``, a configuration as ``name=``...).

    Raises:
        InputError: when ``datasets`` is not installed, or the dataset cannot be loaded (offline and not cached, an
            unknown id, no access): ``cannot load <name> from the Hugging Face hub: <reason>. <hint>``.
    """
    where = where or f"hf:{name}"
    if not hub_reachable():
        _go_offline()
    try:
        import datasets
    except ImportError:
        raise InputError(f"loading {name} from the Hugging Face hub needs the 'datasets' package (pip install datasets). {hint}", path=where) from None
    logger.info("loading %s (%s) from the Hugging Face hub", name, ", ".join(f"{k}={v}" for k, v in options.items()))
    try:
        return datasets.load_dataset(name, **options)
    except Exception as e:
        offline = "" if hub_reachable() else f" (the hub, {':'.join(map(str, hub_endpoint()))}, is unreachable from here and the dataset is not in the local cache)"
        raise InputError(f"cannot load {name} from the Hugging Face hub{offline}: {str(e).strip() or type(e).__name__}. {hint}", path=where) from None
