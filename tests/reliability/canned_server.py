"""A tiny stdlib HTTP server on 127.0.0.1 that answers every POST with what a test tells it (a status and a body,
or hanging up without a reply), for the server behaviours the simulator does not play: a wrong key, an unknown
model, an error inside an HTTP 200 body, NaN rewards, odd token counts.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG_UP = object()
"""Returned by a reply function: close the connection without sending anything."""

Reply = Callable[[str, dict[str, Any]], "tuple[int, bytes | str | dict[str, Any]] | object"]


def chat_reply(text: str = "[[A]]", usage: Any = None) -> dict[str, Any]:
    """A minimal chat-completions body with one choice."""
    body: dict[str, Any] = {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}
    if usage is not None:
        body["usage"] = usage
    return body


class CannedServer:
    """``with CannedServer(reply) as s:`` serves on ``s.base_url``; ``reply(path, json_body)`` returns
    ``(status, body)`` (a dict is sent as JSON, text or bytes as they are) or ``HANG_UP``. ``s.calls`` counts POSTs."""

    def __init__(self, reply: Reply):
        self.reply = reply
        self.calls = 0
        self.paths: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                with server._lock:
                    server.calls += 1
                    server.paths.append(self.path)
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    body = {}
                out = server.reply(self.path, body)
                if out is HANG_UP:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status, payload = out  # type: ignore[misc]
                data = payload if isinstance(payload, bytes) else payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except ConnectionError:
                    pass  # the client gave up on this call (a stopped run cancels what is in flight)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> CannedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
