"""Run the bot: Socket Mode (one workspace, no public URL) or HTTP behind waitress.

HTTP mode serves POST /slack/events (events, commands and interactivity), GET /healthz and
GET /metrics (Prometheus text format) through waitress, a production WSGI server with a
thread pool: requests are handled concurrently, unlike Bolt's one-at-a-time development server.

Hardened (issue 13): waitress accepts many idle connections and closes silent ones quickly
(a hundred idle sockets used to take the bot offline for two minutes), bodies over the limit
get 413 before they are read, and every request to the Slack endpoint is checked here before
Bolt parses it: a bad timestamp or signature gets 401, a body that is not a JSON object gets
400, and a signed payload of a shape Bolt's matchers would crash on is acknowledged, all
without a traceback in the log.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import logging
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.slack.deps import Deps
from bot.slack.metrics import METRICS_CONTENT_TYPE

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HTTP_THREADS = 8

StartResponse = Callable[..., Any]


def wsgi_app(app: App, deps: Deps) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Slack's endpoint plus a health check; anything else is a plain 404."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    secret = deps.settings.slack_signing_secret.encode()
    max_body = deps.settings.http_max_body

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            reason = deps.health()  # the database readable and writable, no flag waiting or spooled
            health: dict[str, object] = {"ok": not reason, "outbox": dict(deps.outbox.stats)}
            if reason:
                health["reason"] = reason
            body = json.dumps(health).encode()
            return _plain(start_response, "503 Service Unavailable" if reason else "200 OK", body)
        if path == "/metrics" and environ.get("REQUEST_METHOD") == "GET":
            # Unsigned like /healthz: counts and timings with fixed labels only (bot.slack.metrics).
            body = deps.metrics.exposition()
            start_response("200 OK", [("Content-Type", METRICS_CONTENT_TYPE), ("Content-Length", str(len(body)))])
            return [body]
        if path == EVENTS_PATH:
            if environ.get("REQUEST_METHOD") == "POST":
                refused = _screen(environ, secret, max_body)
                if refused is not None:
                    deps.metrics.requests_rejected.labels(_REJECTED.get(refused, "malformed")).inc()
                    return _plain(start_response, *refused)
            try:
                return slack(environ, start_response)
            except ValueError:  # Bolt parses the body before checking it: a malformed one lands here
                log.warning("Rejected a malformed request body")
                deps.metrics.requests_rejected.labels("malformed").inc()
                return _plain(start_response, *MALFORMED)
        return _plain(start_response, "404 Not Found", b'{"error": "not found"}')

    return application


_TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE_WINDOW = 300  # seconds, Slack's replay window
UNAUTHORIZED = ("401 Unauthorized", b'{"error": "invalid request"}')
MALFORMED = ("400 Bad Request", b'{"error": "malformed request"}')
ACK = ("200 OK", b"")
TOO_LARGE = ("413 Payload Too Large", b'{"error": "request body too large"}')
_REJECTED = {UNAUTHORIZED: "signature", MALFORMED: "malformed", TOO_LARGE: "too_large", ACK: "unroutable"}


def _screen(environ: dict[str, Any], secret: bytes, max_body: int) -> tuple[str, bytes] | None:
    """Check a POST before Bolt sees it; an answer to send instead, or None to pass it on.

    Reads the (bounded) body once and puts it back for Bolt. Why here: Bolt parses the body
    before it verifies the signature and indexes into it with no type checks, so odd bodies
    became HTTP 500s with tracebacks that anyone reaching the port could flood the log with.
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return MALFORMED
    if length < 0:
        return MALFORMED
    if length > max_body:
        log.warning("Refused a request body of %d bytes (limit %d)", length, max_body)
        return TOO_LARGE
    raw = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(raw), str(len(raw))
    if secret and not _signed(
        raw, environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "", environ.get("HTTP_X_SLACK_SIGNATURE") or "", secret
    ):
        log.warning("Rejected a request with an invalid or expired signature")
        return UNAUTHORIZED
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        log.warning("Rejected a signed request body that is not UTF-8")
        return MALFORMED
    data = _parsed(text, environ.get("CONTENT_TYPE") or "")
    if data is None:
        log.warning("Rejected a signed request whose body is not a JSON object")
        return MALFORMED
    odd = _odd_shape(data)
    if odd:
        log.warning("Acknowledged a signed request Bolt cannot route (%s)", odd)
        return ACK
    return None


