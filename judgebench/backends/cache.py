"""Persistent call cache in one SQLite file (WAL mode), shared safely by concurrent runs and processes.

Key: sha256 of the canonical JSON of what determines the output: provider, model, the server that answers (its
normalised base URL, see ``endpoint_id``: two servers serving different checkpoints under one model name never
share answers), the full request (messages or scored text), generation parameters and a sample index for sampled
calls. Never the API key or any other credential (``endpoint_id`` drops user:password and secret-looking query
parameters), timeouts, retries or concurrency (``cache_key`` takes no such argument). Values are the completion as
JSON.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import InputError

logger = logging.getLogger(__name__)

CACHE_DIR_ENV = "JUDGEBENCH_CACHE_DIR"
SCHEMA = "CREATE TABLE IF NOT EXISTS calls (key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)"


def default_cache_dir() -> Path:
    return Path(os.environ.get(CACHE_DIR_ENV) or Path.home() / ".cache" / "judgebench")


_DEFAULT_PORTS = {"http": 80, "https": 443}
_SECRET_PARAM = re.compile(r"key|token|secret|signature|password|passwd|auth|credential", re.IGNORECASE)


def endpoint_id(base_url: str | None) -> str:
    """The server part of a cache key: ``base_url`` normalised, with nothing secret in it.

    Scheme and host are lower-cased, the default port (80 for http, 443 for https) and trailing slashes are
    dropped, and so are ``user:password@`` and the fragment; query parameters are kept (sorted) except those whose
    name looks like a credential (``api-key``, ``token``, ``signature``, ...). ``HTTP://Host:80/v1/`` and
    ``http://host/v1`` are one server; ``http://127.0.0.1:8000/v1`` and ``http://localhost:8000/v1`` are two (no
    name is resolved). ``None`` or ``""`` (a provider without a server, such as a local ``hf:`` model) gives ``""``.
    Text that is not an absolute URL is kept as it is, stripped.
    """
    if not base_url:
        return ""
    text = base_url.strip()
    parts = urlsplit(text)
    if not parts.scheme or not parts.hostname:
        return text
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()  # urlsplit drops user:password@ from hostname
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _SECRET_PARAM.search(k)))
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), query, ""))


def cache_key(*, provider: str, model: str, endpoint: str, request: Any, params: dict[str, Any], sample_index: int = 0) -> str:
    """Stable hex digest of a call; ``endpoint`` is ``endpoint_id`` of the server's base URL, ``request`` the
    messages list (chat) or the scored input (reward)."""
    payload = {"provider": provider, "model": model, "endpoint": endpoint, "request": request, "params": params, "sample": sample_index}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


class CallCache:
    """Get/put completions by key. One connection per thread; writes commit immediately (a kill loses nothing done)."""

    def __init__(self, path: str | Path):
        """Open (or create) the cache file.

        Raises:
            InputError: naming the file, when it cannot be opened as a cache (not an SQLite database, a folder,
                unwritable), with what to do: move it away or run with ``--no-cache``.
        """
        self.path = Path(path)
        self._local = threading.local()
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self.read_errors = 0
        self.write_errors = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as con:
                con.execute(SCHEMA)
        except (sqlite3.Error, OSError) as e:
            self.close()
            raise InputError(
                f"cannot open the call cache ({e}); it may be corrupt or not a judgebench cache: move it away (a new one is made) or run with --no-cache",
                path=self.path,
                field="--cache-dir",
            ) from None

    def _connect(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=True)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA busy_timeout=60000")
            self._local.con = con
        return con

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored value, or None: a miss, or an entry that cannot be read (a corrupt page or value), which is
        counted in ``read_errors``, warned about once, and made again by the caller: a read error never fails a call."""
        try:
            row = self._connect().execute("SELECT key, value FROM calls WHERE key = ?", (key,)).fetchone()
            if row is not None and row[0] != key:
                # a corrupt index page can point the lookup at another call's row: never answer with it
                raise sqlite3.DatabaseError(f"the index returned the entry of another key for {key[:12]}...")
            value = None if row is None else json.loads(row[1])
        except (sqlite3.Error, ValueError) as e:
            self.read_errors += 1
            if self.read_errors == 1:
                logger.warning("%s: cannot read from the call cache (%s); unreadable entries count as misses and those calls are made again. If this repeats, move the file away (a new one is made)", self.path, e)
            value = None
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        return value  # type: ignore[no-any-return]

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Store ``value`` under ``key``, with every known secret redacted (``judgebench.secrets.dumps_redacted``): a
        server that echoes the key in its answer must not put it in the cache file."""
        from ..secrets import dumps_redacted

        stored = dumps_redacted(value, ensure_ascii=False)
        for attempt in range(5):
            try:
                self._connect().execute("INSERT OR REPLACE INTO calls (key, value, created) VALUES (?, ?, ?)", (key, stored, time.time()))
                self.writes += 1
                return
            except sqlite3.OperationalError as e:  # "database is locked" under heavy multi-process contention
                if attempt == 4 or "locked" not in str(e).lower():
                    self._write_failed(e)
                    return
                logger.debug("cache write retry: %s", e)
                time.sleep(0.05 * (attempt + 1))
            except sqlite3.Error as e:  # a corrupt file ("database disk image is malformed")
                self._write_failed(e)
                return

    def _write_failed(self, error: Exception) -> None:
        """A write that failed costs only the caching of that call: the call's result stands (warned once)."""
        self.write_errors += 1
        if self.write_errors == 1:
            logger.warning("%s: cannot write to the call cache (%s); the run goes on and the calls that cannot be stored are not cached. If this repeats, move the file away (a new one is made)", self.path, error)

    def __len__(self) -> int:
        return int(self._connect().execute("SELECT COUNT(*) FROM calls").fetchone()[0])

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None
