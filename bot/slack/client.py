"""WebClients pointed at SLACK_API_URL, and an outbox that sends without blocking listeners.

slack_sdk does not retry HTTP 429 by default, and retrying inside a listener would park one
of Bolt's few worker threads for the whole Retry-After. The outbox holds calls in a
due-time queue instead: a rate-limited call is put back with its Retry-After and the worker
moves on to the next one. Errors that retrying cannot fix (user_not_in_channel,
channel_not_found ...) are logged once per kind and counted, never retried.

Ephemeral nudges are also paced before Slack has to say no (issue 13): a token bucket per
workspace at about Slack's Tier 4 rate (100 a minute, a small burst). A nudge over the rate
waits its turn in the same due-time queue; one that would wait longer than the limit is
dropped and reported to its caller as ``rate_limited``. Both are counted and logged (a line
per workspace at most every few seconds, with the counts), and ``queue_length()`` is there
for a metrics endpoint.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.slack.logs import slack_logger

log = logging.getLogger(__name__)

PACED_METHODS = frozenset({"chat.postEphemeral"})
RATE_LOG_SECONDS = 10.0
MAX_ATTEMPTS = 4
MAX_RETRY_AFTER = 120.0
NETWORK_RETRY_DELAY = 1.0


def web_client(settings: Settings, token: str | None = None) -> WebClient:
    """Every WebClient the bot makes: our base URL, our quiet logger, a sane timeout."""
    return WebClient(
        token=token or settings.slack_bot_token or None,
        base_url=settings.slack_api_url,
        timeout=10,
        logger=slack_logger().getChild("web"),
    )


def post_text(client: WebClient, channel: str, text: str) -> None:
    client.chat_postMessage(channel=channel, text=text, unfurl_links=False, unfurl_media=False)


class Pacer:
    """A token bucket per workspace: ``rate`` sends a minute, ``burst`` at once.

    The clock is injectable so tests run the bucket at any speed; reserving a slot hands
    out the wait before the send may go, which keeps the queue, not a sleeping thread,
    holding the nudge.
    """

    def __init__(
        self,
        rate: float = 100.0,
        burst: int = 10,
        max_delay: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1 or max_delay < 0:
            raise ValueError("a pacer needs rate > 0, burst >= 1 and max_delay >= 0")
        self.per_second = rate / 60.0
        self.burst = float(burst)
        self.max_delay = max_delay
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # workspace -> (tokens, at)
        self._lock = threading.Lock()

    def reserve(self, workspace: str) -> float | None:
        """Seconds to wait before sending, or None when the wait would pass ``max_delay``."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(workspace, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.per_second)
            wait = max(0.0, (1.0 - tokens) / self.per_second)
            if wait > self.max_delay:
                self._buckets[workspace] = (tokens, now)
                return None
            self._buckets[workspace] = (tokens - 1.0, now)  # below zero: later sends wait longer
            return wait


@dataclass(order=True)
class _Job:
    due: float
    order: int
    method: str = field(compare=False)
    kwargs: dict[str, Any] = field(compare=False)
    on_done: Callable[[dict[str, Any] | None, str], None] | None = field(compare=False, default=None)
    attempts: int = field(compare=False, default=0)


