"""Keep secrets out of everything judgebench writes: results, caches, reports, logs and the console.

The secrets the process knows (:func:`secret_values`) are:

- the value of every environment variable whose name looks like a credential: the name ends in ``KEY``, ``TOKEN``,
  ``SECRET``, ``PASSWORD`` or ``PASSWD``, or one of its ``_``-separated parts is one of those words, ``APIKEY``,
  ``PASS``, ``CREDENTIAL`` or ``CREDENTIALS`` (``OPENAI_API_KEY``, ``HF_TOKEN``, ``AWS_SECRET_ACCESS_KEY``,
  ``PGPASSWORD``; not ``TOKENIZERS_PARALLELISM`` nor ``SSH_AUTH_SOCK``), when the value has at least
  ``MIN_ENV_SECRET`` (8) characters: shorter values (``1``, ``true``) are settings, not keys;
- what :func:`register_secret` was given, at least ``MIN_REGISTERED_SECRET`` (6) characters: the password of a
  ``user:password@`` in a base URL (as written and percent-decoded), the HTTP Basic credential made from it, and the
  values of query parameters whose name looks like a credential (:func:`split_url_credentials` registers them all).
  A shorter password is sent but cannot be redacted without mangling ordinary text; registering one logs a warning.

Where they are removed (replaced by ``[REDACTED]``):

- every file judgebench writes through :mod:`judgebench.files` (judgments, the partial log, ``run.json``,
  ``metrics.json``, recipe ``summary.json``/``graded.jsonl``/pairs, leaderboards, the HTML report), with
  :func:`dumps_redacted` for JSON (every string of the value) or :func:`redact_known` for text; a recipe's
  ``dataset/`` folder, written by ``datasets``, from rows passed through :func:`redact_data` first;
- every call-cache value (:class:`judgebench.backends.cache.CallCache.put`);
- every log record (:class:`RedactingFilter`) and everything the command line prints, tracebacks included
  (:func:`redacting_console`), with :func:`redact`, which also removes key-shaped strings (``sk-...``,
  ``sk-ant-...``, ``hf_...``) and the password of any ``scheme://user:password@`` in the text.

Files get only the known values removed, not key-shaped strings or URL passwords in general: a pair whose text
quotes ``sk-example-...`` or ``postgres://user:pw@host`` must be stored as it is, or a resumed run would no longer
recognise it. Keys are read from the environment only when a backend is built and are never part of a ``RunSpec``.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

logger = logging.getLogger(__name__)

REDACTED = "[REDACTED]"
MIN_ENV_SECRET = 8
MIN_REGISTERED_SECRET = 6

_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD")
_SECRET_PARTS = frozenset({*_SECRET_WORDS, "APIKEY", "PASS", "CREDENTIAL", "CREDENTIALS"})
_SECRET_PARAM = re.compile(r"key|token|secret|signature|password|passwd|auth|credential", re.IGNORECASE)
_KEY_SHAPES = re.compile(r"\b(sk-ant-[A-Za-z0-9_-]{8,}|sk-[A-Za-z0-9_-]{16,}|hf_[A-Za-z0-9]{16,})\b")
_URL_PASSWORD = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):([^/\s@]+)@")

_registered: set[str] = set()
_lock = threading.Lock()


@functools.lru_cache(maxsize=4096)  # every write asks for the secrets: classify each name once
def is_secret_env_name(name: str) -> bool:
    """Whether an environment variable's name looks like a credential's (see the module docstring)."""
    upper = name.upper()
    return upper.endswith(_SECRET_WORDS) or any(part in _SECRET_PARTS for part in upper.split("_"))


def register_secret(value: str | None) -> None:
    """Add ``value`` to the secrets redacted from everything written from now on, in this process.

    Values shorter than ``MIN_REGISTERED_SECRET`` are not added (redacting them would mangle ordinary text); a
    warning says so. ``None`` and ``""`` are ignored.
    """
    if not value:
        return
    if len(value) < MIN_REGISTERED_SECRET:
        logger.warning("a credential of %d characters is too short to be redacted from outputs; use one of %d or more", len(value), MIN_REGISTERED_SECRET)
        return
    with _lock:
        _registered.add(value)


@functools.lru_cache(maxsize=4096)
def _is_secret_env_name_bytes(name: bytes) -> bool:
    return is_secret_env_name(os.fsdecode(name))


def _env_secrets() -> set[str]:
    # Every file write asks for the secrets, so the environment is read each time (a test or a library may change
    # it). CPython keeps it as bytes in ``os.environ._data``: scanning that is ~10x faster than decoding every item.
    data = getattr(os.environ, "_data", None)
    if isinstance(data, dict):
        found = (os.fsdecode(v) for k, v in data.items() if len(v) >= MIN_ENV_SECRET and _is_secret_env_name_bytes(k))
        return {v for v in found if len(v) >= MIN_ENV_SECRET}
    return {v for k, v in os.environ.items() if len(v) >= MIN_ENV_SECRET and is_secret_env_name(k)}


def secret_values() -> list[str]:
    """Every secret this process knows (environment credentials and registered values), longest first.

    Longest first, so that a secret containing another is replaced whole.
    """
    env = _env_secrets()
    with _lock:
        known = env | _registered
    return sorted(known, key=len, reverse=True)


def _replace_all(text: str, secrets: list[str]) -> str:
    for value in secrets:
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def redact_known(text: str) -> str:
    """``text`` with every secret of :func:`secret_values` replaced by ``[REDACTED]`` (nothing else changed)."""
    if not text:
        return text
    return _replace_all(text, secret_values())


def redact_data(obj: Any) -> Any:
    """A copy of a JSON-like value (dicts, lists, tuples, strings, numbers) with :func:`redact_known` applied to every
    string in it, dictionary keys included. Other values are returned as they are; tuples become lists."""
    secrets = secret_values()
    if not secrets:
        return obj

    def walk(x: Any) -> Any:
        if isinstance(x, str):
            return _replace_all(x, secrets)
        if isinstance(x, dict):
            return {walk(k) if isinstance(k, str) else k: walk(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [walk(v) for v in x]
        return x

    return walk(obj)


def dumps_redacted(obj: Any, **kwargs: Any) -> str:
    """``json.dumps(redact_data(obj), **kwargs)``, fast when no secret is in ``obj``: the value is serialised as it
    is and walked only when the text holds a secret as JSON writes it (escaped), which it does whenever one of
    its strings holds that secret."""
    text = json.dumps(obj, **kwargs)
    ascii_only = kwargs.get("ensure_ascii", True)
    if any(json.dumps(s, ensure_ascii=ascii_only)[1:-1] in text for s in secret_values()):
        text = json.dumps(redact_data(obj), **kwargs)
    return text


def redact(text: str, extra: list[str] | None = None) -> str:
    """For error and log text: the known secrets, ``extra``, the password of any ``scheme://user:password@`` and
    key-shaped strings (``sk-...``, ``sk-ant-...``, ``hf_...``) replaced by ``[REDACTED]``."""
    if not text:
        return text
    text = _replace_all(text, sorted({*secret_values(), *(v for v in extra or [] if v)}, key=len, reverse=True))
    text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}:{REDACTED}@", text)
    return _KEY_SHAPES.sub(REDACTED, text)


_URL_USERINFO = re.compile(r"://[^/\s@]+@")
_QUERY_PARAM = re.compile(r"[?&]([^=&\s#]+)=")


def holds_credentials(text: str) -> bool:
    """Whether ``text`` holds something that must not be written where names are (a folder name, a label): a known
    secret or a key-shaped string (what :func:`redact` replaces), a URL's ``user[:password]@``, or a URL query
    parameter named like a credential (``?api-key=...``, ``&token=...``)."""
    return redact(text) != text or bool(_URL_USERINFO.search(text)) or any(_SECRET_PARAM.search(m.group(1)) for m in _QUERY_PARAM.finditer(text))


@dataclass(frozen=True)
class SplitUrl:
    """A base URL without its ``user:password@`` part, and the credentials that were in it (percent-decoded)."""

    url: str
    username: str | None = None
    password: str | None = None

    @property
    def basic_authorization(self) -> str | None:
        """The ``Authorization`` header value for HTTP Basic auth (RFC 7617) with these credentials, or None."""
        if self.username is None and self.password is None:
            return None
        token = base64.b64encode(f"{self.username or ''}:{self.password or ''}".encode()).decode("ascii")
        return f"Basic {token}"


def split_url_credentials(url: str) -> SplitUrl:
    """Take ``user:password@`` out of ``url`` and register every credential in it as a secret.

    Registered: the password as written and percent-decoded, the Basic credential made from the user and password,
    and the value of each query parameter whose name looks like a credential (``api-key``, ``token``, ...), which
    stays in the URL (some servers take their key that way) but is redacted from everything written. A URL without
    credentials comes back unchanged; so does text that is not an absolute URL.
    """
    parts = urlsplit(url)
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if _SECRET_PARAM.search(name):
            register_secret(value)
    if "@" not in parts.netloc:
        return SplitUrl(url)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    raw_user, colon, raw_password = userinfo.partition(":")
    username = unquote(raw_user) if raw_user else None
    password = unquote(raw_password) if colon else None
    split = SplitUrl(urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment)), username, password)
    if raw_password:
        register_secret(raw_password)
        register_secret(password)
    auth = split.basic_authorization
    if auth is not None and password:
        register_secret(auth.removeprefix("Basic "))
    return split


class RedactingFilter:
    """A ``logging`` filter that redacts secrets from every record a handler emits (ours and libraries')."""

    def filter(self, record: object) -> bool:
        assert isinstance(record, logging.LogRecord)
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RedactingStream:
    """A text stream that writes everything through ``clean`` (default :func:`redact`) to the stream it wraps (other
    attributes pass through). A secret split across two ``write`` calls is not caught; ``print`` and logging write
    each message in one call."""

    def __init__(self, stream: TextIO, clean: Callable[[str], str] = redact):
        self._stream = stream
        self._clean = clean

    def write(self, text: str) -> int:
        self._stream.write(self._clean(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _redacting_excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
    import traceback

    sys.stderr.write(redact("".join(traceback.format_exception(kind, value, tb))))


@contextmanager
def redacting_console() -> Iterator[None]:
    """While inside: ``sys.stdout`` and ``sys.stderr`` redact what is written to them, and so does the hook that
    prints an uncaught exception's traceback (installed for the rest of the process).

    Standard output gets the known secrets removed (:func:`redact_known`), like files, since commands print data
    there (``grade --out -``); standard error, where logs, errors and tracebacks go, gets :func:`redact`.
    """
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(out, redact_known), RedactingStream(err)  # type: ignore[assignment]
    sys.excepthook = _redacting_excepthook
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
