"""Small SQL helpers the parts of the store share: multi-row inserts and a period's WHERE clause."""

from __future__ import annotations

import sqlite3

ROWS_PER_STATEMENT = 500


def _insert_rows(conn: sqlite3.Connection, sql: str, rows: list[tuple[object, ...]]) -> None:
    """Many rows in one multi-row INSERT per chunk, rather than executemany's statement per row.

    Each statement SQLite runs lets go of the GIL and must win it back; under a burst of
    Slack events that costs milliseconds per statement, so a flag's ten rollup rows go in
    one statement.
    """
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        one = "(" + ", ".join(["?"] * len(chunk[0])) + ")"
        conn.execute(sql.format(rows=", ".join([one] * len(chunk))), [value for row in chunk for value in row])


def _ts_seconds(ts: str) -> float:
    try:
        return float(ts)
    except (TypeError, ValueError):
        return 0.0


def _period_filter(
    since: float, until: float | None, channel: str | None, agent: str | None, team: str | None
) -> tuple[str, list[object]]:
    clauses = ["created_at >= ?"]
    params: list[object] = [since]
    if until is not None:
        clauses.append("created_at < ?")
        params.append(until)
    if channel:  # an ID (C0123) or a name, with or without '#'
        clauses.append("(channel = ? OR channel_name = ?)")
        params.extend([channel, channel.lstrip("#")])
    for column, value in (("agent", agent), ("team", team)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(clauses), params


def _narrowed(
    sql: str, params: list[object], conditions: list[tuple[str | None, str, list[object]]]
) -> tuple[str, list[object]]:
    """Add ``AND clause`` (with its parameters) for every condition whose value is set."""
    for value, clause, values in conditions:
        if value:
            sql += f" AND {clause}"
            params = [*params, *values]
    return sql, params