class Outbox:
    """Background sender for Web API calls: rate-limit aware, never blocks the caller."""

    def __init__(self, client: WebClient, workers: int = 4, pacer: Pacer | None = None) -> None:
        self.client = client
        self.pacer = pacer
        self.stats: Counter[str] = Counter()
        self._rate_log: dict[str, tuple[float, int, int]] = {}  # workspace -> (logged at, delayed, dropped)
        self._rate_flush: dict[str, threading.Timer] = {}
        self._queue: list[_Job] = []
        self._counter = itertools.count()
        self._cv = threading.Condition()
        self._closed = False
        self._logged: set[str] = set()
        self._busy = 0
        self._threads = [
            threading.Thread(target=self._run, name=f"coach-outbox-{i}", daemon=True) for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def send(
        self,
        method: str,
        on_done: Callable[[dict[str, Any] | None, str], None] | None = None,
        workspace: str = "",
        **kwargs: Any,
    ) -> None:
        """Queue ``client.api_call(method, json=kwargs)``; ``on_done(data, error)`` runs after.

        ``workspace`` (the team id) picks the rate bucket of paced methods; it is not sent.
        """
        delay = 0.0
        if self.pacer is not None and method in PACED_METHODS:
            wait = self.pacer.reserve(workspace)
            if wait is None:
                self.stats["dropped:rate"] += 1
                self._rate_note(workspace, dropped=1)
                if on_done:
                    on_done(None, "rate_limited")
                return
            if wait > 0:
                self.stats["delayed:rate"] += 1
                self._rate_note(workspace, delayed=1)
            delay = wait
        with self._cv:
            heapq.heappush(self._queue, _Job(time.monotonic() + delay, next(self._counter), method, kwargs, on_done))
            self._cv.notify()

    def queue_length(self, method: str | None = None) -> int:
        """Calls waiting to be sent (of one method, or all): the figure a /metrics endpoint reads."""
        with self._cv:
            return sum(1 for job in self._queue if method is None or job.method == method)

    def queue_lengths(self) -> dict[str, int]:
        """Calls waiting, by Web API method."""
        with self._cv:
            return dict(Counter(job.method for job in self._queue))

    def _rate_note(self, workspace: str, delayed: int = 0, dropped: int = 0) -> None:
        """One log line per workspace every RATE_LOG_SECONDS at most, with the counts since the
        last one; counts held back are flushed by a timer, so none goes unlogged."""
        now = time.monotonic()
        with self._cv:
            logged_at, was_delayed, was_dropped = self._rate_log.get(workspace, (-RATE_LOG_SECONDS, 0, 0))
            was_delayed, was_dropped = was_delayed + delayed, was_dropped + dropped
            if now - logged_at < RATE_LOG_SECONDS:
                self._rate_log[workspace] = (logged_at, was_delayed, was_dropped)
                if workspace not in self._rate_flush:
                    timer = threading.Timer(logged_at + RATE_LOG_SECONDS - now, self._rate_flush_now, [workspace])
                    timer.daemon = True
                    self._rate_flush[workspace] = timer
                    timer.start()
                return
            self._rate_log[workspace] = (now, 0, 0)
        self._rate_line(workspace, was_delayed, was_dropped)

    def _rate_flush_now(self, workspace: str) -> None:
        with self._cv:
            self._rate_flush.pop(workspace, None)
            _at, delayed, dropped = self._rate_log.get(workspace, (0.0, 0, 0))
            self._rate_log[workspace] = (time.monotonic(), 0, 0)
        if delayed or dropped:
            self._rate_line(workspace, delayed, dropped)

    def _rate_line(self, workspace: str, delayed: int, dropped: int) -> None:
        log.warning(
            "Nudges over Slack's rate for workspace %s: %d delayed, %d dropped for rate; %d waiting",
            workspace or "(unknown)",
            delayed,
            dropped,
            self.queue_length("chat.postEphemeral"),
        )

    def join(self, timeout: float = 5.0) -> bool:
        """Wait until nothing is queued or in flight (tests and shutdown)."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cv.wait(min(left, 0.05))
        return True

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()
            timers = list(self._rate_flush.values())
        for timer in timers:  # say what was held back before going
            timer.cancel()
        for workspace in list(self._rate_log):
            self._rate_flush_now(workspace)

    def _next(self) -> _Job | None:
        with self._cv:
            while not self._closed:
                if self._queue:
                    wait = self._queue[0].due - time.monotonic()
                    if wait <= 0:
                        self._busy += 1
                        return heapq.heappop(self._queue)
                    self._cv.wait(wait)
                else:
                    self._cv.wait()
            return None

    def _run(self) -> None:
        while True:
            job = self._next()
            if job is None:
                return
            try:
                self._attempt(job)
            except Exception:
                log.exception("outbox: %s callback failed", job.method)
            finally:
                with self._cv:
                    self._busy -= 1
                    self._cv.notify_all()

    def _attempt(self, job: _Job) -> None:
        job.attempts += 1
        try:
            response = self.client.api_call(job.method, json=job.kwargs)
        except SlackApiError as exc:
            status = exc.response.status_code
            error = str(exc.response.get("error") or f"http_{status}") if exc.response.data else f"http_{status}"
            if status == 429 and job.attempts < MAX_ATTEMPTS:
                delay = _retry_after(exc.response.headers)
                self.stats["rate_limited"] += 1
                self._requeue(job, delay)
                return
            self._fail(job, error)
            return
        except OSError as exc:  # network trouble: a short, bounded retry
            if job.attempts < MAX_ATTEMPTS:
                self._requeue(job, NETWORK_RETRY_DELAY * job.attempts)
                return
            self._fail(job, type(exc).__name__)
            return
        self.stats["sent"] += 1
        if job.on_done:
            job.on_done(response.data if isinstance(response.data, dict) else {}, "")

    def _requeue(self, job: _Job, delay: float) -> None:
        job.due = time.monotonic() + delay
        with self._cv:
            heapq.heappush(self._queue, job)
            self._cv.notify()

    def _fail(self, job: _Job, error: str) -> None:
        self.stats[f"failed:{error}"] += 1
        key = f"{job.method}:{error}"
        if key not in self._logged:  # once per kind: a misconfigured channel must not flood logs
            self._logged.add(key)
            log.warning("Slack %s failed: %s (counted; further ones are not logged)", job.method, error)
        if job.on_done:
            job.on_done(None, error)


def _retry_after(headers: Any) -> float:
    raw = None
    if headers:
        for key, value in dict(headers).items():
            if key.lower() == "retry-after":
                raw = value[0] if isinstance(value, list) else value
    try:
        return min(max(float(raw), 0.0), MAX_RETRY_AFTER)  # type: ignore[arg-type]  # None: TypeError, below
    except (TypeError, ValueError):
        return 1.0
