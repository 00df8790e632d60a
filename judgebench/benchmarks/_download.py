"""Fetching a benchmark's public files when no local copy is given: downloaded once into the cache, never half
written, with an error that says where to put a local copy instead."""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.request
from pathlib import Path

from ..errors import InputError

logger = logging.getLogger(__name__)


def cache_root(name: str, commit: str) -> Path:
    """``$JUDGEBENCH_CACHE_DIR/data/<name>/<commit>``: where the files of a benchmark pinned at ``commit`` are kept."""
    from ..backends.cache import default_cache_dir

    return default_cache_dir() / "data" / name / commit


def cached_download(url: str, dest: Path, *, what: str, offline_hint: str) -> Path:
    """``dest``, downloading ``url`` into it first when it is not there yet (atomically: a half-written file is
    never read as the data).

    Raises:
        InputError: when the download fails (offline, blocked): ``cannot download <what>: <reason>. Offline?
            <offline_hint>``, naming the URL.
    """
    if dest.is_file():
        return dest
    logger.info("downloading %s from %s", what, url)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except (urllib.error.URLError, OSError, TimeoutError) as e:
        reason = getattr(e, "reason", None) or e
        raise InputError(f"cannot download {what}: {reason}. Offline? {offline_hint}", path=url) from None
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dest)
    return dest
