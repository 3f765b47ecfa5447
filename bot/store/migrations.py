"""The schema, as sqlite-utils' named migrations applied on open, so any old database upgrades itself."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from bot.models import CATEGORIES
from bot.redact import KnownNames, reredact_excerpt
from bot.store.rollups import SLOT
from bot.timezones import DAY

migrations = Migrations("support-coach")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("flags").create(
        {
            "id": int,
            "team": str,
            "channel": str,
            "channel_name": str,
            "agent": str,
            "agent_name": str,
            "ts": str,
            "thread_ts": str,
            "permalink": str,
            "categories": str,
            "rules": str,
            "phrase": str,
            "severity": str,
            "excerpt": str,
            "topic": str,
            "source": str,
            "status": str,
            "created_at": float,
        },
        pk="id",
        not_null={"team", "channel", "ts", "agent", "categories", "severity", "status", "created_at"},
        defaults={
            "status": "open",
            "source": "live",
            "channel_name": "",
            "agent_name": "",
            "thread_ts": "",
            "permalink": "",
            "rules": "",
            "phrase": "",
            "excerpt": "",
            "topic": "",
        },
    )
    db.table("flags").create_index(["team", "channel", "ts"], unique=True)
    db.table("flags").create_index(["created_at"])
    db.table("flags").create_index(["channel", "created_at"])
    db.table("flags").create_index(["agent", "created_at"])
    db.table("feedback").create(
        {"id": int, "flag_id": int, "team": str, "user": str, "rule": str, "verdict": str, "created_at": float},
        pk="id",
        not_null={"user", "verdict", "created_at"},
    )
    db.table("feedback").create_index(["flag_id", "user", "rule"], unique=True)
    db.table("feedback").create_index(["created_at"])
    db.table("nudges").create(
        {
            "id": int,
            "flag_id": int,
            "team": str,
            "channel": str,
            "user": str,
            "status": str,
            "reason": str,
            "created_at": float,
        },
        pk="id",
        not_null={"user", "status", "created_at"},
    )
    db.table("nudges").create_index(["user", "created_at"])
    db.table("nudges").create_index(["created_at"])
    db.table("events").create({"event_id": str, "received_at": float}, pk="event_id")
    db.table("events").create_index(["received_at"])
    db.table("audit").create(
        {"id": int, "at": float, "team": str, "actor": str, "action": str, "details": str},
        pk="id",
        not_null={"at", "actor", "action"},
    )
    db.table("snoozes").create({"team": str, "user": str, "until": float}, pk=("team", "user"))
    db.table("meta").create({"key": str, "value": str}, pk="key")
    # Daily counts per dimension, kept in step with flags on every write, so a 90-day report
    # over a million flags reads a few thousand rows instead of scanning the flags.
    db.table("rollup").create(
        {"day": int, "team": str, "dim": str, "key": str, "n": int}, pk=("day", "team", "dim", "key")
    )
    db.table("names").create({"team": str, "kind": str, "id": str, "name": str}, pk=("team", "kind", "id"))


@migrations()
def m002_reredact_excerpts(db: Database) -> None:
    """Redact stored excerpts again with the pattern table of prompts/redaction.toml.

    Excerpts written before it kept names after greetings, IBANs (all but the digits),
    national id numbers, IP and postal addresses, JWTs and card security codes. The agents'
    names in the names table count as known names. Rows that come out the same are not
    written, and redacting a redacted excerpt changes nothing, so running it twice is safe.
    """
    known = KnownNames(name for (name,) in db.execute("SELECT name FROM names WHERE kind = 'agent'"))
    changed: list[tuple[str, int]] = []
    for flag_id, old in db.execute("SELECT id, excerpt FROM flags WHERE excerpt != ''"):
        new = reredact_excerpt(old, known)
        if new != old:
            changed.append((new, flag_id))
    db.conn.executemany("UPDATE flags SET excerpt = ? WHERE id = ?", changed)


@migrations()
def m003_workspace_settings(db: Database) -> None:
    """A workspace's own coaching settings (bot.workspace) and the audit of every change to them.

    ``team`` "" means every workspace (what the CLI writes unless told a team). Lists are
    one row per entry, so adding or removing one is one statement and one audit row.
    """
    db.table("muted_rules").create(
        {"team": str, "rule": str, "channel": str, "created_at": float, "created_by": str},
        pk=("team", "rule", "channel"),
        not_null={"rule"},
        defaults={"channel": ""},
    )
    db.table("allow_list").create(
        {"id": int, "team": str, "phrase": str, "is_pattern": int, "rule": str, "created_at": float, "created_by": str},
        pk="id",
        not_null={"phrase"},
        defaults={"is_pattern": 0, "rule": ""},
    )
    db.table("allow_list").create_index(["team", "phrase", "is_pattern", "rule"], unique=True)
    db.table("custom_terms").create(
        {
            "team": str,
            "rule_id": str,
            "phrase": str,
            "is_pattern": int,
            "anchors": str,
            "category": str,
            "severity": str,
            "tip": str,
            "rewrite": str,
            "examples": str,
            "created_at": float,
            "created_by": str,
        },
        pk=("team", "rule_id"),
        not_null={"rule_id", "phrase", "category", "severity", "tip"},
        defaults={"is_pattern": 0, "anchors": "[]", "examples": "[]"},
    )
    db.table("channel_modes").create(
        {"team": str, "channel": str, "mode": str, "created_at": float, "created_by": str},
        pk=("team", "channel"),
        not_null={"mode"},
    )
    db.table("thresholds").create(
        {"team": str, "channel": str, "severity": str, "created_at": float, "created_by": str},
        pk=("team", "channel"),
        not_null={"severity"},
        defaults={"channel": ""},
    )
    db.table("settings_audit").create(
        {"id": int, "at": float, "team": str, "actor": str, "action": str, "target": str, "before": str, "after": str},
        pk="id",
        not_null={"at", "actor", "action"},
    )
    db.table("settings_audit").create_index(["at"])


@migrations()
def m004_quarter_hour_rollup(db: Database) -> None:
    """Daily series in any time zone (COACH_TZ), and how many flags carry several categories.

    The daily rollup's days are UTC days, which a report in Europe/Berlin or America/New_York
    cannot split; totals and categories per quarter hour can be summed into any zone's days
    (90 days are at most 43,200 rows). The daily rollup also gains ``multi`` (flags with two
    or more categories, keyed by how many), so a report can say why its categories add up
    to more than its flags. Both are filled from the flags already stored.
    """
    db.table("rollup_slot").create(
        {"slot": int, "team": str, "dim": str, "key": str, "n": int}, pk=("slot", "team", "dim", "key")
    )
    conn = db.conn
    conn.execute(
        f"INSERT INTO rollup_slot (slot, team, dim, key, n) SELECT CAST(created_at / {SLOT} AS INTEGER), "
        "team, 'total', '', COUNT(*) FROM flags GROUP BY 1, 2"
    )
    for category in CATEGORIES:
        conn.execute(
            f"INSERT INTO rollup_slot (slot, team, dim, key, n) SELECT CAST(created_at / {SLOT} AS INTEGER),"
            " team, 'category', ?, COUNT(*) FROM flags WHERE ',' || categories || ',' LIKE ? GROUP BY 1, 2",
            [category, f"%,{category},%"],
        )
    labels = "(LENGTH(categories) - LENGTH(REPLACE(categories, ',', '')) + 1)"
    conn.execute(
        f"INSERT INTO rollup (day, team, dim, key, n) SELECT CAST(created_at / {DAY} AS INTEGER), team, "
        f"'multi', CAST({labels} AS TEXT), COUNT(*) FROM flags WHERE categories LIKE '%,%' GROUP BY 1, 2, 4 "
        "ON CONFLICT (day, team, dim, key) DO UPDATE SET n = excluded.n"
    )


@migrations()
def m004_workspace_options(db: Database) -> None:
    """Options set in Slack (bot.workspace_options) and each agent's own nudge preference.

    One row per option, its value as JSON; a missing row means the environment decides.
    """
    db.table("workspace_options").create(
        {"team": str, "key": str, "value": str, "created_at": float, "created_by": str},
        pk=("team", "key"),
        not_null={"key", "value"},
    )
    db.table("agent_prefs").create(
        {"team": str, "user": str, "pause_low": int, "created_at": float},
        pk=("team", "user"),
        not_null={"user"},
        defaults={"pause_low": 0},
    )


@migrations()
def m005_team_time_zone(db: Database) -> None:
    """The workspace option ``digest_tz`` becomes ``time_zone``: one zone for the team's reports,
    digest schedule and "snooze for today" (COACH_TZ), not one for the digest alone.

    m004_quarter_hour_rollup and m004_workspace_options were written side by side; either may
    have run first, and each is matched by its name, so both keep their names and this one
    comes after them.
    """
    db.conn.execute("UPDATE OR REPLACE workspace_options SET key = 'time_zone' WHERE key = 'digest_tz'")
