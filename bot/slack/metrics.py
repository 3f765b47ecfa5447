"""Prometheus metrics: one registry per app, served at GET /metrics (HTTP mode) or on
COACH_METRICS_PORT (any mode).

A registry of its own per app, not prometheus_client's global one, so several apps in one
process (tests, benchmarks) never collide or see each other's counts.

What is exported is counts and timings only. Every label value comes from a fixed set
chosen here (a Slack error code is kept only if it looks like one), never from a message,
a user, a channel or a workspace: /metrics is unsigned like /healthz, and must not leak.

Counters the outbox and the flag writer already keep (``Outbox.stats``, ``FlagWriter.stats``)
are read at scrape time by a collector rather than counted twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.slack.client import Outbox
    from bot.slack.pool import ListenerPool
    from bot.store import FlagWriter

METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST

# Seconds. Detection is a millisecond affair; a write may wait on SQLite's busy timeout.
DETECT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
WRITE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# Bolt request body "type" -> kind label; commands have no type, only a "command".
KINDS = {
    "event_callback": "event",
    "block_actions": "action",
    "interactive_message": "action",
    "view_submission": "view",
    "view_closed": "view",
    "shortcut": "shortcut",
    "message_action": "shortcut",
    "block_suggestion": "options",
    "dialog_suggestion": "options",
    "url_verification": "url_verification",
}
IGNORED_REASONS = ("unhandled", "not_a_person", "unwatched", "duplicate", "subtype", "empty", "mention")
_ERROR_CODE = re.compile(r"[a-z][a-z0-9_]{0,47}")


def error_label(error: str) -> str:
    """A Slack error code as a label ("user_not_in_channel"); anything else is "other"."""
    return error if _ERROR_CODE.fullmatch(error or "") else "other"


def request_kind(body: dict[str, Any]) -> str:
    """What kind of Slack request a body is, from a fixed set."""
    if "command" in body:
        return "command"
    return KINDS.get(str(body.get("type") or ""), "other")


class Metrics:
    """The instruments listeners and servers update, on a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.events_received = Counter(
            "coach_events_received",
            "Signed Slack requests dispatched to the app, by kind (event, command, action, view, shortcut, options)",
            ["kind"],
            registry=r,
        )
        self.events_acked = Counter("coach_events_acked", "Slack requests answered with a 2xx", ["kind"], registry=r)
        self.events_not_acked = Counter(
            "coach_events_not_acked", "Slack requests answered with an error status", ["kind"], registry=r
        )
        self.events_ignored = Counter(
            "coach_events_ignored",
            "Requests acknowledged and deliberately not acted on, by reason",
            ["reason"],
            registry=r,
        )
        self.requests_rejected = Counter(
            "coach_http_requests_rejected",
            "HTTP requests refused before Bolt saw them (signature, malformed, too_large, unroutable)",
            ["reason"],
            registry=r,
        )
        self.flags = Counter("coach_flags", "Live messages flagged, by severity", ["severity"], registry=r)
        self.nudges_sent = Counter("coach_nudges_sent", "Private nudges Slack accepted", registry=r)
        self.nudges_failed = Counter(
            "coach_nudges_failed",
            "Nudges not delivered, by Slack error code (rate_limited: dropped by the pacer)",
            ["error"],
            registry=r,
        )
        self.nudges_held_back = Counter(
            "coach_nudges_held_back", "Flags not nudged: snoozed or cooldown", ["reason"], registry=r
        )
        self.detect_seconds = Histogram(
            "coach_detect_seconds",
            "Time to analyse one message (rules, learned stage, judge when configured)",
            buckets=DETECT_BUCKETS,
            registry=r,
        )
        self.store_write_seconds = Histogram(
            "coach_store_write_seconds",
            "Time of one database write transaction, including the wait for the write lock",
            ["outcome"],
            buckets=WRITE_BUCKETS,
            registry=r,
        )
        for reason in IGNORED_REASONS:  # present from the first scrape, at 0
            self.events_ignored.labels(reason)
        for outcome in ("ok", "error"):
            self.store_write_seconds.labels(outcome)

    def watch(self, outbox: Outbox, writer: FlagWriter | None, listeners: ListenerPool | None = None) -> None:
        """Export the outbox's, the flag writer's and the listener pool's own figures, read at each scrape."""
        self.registry.register(_StatsCollector(outbox, writer, listeners))

    def observe_write(self, seconds: float, ok: bool) -> None:
        """Store.write_observer: one write transaction's duration."""
        self.store_write_seconds.labels("ok" if ok else "error").observe(seconds)

    def ignored(self, reason: str) -> None:
        self.events_ignored.labels(reason if reason in IGNORED_REASONS else "unhandled").inc()

    def count_dispatch(self, app: App) -> None:
        """Count every request Bolt dispatches and how it was answered: the HTTP adapter and
        Socket Mode both call ``app.dispatch``, so one wrapper covers both modes."""
        dispatch = app.dispatch

        def counted(req: Any) -> Any:
            kind = request_kind(req.body if isinstance(req.body, dict) else {})
            self.events_received.labels(kind).inc()
            resp = dispatch(req)
            (self.events_acked if 200 <= resp.status < 300 else self.events_not_acked).labels(kind).inc()
            return resp

        app.dispatch = counted  # type: ignore[method-assign]

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def serve(self, port: int, host: str = "127.0.0.1") -> tuple[int, Callable[[], None]]:
        """Serve the metrics on a port of their own (Socket Mode has no HTTP server): the port
        (0 picks a free one) and a function that stops the server."""
        server, thread = start_http_server(port, addr=host, registry=self.registry)

        def stop() -> None:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

        return int(server.server_address[1]), stop


