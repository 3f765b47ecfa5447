"""Local stand-ins for what lives outside the machine: Slack's Web API and an LLM server.

Both are real HTTP servers on 127.0.0.1, so the code under test goes through its real
clients (slack_sdk's WebClient, the openai package) and only the far end is fake.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, dict[str, str], dict[str, Any] | bytes]


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeServer:
    """A threaded HTTP server whose answers are set per path by the test."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.handlers: dict[str, Callable[[Call], Reply]] = {}
        self.default: Callable[[Call], Reply] = lambda call: (200, {}, {"ok": True})
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output clean
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                call = Call(self.command, urllib.parse.urlparse(self.path).path, headers,
                            _parse_body(raw, self.headers.get("Content-Type", "")))
                with server._changed:
                    server.calls.append(call)
                    server._changed.notify_all()
                handler = server.handlers.get(call.path, server.default)
                status, headers, body = handler(call)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = _handle
            do_GET = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def calls_to(self, path: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` calls reached ``path`` (background work in the app)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len([c for c in self.calls if c.path == path]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return [c for c in self.calls if c.path == path]


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    text = raw.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            value = json.loads(text)
            return value if isinstance(value, dict) else {"_": value}
        except json.JSONDecodeError:
            return {"_raw": text}
    parsed = urllib.parse.parse_qs(text, keep_blank_values=True)
    body: dict[str, Any] = {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}
    for key in ("blocks", "view"):
        if isinstance(body.get(key), str):
            with contextlib.suppress(json.JSONDecodeError):
                body[key] = json.loads(body[key])
    return body


def chat_completion(content: str | None) -> dict[str, Any]:
    """An OpenAI-compatible chat.completions response body."""
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
