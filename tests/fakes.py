"""Local stand-ins for what lives outside the machine: Slack's Web API, Slack's Socket Mode
websocket, and an LLM server.

All are real servers on 127.0.0.1, so the code under test goes through its real clients
(slack_sdk's WebClient and Socket Mode client, the openai package) and only the far end
is fake.
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

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

Reply = tuple[int, dict[str, str], dict[str, Any] | bytes]
POLL_SECONDS = 0.01


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    raw: bytes = b""  # the body as sent (an uploaded file)


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
                call = Call(
                    self.command,
                    urllib.parse.urlparse(self.path).path,
                    headers,
                    _parse_body(raw, self.headers.get("Content-Type", "")),
                    raw=raw,
                )
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
        # shutdown() waits for the loop's next poll: the default 0.5 s cost every test half a second.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
        )

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


class FakeSocketMode:
    """Slack's Socket Mode endpoint: greets with ``hello``, pushes envelopes, collects acks.

    Point ``apps.connections.open`` at ``url``; ``push`` sends an envelope to the connected
    app and ``wait_for_ack`` returns what the app acknowledged it with.
    """

    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}
        self.paths: list[str] = []
        self._connection: ServerConnection | None = None
        self._changed = threading.Condition()
        # Slack itself pings; the fake leaves keep-alive to the client under test.
        self.server = serve(self._handle, "127.0.0.1", 0, ping_interval=None, compression=None)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=test-ticket"

    def __enter__(self) -> FakeSocketMode:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()

    def _handle(self, connection: ServerConnection) -> None:
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "connection_info": {"app_id": "A1"},
                    "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                }
            )
        )
        with self._changed:
            self._connection = connection  # the newest connection gets the envelopes
            self.paths.append(connection.request.path if connection.request else "")
            self._changed.notify_all()
        try:
            for raw in connection:
                ack = json.loads(raw)
                with self._changed:
                    self.acks[str(ack.get("envelope_id"))] = ack
                    self._changed.notify_all()
        except ConnectionClosed:
            pass

    def wait_connected(self, count: int = 1, timeout: float = 20.0) -> bool:
        """Block until the app has opened ``count`` websocket connections in all."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.paths) >= count, timeout)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """What Slack sends before it recycles a connection (every few hours)."""
        assert self._connection is not None, "no app is connected"
        self._connection.send(json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}}))

    def push(self, kind: str, payload: dict[str, Any], envelope_id: str, retry_attempt: int = 0) -> None:
        assert self._connection is not None, "no app is connected"
        self._connection.send(
            json.dumps(
                {
                    "envelope_id": envelope_id,
                    "type": kind,
                    "payload": payload,
                    "retry_attempt": retry_attempt,
                    "retry_reason": "timeout" if retry_attempt else "",
                    "accepts_response_payload": kind != "events_api",
                }
            )
        )

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any] | None:
        with self._changed:
            self._changed.wait_for(lambda: envelope_id in self.acks, timeout)
            return self.acks.get(envelope_id)


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
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def chat_by_prompt(answers: dict[str, str], default: str = "", delay: float = 0.0) -> Callable[[Call], Reply]:
    """A chat.completions handler that answers by what the prompt contains: the first key of
    ``answers`` found in the last message picks the reply, else ``default``."""

    def reply(call: Call) -> Reply:
        time.sleep(delay)
        messages = call.body.get("messages") or [{}]
        prompt = str(messages[-1].get("content", ""))
        content = next((answer for key, answer in answers.items() if key in prompt), default)
        return 200, {}, chat_completion(content)

    return reply
