"""Bolt's listener threads, counted: ListenerPool knows how much listener work is in flight.

Its own module so both the app factory (which hands it to Bolt) and the metrics (which
export its gauge) can name it without importing each other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class ListenerPool(ThreadPoolExecutor):
    """Bolt's listener threads, counting the work in flight: listeners run after the ack, so
    this is how shutdown (and a test) knows every listener Slack triggered has finished."""

    def __init__(self, max_workers: int, thread_name_prefix: str = "") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._idle:
            self._pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: object) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def busy(self) -> int:
        """Listener runs queued or running (a gauge on /metrics)."""
        with self._idle:
            return self._pending

    def join(self, timeout: float = 5.0) -> bool:
        """Wait until no listener is queued or running; False if that took longer than ``timeout``."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)
