"""The rollups: daily and quarter-hour counts per report dimension, kept in step with the flags on
every write, so a 90-day report over a million flags reads a few thousand rows; and the id ->
name table written alongside them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

from bot.models import Flag
from bot.report_dimensions import flag_dimensions
from bot.store.connection import Connection
from bot.store.sql import _insert_rows, _ts_seconds
from bot.timezones import DAY

SLOT = 900  # the quarter-hour rollup: every real time zone's midnight falls on one
SLOT_DIMS = ("total", "category")  # what a day in another zone needs: the daily series and the chart


class Rollups(Connection):
    """Writes the rollups beside each flag and answers the reports' rollup queries."""

    def _count(self, flags: list[Flag], conn: sqlite3.Connection, sign: int = 1) -> None:
        """Keep the daily rollup and the id -> name table in step with the flags just written."""
        counts: Counter[tuple[int, str, str, str]] = Counter()
        slots: Counter[tuple[int, str, str, str]] = Counter()
        names: dict[tuple[str, str, str], str] = {}
        for flag in flags:
            created = flag.created_at or _ts_seconds(flag.ts)
            day, slot = int(created // DAY), int(created // SLOT)
            for dim, key in flag_dimensions(
                flag.channel,
                flag.agent,
                flag.severity,
                flag.categories,
                flag.rules,
                flag.phrase,
                flag.topic,
                flag.status,
                flag.source,
            ):
                counts[(day, flag.team, dim, key)] += sign
                if dim in SLOT_DIMS:
                    slots[(slot, flag.team, dim, key)] += sign
            if flag.channel_name:
                names[(flag.team, "channel", flag.channel)] = flag.channel_name
            if flag.agent_name:
                names[(flag.team, "agent", flag.agent)] = flag.agent_name
        _insert_rows(
            conn,
            "INSERT INTO rollup (day, team, dim, key, n) VALUES {rows} "
            "ON CONFLICT (day, team, dim, key) DO UPDATE SET n = n + excluded.n",
            [(*key, n) for key, n in counts.items()],
        )
        _insert_rows(
            conn,
            "INSERT INTO rollup_slot (slot, team, dim, key, n) VALUES {rows} "
            "ON CONFLICT (slot, team, dim, key) DO UPDATE SET n = n + excluded.n",
            [(*key, n) for key, n in slots.items()],
        )
        _insert_rows(
            conn,
            "INSERT OR REPLACE INTO names (team, kind, id, name) VALUES {rows}",
            [(*key, name) for key, name in names.items()],
        )

    def rollup(self, first_day: int, last_day: int, team: str | None = None) -> list[tuple[int, str, str, int]]:
        """(day, dim, key, n) for whole UTC days first_day..last_day (days since the epoch)."""
        sql = "SELECT day, dim, key, SUM(n) FROM rollup WHERE day BETWEEN ? AND ?"
        params: list[object] = [first_day, last_day]
        if team:
            sql += " AND team = ?"
            params.append(team)
        return self.db.execute(sql + " GROUP BY day, dim, key HAVING SUM(n) != 0", params).fetchall()

    def slot_rollup(
        self, start: float, end: float, team: str | None = None, dim: str | None = None
    ) -> list[tuple[int, str, str, int]]:
        """(slot, dim, key, n) of the quarter-hour rollup (totals and categories) in [start, end),
        of one dimension when ``dim`` says which (the hour of day needs only the totals)."""
        sql = "SELECT slot, dim, key, SUM(n) FROM rollup_slot WHERE slot >= ? AND slot < ?"
        params: list[object] = [int(start // SLOT), int(-(-end // SLOT))]
        if dim:
            sql += " AND dim = ?"
            params.append(dim)
        if team:
            sql += " AND team = ?"
            params.append(team)
        return self.db.execute(sql + " GROUP BY slot, dim, key HAVING SUM(n) != 0", params).fetchall()

    def rollup_keys(self, dim: str, first_day: int, team: str | None = None) -> list[str]:
        """The keys (channel or agent ids) one dimension of the daily rollup counted from UTC day
        ``first_day`` on: a few thousand rows, not the flags."""
        sql = "SELECT DISTINCT key FROM rollup WHERE dim = ? AND day >= ? AND n > 0"
        params: list[object] = [dim, first_day]
        if team:
            sql, params = sql + " AND team = ?", [*params, team]
        return [str(row[0]) for row in self.db.execute(sql, params) if row[0]]

    def names(self, kind: str, team: str | None = None) -> dict[str, str]:
        sql = "SELECT id, name FROM names WHERE kind = ?" + (" AND team = ?" if team else "")
        return dict(self.db.execute(sql, [kind, team] if team else [kind]).fetchall())
