"""Flags: one row per flagged message, unique on (team, channel, ts) so Slack's retries and
re-scans add nothing; the rollups are written in the same transaction.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from bot.models import FLAG_COLUMNS, Flag
from bot.store.rollups import Rollups
from bot.store.sql import _period_filter, _ts_seconds
from bot.timezones import DAY


class Flags(Rollups):
    """Storing flags, what became of them, and reading them back."""

    _FLAG_COLUMNS = FLAG_COLUMNS
    _INSERT_FLAG = (
        f"INSERT OR IGNORE INTO flags ({', '.join(_FLAG_COLUMNS)}) VALUES ({', '.join('?' for _ in _FLAG_COLUMNS)})"
    )

    @staticmethod
    def _flag_row(flag: Flag) -> tuple[object, ...]:
        created = flag.created_at or _ts_seconds(flag.ts) or time.time()
        return (
            flag.team,
            flag.channel,
            flag.channel_name,
            flag.agent,
            flag.agent_name,
            flag.ts,
            flag.thread_ts,
            flag.permalink,
            ",".join(flag.categories),
            ",".join(flag.rules),
            flag.phrase,
            flag.severity,
            flag.excerpt,
            flag.topic,
            flag.source,
            flag.status,
            created,
        )

    def add_flag(self, flag: Flag) -> int | None:
        """Store a flag; its id, or None when this message was already flagged (a retry)."""
        with self._writing() as conn:
            cursor = conn.execute(self._INSERT_FLAG, self._flag_row(flag))
            if not cursor.rowcount:
                return None
            self._count([flag], conn)
            return cursor.lastrowid

    def add_flags(self, flags: Iterable[Flag], batch: int = 5000) -> int:
        """Store many flags in batched transactions; how many were new (duplicates are skipped)."""
        added = 0
        pending: list[Flag] = []
        for flag in flags:
            pending.append(flag)
            if len(pending) >= batch:
                added += self._insert_batch(pending)
                pending = []
        if pending:
            added += self._insert_batch(pending)
        return added

    def _insert_batch(self, flags: list[Flag]) -> int:
        with self._writing() as conn:
            execute = conn.execute
            sql = self._INSERT_FLAG
            new = [flag for flag in flags if execute(sql, self._flag_row(flag)).rowcount]
            self._count(new, conn)
            return len(new)

    def flag_dimension_rows(
        self,
        since: float,
        until: float | None = None,
        channel: str | None = None,
        agent: str | None = None,
        team: str | None = None,
    ) -> Iterator[tuple[float, str, str, str, str, str, str, str, str, str]]:
        """The columns reports count by, for the flags of a period (used where no rollup fits)."""
        where, params = _period_filter(since, until, channel, agent, team)
        return self.db.execute(
            "SELECT created_at, channel, agent, severity, categories, rules, phrase, topic, status, source "
            f"FROM flags WHERE {where}",
            params,
        )

    def status_by_agent(
        self, since: float, until: float, status: str, channel: str | None = None, team: str | None = None
    ) -> dict[str, int]:
        """Flags of a period that ended in ``status`` ("edited"), per agent: with the filter the
        narrowed counts use, so an agent's number is that of a report narrowed to them."""
        where, params = _period_filter(since, until, channel, None, team)
        return dict(
            self.db.execute(
                f"SELECT agent, COUNT(*) FROM flags WHERE {where} AND status = ? GROUP BY agent", [*params, status]
            ).fetchall()
        )

    def flagged_ids(self, kind: str) -> list[str]:
        """Every channel or agent id ("channel" | "agent") a stored flag carries (an indexed DISTINCT)."""
        column = {"channel": "channel", "agent": "agent"}[kind]
        return [str(row[0]) for row in self.db.execute(f"SELECT DISTINCT {column} FROM flags")]

    def get_flag(self, flag_id: int) -> Flag | None:
        row = self.db.execute("SELECT * FROM flags WHERE id = ?", [flag_id]).fetchone()
        return self._flag(row) if row else None

    def find_flag(self, team: str, channel: str, ts: str) -> Flag | None:
        row = self.db.execute(
            "SELECT * FROM flags WHERE team = ? AND channel = ? AND ts = ?", [team, channel, ts]
        ).fetchone()
        return self._flag(row) if row else None

    def set_status(self, flag_id: int, status: str, clear_text: bool = False) -> None:
        """Record what became of a flagged message; a deleted one loses its excerpt."""
        sql = "UPDATE flags SET status = ?" + (", excerpt = '', permalink = ''" if clear_text else "")
        with self._writing() as conn:
            row = conn.execute("SELECT team, created_at, status FROM flags WHERE id = ?", [flag_id]).fetchone()
            if row is None or row[2] == status:
                return
            conn.execute(sql + " WHERE id = ?", [status, flag_id])
            day = int(row[1] // DAY)
            conn.executemany(
                "INSERT INTO rollup (day, team, dim, key, n) VALUES (?, ?, 'status', ?, ?) "
                "ON CONFLICT (day, team, dim, key) DO UPDATE SET n = n + excluded.n",
                [(day, row[0], row[2], -1), (day, row[0], status, 1)],
            )

    def flags(
        self,
        since: float = 0.0,
        until: float | None = None,
        channel: str | None = None,
        agent: str | None = None,
        team: str | None = None,
        limit: int | None = None,
    ) -> list[Flag]:
        where, params = _period_filter(since, until, channel, agent, team)
        sql = f"SELECT * FROM flags WHERE {where} ORDER BY created_at DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [self._flag(row) for row in self.db.execute(sql, params).fetchall()]

    def iter_flags(
        self,
        since: float = 0.0,
        until: float | None = None,
        channel: str | None = None,
        agent: str | None = None,
        team: str | None = None,
    ) -> Iterator[Flag]:
        """The flags of a period, oldest first, one at a time (a CSV of a million rows)."""
        where, params = _period_filter(since, until, channel, agent, team)
        for row in self.db.execute(f"SELECT * FROM flags WHERE {where} ORDER BY created_at, id", params):
            yield self._flag(row)

    def _flag(self, row: tuple[object, ...]) -> Flag:
        data = dict(zip(self._columns("flags"), row, strict=True))
        data["categories"] = tuple(c for c in str(data["categories"] or "").split(",") if c)
        data["rules"] = tuple(r for r in str(data["rules"] or "").split(",") if r)
        return Flag(**{k: ("" if v is None else v) for k, v in data.items()})  # type: ignore[arg-type]  # columns = Flag's fields

    def _columns(self, table: str) -> list[str]:
        cache = self.__dict__.setdefault("_column_cache", {})
        if table not in cache:
            cache[table] = [c[1] for c in self.db.execute(f"PRAGMA table_info({table})").fetchall()]
        return cache[table]
