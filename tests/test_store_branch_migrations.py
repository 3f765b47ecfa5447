"""Two m004 migrations were written side by side (the quarter-hour rollup for reports in any
time zone, and the options set in Slack), then m005 made the digest's time zone the team's.
A database that either one alone migrated must upgrade on open, and keep what it holds.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlite_utils import Database, Migrations

from bot import store as store_module
from bot.config import Settings
from bot.store import Store
from bot.workspace_options import digest_plan, resolve

FIRST = ("m001_initial", "m002_reredact_excerpts", "m003_workspace_settings")
DAY = 86400.0
WHEN = 1_762_000_000.0  # 2025-11-01, a whole number of quarter hours from the epoch


def _migrated_by(path: Path, *names: str) -> None:
    """A database as a build with only these migrations left it."""
    partial = Migrations("support-coach")
    for name in names:
        partial(name=name)(getattr(store_module, name))
    db = Database(sqlite3.connect(path))
    partial.apply(db)
    for n, categories in enumerate(("argumentative", "blame,dismissive", "condescending")):
        db.execute(
            "INSERT INTO flags (team, channel, agent, ts, categories, severity, status, created_at) "
            "VALUES ('T1', 'C1', 'U1', ?, ?, 'medium', 'open', ?)",
            [f"{n}.1", categories, WHEN + n * DAY],
        )
    db.conn.commit()


def _applied(store: Store) -> list[str]:
    return [r[0] for r in store.db.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]


def test_a_database_with_the_options_migration_alone_gains_the_rollup_and_the_team_zone(tmp_path: Path) -> None:
    path = tmp_path / "settings-branch.db"
    _migrated_by(path, *FIRST, "m004_workspace_options")
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO workspace_options (team, key, value, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
        [
            ("T1", "digest_tz", json.dumps("Europe/Amsterdam"), WHEN, "UMANAGER"),
            ("T1", "digest_schedule", json.dumps("tue 10:00"), WHEN, "UMANAGER"),
        ],
    )
    conn.execute("INSERT INTO agent_prefs (team, user, pause_low, created_at) VALUES ('T1', 'U1', 1, ?)", [WHEN])
    conn.commit()
    conn.close()
    store = Store(path)
    assert _applied(store)[-3:] == ["m004_workspace_options", "m004_quarter_hour_rollup", "m005_team_time_zone"]
    # The quarter hours are filled from the flags already there, and the multi-category count.
    assert store.db.execute("SELECT SUM(n) FROM rollup_slot WHERE dim = 'total'").fetchone()[0] == 3
    assert store.db.execute("SELECT key, SUM(n) FROM rollup WHERE dim = 'multi' GROUP BY key").fetchall() == [("2", 1)]
    # The digest's zone set in Slack is now the team's, and what else was set stays.
    workspace = store.workspace_settings("T1")
    assert (workspace.time_zone, workspace.digest_schedule, workspace.paused) == (
        "Europe/Amsterdam",
        "tue 10:00",
        frozenset({"U1"}),
    )
    assert store.db.execute("SELECT COUNT(*) FROM workspace_options WHERE key = 'digest_tz'").fetchone()[0] == 0
    options = resolve(workspace, Settings(time_zone="UTC"))
    assert (options["time_zone"].value, options["time_zone"].origin) == ("Europe/Amsterdam", "workspace")
    assert digest_plan(workspace, Settings(time_zone="UTC"))[2] == "Europe/Amsterdam"
    applied = _applied(store)
    store.close()
    again = Store(path)  # nothing runs twice
    assert _applied(again) == applied
    again.close()


def test_a_database_with_the_rollup_migration_alone_gains_the_options(tmp_path: Path) -> None:
    path = tmp_path / "views-branch.db"
    _migrated_by(path, *FIRST, "m004_quarter_hour_rollup")
    store = Store(path)
    assert _applied(store)[-3:] == ["m004_quarter_hour_rollup", "m004_workspace_options", "m005_team_time_zone"]
    assert store.workspace_settings("T1").time_zone is None  # nothing set in Slack: COACH_TZ decides
    assert digest_plan(store.workspace_settings("T1"), Settings(time_zone="America/New_York"))[2] == "America/New_York"
    assert store.set_option("time_zone", "Asia/Kolkata", team="T1", actor="UMANAGER")
    assert store.workspace_settings("T1").time_zone == "Asia/Kolkata"
    store.close()
