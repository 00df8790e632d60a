"""``backends._http.import_aiohttp``: aiohttp imported with its CA store loaded in a thread (issue 17, start-up).

The deferred store must leave aiohttp's TLS contexts as a plain ``import aiohttp`` does, and a TLS call must wait
for it: checked against a real HTTPS server on 127.0.0.1 with a self-signed certificate, in fresh interpreters
(the deferral only happens on a process's first import of aiohttp). The expected contexts come from a separate
interpreter that imports aiohttp plainly, not from the code under test.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .reliability.canned_server import free_port

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="the openssl command is needed to make a self-signed certificate")

SERVER = textwrap.dedent(
    """
    import http.server, json, ssl, sys

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps({"id": "x", "object": "chat.completion", "model": "m", "choices": [{"index": 0, "message": {"role": "assistant", "content": "over TLS"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()
    """
)

CLIENT = textwrap.dedent(
    """
    import asyncio, sys
    assert "aiohttp" not in sys.modules
    from judgebench.backends import BackendError, ChatParams, make_provider

    provider = make_provider("openai:m", base_url=sys.argv[1], timeout=10)

    async def main():
        try:
            completion = await provider.chat_once([{"role": "user", "content": "hi"}], ChatParams(max_tokens=5))
            print("ANSWER", completion.text)
        except BackendError as e:
            print("FAILED", e)
        finally:
            await provider.aclose()

    asyncio.run(main())
    """
)

STATS = textwrap.dedent(
    """
    import json, ssl, sys
    before = sorted(ssl.SSLContext.__dict__)
    if sys.argv[1] == "deferred":
        from judgebench.backends import _http
        _http.import_aiohttp(tls=False)
        if _http._ca_loading is not None:
            _http._ca_loading.join()
    else:
        import aiohttp
    from aiohttp import connector
    out = {}
    for name in ("_SSL_CONTEXT_VERIFIED", "_SSL_CONTEXT_UNVERIFIED"):
        ctx = getattr(connector, name)
        out[name] = [ctx.cert_store_stats(), int(ctx.verify_mode), ctx.check_hostname, [c["serialNumber"] for c in ctx.get_ca_certs()]]
    out["class_unchanged"] = sorted(ssl.SSLContext.__dict__) == before
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(cert), str(key)])
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the TLS test server did not start") from None
            time.sleep(0.05)
    yield f"https://127.0.0.1:{port}/v1", cert
    proc.kill()
    proc.wait()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")}
    return env | {"OPENAI_API_KEY": "sk-test-not-a-real-key-0000"} | extra


def _client(url: str, env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-c", CLIENT, url], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_a_tls_call_uses_the_deferred_ca_store(tls_server: tuple[str, Path]) -> None:
    """With the self-signed certificate as the whole CA store (``SSL_CERT_FILE``, read when the store is loaded),
    the first call's TLS handshake succeeds: the deferred store reached the context aiohttp verifies with, before
    the call. Without it, the same server is refused."""
    url, cert = tls_server
    assert "ANSWER over TLS" in _client(url, _env(SSL_CERT_FILE=str(cert)))
    refused = _client(url, _env())
    assert "FAILED" in refused and "certificate" in refused.lower(), refused


def test_contexts_equal_a_plain_import() -> None:
    """After the deferred load, both of aiohttp's default contexts hold the same CA certificates, verify mode and
    hostname check as after ``import aiohttp`` in another interpreter; ``ssl.SSLContext`` is left as it was."""
    plain = json.loads(subprocess.run([sys.executable, "-c", STATS, "plain"], env=_env(), capture_output=True, text=True, check=True).stdout)
    deferred = json.loads(subprocess.run([sys.executable, "-c", STATS, "deferred"], env=_env(), capture_output=True, text=True, check=True).stdout)
    assert deferred["class_unchanged"] and plain["class_unchanged"]
    assert deferred == plain
    assert plain["_SSL_CONTEXT_VERIFIED"][0]["x509_ca"] == len(plain["_SSL_CONTEXT_VERIFIED"][3])


EXIT_AT_ONCE = "import gc\nfrom judgebench.backends._http import import_aiohttp\nimport_aiohttp(tls=False)\ngc.freeze()\n"


def test_a_process_that_exits_at_once_waits_for_the_store() -> None:
    """A command may end right after importing aiohttp (a recipe whose calls all fail fast). The store's thread must
    finish before the interpreter frees the contexts it fills: as a daemon thread it crashed 14 of 20 such
    processes (SIGSEGV), with ``gc.freeze()`` before the exit as the ``judgebench`` command does."""
    codes = [subprocess.run([sys.executable, "-c", EXIT_AT_ONCE], env=_env(), capture_output=True, timeout=60).returncode for _ in range(12)]
    assert codes == [0] * 12