def _signed(raw: bytes, timestamp: str, signature: str, secret: bytes) -> bool:
    """Slack's v0 signature over the raw bytes, within five minutes (as slack_sdk checks it, but
    without its int() on the header or its decode of the body, which raised on odd input)."""
    if not _TIMESTAMP.fullmatch(timestamp) or abs(time.time() - int(timestamp)) > SIGNATURE_WINDOW:
        return False
    digest = hmac.new(secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest("v0=" + digest, signature)


def _parsed(text: str, content_type: str) -> dict[str, Any] | None:
    """The body as Bolt will read it (JSON, or a form with a JSON ``payload``); None if not an object."""
    if not text:
        return {}
    try:
        if content_type.split(";")[0].strip().lower() == "application/json" or text.startswith("{"):
            value = json.loads(text)
        elif "payload" in text:
            payload = dict(urllib.parse.parse_qsl(text, keep_blank_values=True)).get("payload")
            value = {} if payload is None else json.loads(payload)
        else:
            return dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
    except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than Python's stack
        return None
    return value if isinstance(value, dict) else None


_OBJECTS = ("event", "view", "container", "workflow_step", "state")
_OBJECTS_OR_IDS = ("user", "team", "channel", "enterprise", "message", "previous_message")


def _odd_shape(data: dict[str, Any]) -> str:
    """What Bolt's matchers and context extraction would index into and crash on; "" if fine."""
    for key in _OBJECTS:
        if key in data and not isinstance(data[key], dict):
            return f"{key} is not an object"
    for key in _OBJECTS_OR_IDS:
        if data.get(key) is not None and not isinstance(data[key], dict | str):
            return f"{key} is neither an object nor an id"
    authorizations = data.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "authorizations is not a list of objects"
    event = data.get("event")
    if isinstance(event, dict):
        if not isinstance(event.get("type"), str):
            return "event without a type"
        for key in ("message", "previous_message", "user", "channel"):
            if event.get(key) is not None and not isinstance(event[key], dict | str):
                return f"event {key} is neither an object nor an id"
    view = data.get("view")
    if isinstance(view, dict) and not (
        isinstance(view.get("type"), str) and isinstance(view.get("callback_id", ""), str)
    ):
        return "view without a type"
    actions = data.get("actions")
    acting = data.get("type") == "block_actions" or actions is not None
    if acting and not (isinstance(actions, list) and actions and all(isinstance(a, dict) for a in actions)):
        return "block_actions without actions"
    return ""


def _plain(start_response: StartResponse, status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class HttpServer:
    """waitress in a thread: start(), .port, stop(). Used by `run --http`, tests and benchmarks."""

    def __init__(
        self, app: App, deps: Deps, host: str = "127.0.0.1", port: int = 3000, threads: int = HTTP_THREADS
    ) -> None:
        from waitress import create_server  # type: ignore[attr-defined]  # re-exported; the stubs list it in .server

        # "Task queue depth is N" is a warning per busy moment: noise at support-channel volumes.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        settings = deps.settings
        # Idle connections cost waitress a socket, not a thread: allow many, close silent ones
        # soon. poll() rather than select(), which stops at 1,024 file descriptors.
        self.server = create_server(
            wsgi_app(app, deps),
            host=host,
            port=port,
            threads=threads,
            ident="support-coach",
            clear_untrusted_proxy_headers=True,
            connection_limit=settings.http_connection_limit,
            channel_timeout=settings.http_channel_timeout,
            cleanup_interval=settings.http_cleanup_interval,
            max_request_body_size=settings.http_max_body + 1,
            asyncore_use_poll=True,
        )
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def serve_forever(self) -> None:
        self.server.run()

    def _serve_until_stopped(self) -> None:
        try:
            self.server.run()
        except (OSError, ValueError):  # the listening socket closed under select(): expected on stop()
            if not self._stopping:
                raise

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self._serve_until_stopped, name="coach-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection from inside the loop, which then ends at once: poll(), unlike
        select(), does not fail on a closed listener, and open connections keep the loop alive."""
        self._stopping = True
        self.server.task_dispatcher.shutdown(timeout=2)
        if self._thread and self._thread.is_alive():
            try:
                self.server.trigger.pull_trigger(self._close_all)
            except OSError:
                self._close_all()
            self._thread.join(timeout=5)
        self._close_all()

    def _close_all(self) -> None:
        for dispatcher in list(self.server._map.values()):
            with contextlib.suppress(OSError):
                dispatcher.close()


def run_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()
