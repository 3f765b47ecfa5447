"""Run the bot: Socket Mode (one workspace, no public URL) or HTTP behind waitress.

HTTP mode serves POST /slack/events (events, commands and interactivity) and GET /healthz
through waitress, a production WSGI server with a thread pool: requests are handled
concurrently, unlike Bolt's one-at-a-time development server.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.slack.app import Deps

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HTTP_THREADS = 8

StartResponse = Callable[..., Any]


def wsgi_app(app: App, deps: Deps) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Slack's endpoint plus a health check; anything else is a plain 404."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            reason = deps.health()  # the database readable and writable, no flag waiting or spooled
            health: dict[str, object] = {"ok": not reason, "outbox": dict(deps.outbox.stats)}
            if reason:
                health["reason"] = reason
            body = json.dumps(health).encode()
            return _plain(start_response, "503 Service Unavailable" if reason else "200 OK", body)
        if path == EVENTS_PATH:
            try:
                return slack(environ, start_response)
            except ValueError:  # Bolt parses the body before checking it: a malformed one lands here
                log.warning("Rejected a malformed request body")
                return _plain(start_response, "400 Bad Request", b'{"error": "malformed request"}')
        return _plain(start_response, "404 Not Found", b'{"error": "not found"}')

    return application


def _plain(start_response: StartResponse, status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class HttpServer:
    """waitress in a thread: start(), .port, stop(). Used by `run --http`, tests and benchmarks."""

    def __init__(self, app: App, deps: Deps, host: str = "0.0.0.0", port: int = 3000,
                 threads: int = HTTP_THREADS) -> None:
        from waitress import create_server

        # "Task queue depth is N" is a warning per busy moment: noise at support-channel volumes.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self.server = create_server(wsgi_app(app, deps), host=host, port=port, threads=threads,
                                    ident="support-coach", clear_untrusted_proxy_headers=True)
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
        self._stopping = True
        self.server.task_dispatcher.shutdown(timeout=2)
        self.server.close()
        if self._thread:
            self._thread.join(timeout=5)


def run_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()
