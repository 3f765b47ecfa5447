"""Feedback: the Helpful / Not helpful votes on nudges, bound to the stored flag (issue 13)."""

from __future__ import annotations

import time

from bot.store.connection import Connection
from bot.store.sql import _narrowed


class Feedback(Connection):
    """Votes, and the votes the reports and `train --with-feedback` read."""

    def add_feedback(self, flag_id: int | None, team: str, user: str, rule: str, verdict: str) -> None:
        """One vote per person, flag and rule: a second click replaces the first.

        Low level (imports, tests): the bot records button votes through vote(), which checks them.
        """
        if verdict not in ("helpful", "not_helpful"):
            raise ValueError(f"unknown verdict {verdict!r}")
        with self._writing() as conn:
            conn.execute("DELETE FROM feedback WHERE flag_id IS ? AND user = ? AND rule = ?", [flag_id, user, rule])
            conn.execute(
                "INSERT INTO feedback (flag_id, team, user, rule, verdict, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [flag_id, team, user, rule, verdict, time.time()],
            )

    def vote(self, flag_id: int, team: str, user: str, verdict: str) -> tuple[str, ...] | None:
        """A nudge's Helpful / Not helpful, bound to the stored flag (issue 13).

        Only the flag's own agent votes (the nudge was private to them), on the rule ids
        stored with the flag, never on what the button claims; one vote per flag and person:
        a second replaces the whole first one. Returns the rules voted on, or None when the
        flag does not exist, is another team's or another person's.
        """
        if verdict not in ("helpful", "not_helpful"):
            raise ValueError(f"unknown verdict {verdict!r}")
        with self._writing() as conn:
            row = conn.execute("SELECT team, agent, rules FROM flags WHERE id = ?", [flag_id]).fetchone()
            if row is None or not user or row[1] != user or (team and row[0] != team):
                return None
            rules = tuple(dict.fromkeys(r for r in str(row[2] or "").split(",") if r)) or ("(none)",)
            now = time.time()
            conn.execute("DELETE FROM feedback WHERE flag_id = ? AND user = ?", [flag_id, user])
            conn.executemany(
                "INSERT INTO feedback (flag_id, team, user, rule, verdict, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [(flag_id, row[0], user, r, verdict, now) for r in rules],
            )
            return rules

    def not_helpful_flags(
        self, rule: str, since: float, until: float, team: str | None = None, limit: int = 200
    ) -> list[tuple[str, str, str, str]]:
        """(channel, channel name, phrase, redacted excerpt) of flags whose own agent marked
        ``rule`` not helpful in a period, newest first (the votes the report counts)."""
        sql = (
            "SELECT f.channel, f.channel_name, f.phrase, f.excerpt FROM feedback fb JOIN flags f "
            "ON f.id = fb.flag_id AND f.agent = fb.user WHERE fb.rule = ? AND fb.verdict = 'not_helpful' "
            "AND fb.created_at >= ? AND fb.created_at < ?"
        )
        params: list[object] = [rule, since, until]
        if team:
            sql += " AND fb.team = ?"
            params.append(team)
        rows = self.db.execute(sql + " ORDER BY fb.created_at DESC LIMIT ?", [*params, limit]).fetchall()
        return [(str(c or ""), str(n or ""), str(p or ""), str(e or "")) for c, n, p, e in rows]

    def voted_flags(self, team: str | None = None) -> list[tuple[str, str, str]]:
        """(redacted excerpt, categories, verdict) per flag its own agent voted on, excerpt kept:
        the workspace's confirmed feedback, for `train --with-feedback`."""
        sql = (
            "SELECT f.excerpt, f.categories, MIN(fb.verdict) FROM feedback fb JOIN flags f "
            "ON f.id = fb.flag_id AND f.agent = fb.user WHERE f.excerpt != ''"
        )
        params: list[object] = []
        if team:
            sql += " AND f.team = ?"
            params.append(team)
        # one verdict per flag (a vote covers all its rules); a flag with mixed rows says nothing clear
        rows = self.db.execute(
            sql + " GROUP BY f.id HAVING COUNT(DISTINCT fb.verdict) = 1 ORDER BY f.id", params
        ).fetchall()
        return [(str(e), str(c or ""), str(v)) for e, c, v in rows]

    def vote_counts(
        self, since: float, until: float, channel: str | None = None, agent: str | None = None, team: str | None = None
    ) -> dict[tuple[str, str], int]:
        """Nudges voted on in [since, until), by (agent, verdict): one vote a nudge, however many
        rules it carried."""
        sql, params = _votes_sql(since, until, channel, agent, team)
        return {
            (str(user), str(verdict)): int(n)
            for user, verdict, n in self.db.execute(
                f"SELECT f.agent, fb.verdict, COUNT(DISTINCT fb.flag_id) {sql} GROUP BY f.agent, fb.verdict", params
            )
        }

    def rule_votes(
        self, since: float, until: float, channel: str | None = None, agent: str | None = None, team: str | None = None
    ) -> list[tuple[str, str, int]]:
        """Votes in [since, until) per (rule, verdict), one row per rule a vote covered."""
        sql, params = _votes_sql(since, until, channel, agent, team)
        return [
            (rule, verdict, int(n))
            for rule, verdict, n in self.db.execute(
                f"SELECT fb.rule, fb.verdict, COUNT(*) {sql} GROUP BY fb.rule, fb.verdict", params
            ).fetchall()
        ]


def _votes_sql(
    since: float, until: float, channel: str | None, agent: str | None, team: str | None
) -> tuple[str, list[object]]:
    """The votes a report counts. Only votes by the flag's own agent count: votes on flags that are
    gone or someone else's (forged before issue 13, or imported) never reach the advice."""
    sql = (
        "FROM feedback fb JOIN flags f ON f.id = fb.flag_id "
        "AND f.agent = fb.user WHERE fb.created_at >= ? AND fb.created_at < ?"
    )
    return _narrowed(
        sql,
        [since, until],
        [
            (channel, "(f.channel = ? OR f.channel_name = ?)", [channel, (channel or "").lstrip("#")]),
            (agent, "f.agent = ?", [agent]),
            (team, "fb.team = ?", [team]),
        ],
    )
