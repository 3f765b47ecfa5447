"""The running bot's clock: the digest (weekly or daily) and the daily retention purge.

A plain thread that wakes once a minute and asks the store what is due, so a restart never
sends a digest twice or skips a purge (the last run is recorded in the database). The digest's
channel, schedule and time zone are read from the store at every tick: a manager who changes
them in Slack changes the next digest, without a restart (the environment is the default), and
so do its one-click fixes (a rule muted everywhere since is no longer offered).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from bot.config import Settings
from bot.review.digest import Poster, send_digest
from bot.review.fixes import feedback_fixes
from bot.review.reports import build_report
from bot.store import Store
from bot.timezones import DAY, day_start, local_day
from bot.workspace import WorkspaceSettings
from bot.workspace_options import digest_plan

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0


class Scheduler:
    def __init__(
        self, settings: Settings, store: Store, post: Poster, clock: Callable[[], float] = time.time, team: str = ""
    ) -> None:
        self.settings = settings
        self.store = store
        self.post = post
        self.clock = clock
        self.team = team  # the bot's workspace (auth.test): whose digest settings apply
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> list[str]:
        """Run whatever is due now; the names of what ran."""
        ran = []
        now = self.clock()
        try:
            workspace = self.store.workspace_settings(self.team)
            channel, schedule, tz = digest_plan(workspace, self.settings)
        except Exception as exc:  # an unreadable database must not stop the purge below from being tried
            log.warning("digest settings not read (%s): using the environment's", type(exc).__name__)
            workspace = WorkspaceSettings()
            channel, schedule, tz = digest_plan(workspace, self.settings)
        try:  # the same unreadable database (or a damaged record) must not stop the purge either
            recorded = self.store.get_meta("digest_last_sent") if channel else None
            last_sent = None if recorded is None else float(recorded)
        except Exception as exc:
            log.warning("digest not checked (%s): the purge is still tried", type(exc).__name__)
            channel = ""
        if channel:
            due = schedule.last_due(now, tz)
            if last_sent is None:  # a fresh install: the first digest goes out at the next slot
                self.store.set_meta("digest_last_sent", str(now))
            elif last_sent < due:
                self.store.set_meta("digest_last_sent", str(now))  # first: never twice, even on failure
                try:
                    # Weekly: the seven days ending today; daily: yesterday, a whole day.
                    until = now if schedule.weekday is not None else day_start(local_day(now, tz), tz) - 1
                    report = build_report(self.store, schedule.days, now=until, tz=tz)
                    fixes = feedback_fixes(self.store, report, workspace, self.team or None)
                    send_digest(report, channel, self.post, schedule.cadence, fixes)
                    self.store.audit("scheduler", "digest", team=self.team, channel=channel)
                    ran.append("digest")
                except Exception as exc:  # a Slack outage must not stop the clock
                    log.warning("%s digest not posted: %s", schedule.cadence, type(exc).__name__)
        last_purge = float(self.store.get_meta("purge_last_run") or 0)
        if now - last_purge >= DAY:
            self.store.set_meta("purge_last_run", str(now))
            counts = self.store.purge(now - self.settings.retention_days * DAY)
            self.store.audit("scheduler", "purge", days=self.settings.retention_days, **counts)  # type: ignore[arg-type]
            ran.append("purge")
        return ran

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.tick()
                except Exception:
                    log.exception("scheduler tick failed")
                self._stop.wait(TICK_SECONDS)

        self._thread = threading.Thread(target=loop, name="coach-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