class _StatsCollector(Collector):
    """Outbox and flag-writer counters at scrape time: one source of truth, no double counting."""

    def __init__(self, outbox: Outbox, writer: FlagWriter | None, listeners: ListenerPool | None) -> None:
        self.outbox = outbox
        self.writer = writer
        self.listeners = listeners

    def collect(self) -> Iterator[Metric]:
        stats = dict(self.outbox.stats)
        queue = GaugeMetricFamily(
            "coach_outbox_queue_length", "Slack calls waiting in the outbox (paced, retried or due)", labels=["method"]
        )
        for method, length in _by_method(self.outbox.queue_lengths()):
            queue.add_metric([method], length)
        queue.add_metric(["all"], self.outbox.queue_length())
        yield queue
        yield _counter("coach_outbox_sent", "Slack calls the outbox sent", stats.get("sent", 0))
        failed = CounterMetricFamily(
            "coach_outbox_failed", "Slack calls the outbox gave up on, by error code", labels=["error"]
        )
        by_error: dict[str, int] = {}
        for key, value in stats.items():
            if key.startswith("failed:"):
                label = error_label(key[len("failed:") :])
                by_error[label] = by_error.get(label, 0) + value
        for label, value in sorted(by_error.items()):
            failed.add_metric([label], value)
        yield failed
        yield _counter(
            "coach_slack_rate_limited",
            "HTTP 429 answers from Slack to outbox calls (retried after Retry-After)",
            stats.get("rate_limited", 0),
        )
        paced = CounterMetricFamily(
            "coach_nudges_rate_limited",
            "Nudges over the per-workspace pace: delayed "
            "(sent late) or dropped (would have waited past COACH_NUDGE_MAX_DELAY)",
            labels=["outcome"],
        )
        paced.add_metric(["delayed"], stats.get("delayed:rate", 0))
        paced.add_metric(["dropped"], stats.get("dropped:rate", 0))
        yield paced
        writer = dict(self.writer.stats) if self.writer is not None else {}
        yield _counter(
            "coach_flags_deferred",
            "Flags the database refused at first, retried in the background",
            writer.get("deferred", 0),
        )
        yield _counter("coach_flags_stored_late", "Flags stored by a background retry", writer.get("stored_late", 0))
        yield _counter(
            "coach_flags_spooled",
            "Flags written to the spool file (the database kept refusing them)",
            writer.get("spooled", 0),
        )
        yield _counter("coach_flags_lost", "Flags neither the database nor the spool could take", writer.get("lost", 0))
        waiting = GaugeMetricFamily("coach_flags_waiting", "Flags queued for a background write retry")
        waiting.add_metric([], self.writer.waiting() if self.writer is not None else 0)
        yield waiting
        busy = GaugeMetricFamily(
            "coach_listeners_busy",
            "Listener runs queued or running (they run after the ack; at the pool's size, new events wait)",
        )
        busy.add_metric([], self.listeners.busy() if self.listeners is not None else 0)
        yield busy


def _counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, value=value)


def _by_method(lengths: dict[str, int]) -> Iterable[tuple[str, int]]:
    """Per-method queue lengths; methods are our own Web API method names, a fixed set."""
    return sorted(lengths.items())
