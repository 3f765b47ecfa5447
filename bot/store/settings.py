"""A workspace's stored settings (bot.workspace, bot.workspace_options): one row per entry, and
every change audited in ``settings_audit`` in the same transaction.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import cast

from bot.store.connection import Connection
from bot.workspace import Allow, CustomTerm, Mute, SettingsError, WorkspaceSettings, allow_pattern
from bot.workspace_options import validate_option


class Settings(Connection):
    """Reading a workspace's settings and changing them one audited row at a time."""

    def workspace_settings(self, team: str = "") -> WorkspaceSettings:
        """What a workspace has set: its own rows and those for every workspace (team "").

        Where both set a threshold for the same channel, the workspace's own wins.
        """
        teams = ["", team] if team else [""]
        marks = ", ".join("?" for _ in teams)
        db = self.db
        mutes = frozenset(
            Mute(rule, channel)
            for rule, channel in db.execute(f"SELECT rule, channel FROM muted_rules WHERE team IN ({marks})", teams)
        )
        allows = tuple(
            Allow(phrase, bool(is_pattern), rule)
            for phrase, is_pattern, rule in db.execute(
                f"SELECT phrase, is_pattern, rule FROM allow_list WHERE team IN ({marks}) ORDER BY id", teams
            )
        )
        terms = tuple(
            CustomTerm(
                rule_id,
                phrase,
                category,
                severity,
                tip,
                rewrite,
                bool(is_pattern),
                tuple(json.loads(anchors or "[]")),
                tuple(json.loads(examples or "[]")),
            )
            for rule_id, phrase, is_pattern, anchors, category, severity, tip, rewrite, examples in db.execute(
                "SELECT rule_id, phrase, is_pattern, anchors, category, severity, tip, rewrite, examples "
                f"FROM custom_terms WHERE team IN ({marks}) ORDER BY team, rule_id",
                teams,
            )
        )
        modes = db.execute(f"SELECT channel, mode FROM channel_modes WHERE team IN ({marks})", teams).fetchall()
        thresholds: dict[str, str] = {}
        for channel, severity in db.execute(
            f"SELECT channel, severity FROM thresholds WHERE team IN ({marks}) ORDER BY team != ''", teams
        ):
            thresholds[channel] = severity
        options: dict[str, object] = {}
        for key, value in db.execute(
            f"SELECT key, value FROM workspace_options WHERE team IN ({marks}) ORDER BY team != ''", teams
        ):
            options[key] = json.loads(value)
        paused = frozenset(
            user for (user,) in db.execute("SELECT user FROM agent_prefs WHERE team = ? AND pause_low = 1", [team])
        )
        managers = options.get("managers")
        return WorkspaceSettings(
            mutes=mutes,
            allows=allows,
            terms=terms,
            watched=frozenset(c for c, mode in modes if mode == "watch"),
            ignored=frozenset(c for c, mode in modes if mode == "ignore"),
            threshold=thresholds.pop("", None),
            channel_thresholds=tuple(sorted(thresholds.items())),
            managers=frozenset(str(m) for m in managers) if isinstance(managers, list) else None,
            digest_channel=_text_option(options.get("digest_channel")),
            digest_schedule=_text_option(options.get("digest_schedule")),
            time_zone=_text_option(options.get("time_zone")),
            agent_pause=cast(bool, options["agent_pause"]) if isinstance(options.get("agent_pause"), bool) else None,
            paused=paused,
        )

    def setting_origins(self, team: str = "") -> dict[tuple[str, str], tuple[str, str, float]]:
        """Who set each stored setting, for "where does this come from": (kind, key) ->
        (team the row is for, actor, when). Kinds: mute ("rule|channel"), allow ("phrase|pattern|rule"),
        term, channel, threshold (channel, "" everywhere) and option."""
        teams = ["", team] if team else [""]
        marks = ", ".join("?" for _ in teams)
        queries = {
            "mute": "SELECT rule || '|' || channel, team, created_by, created_at FROM muted_rules",
            "allow": "SELECT phrase || '|' || is_pattern || '|' || rule, team, created_by, created_at FROM allow_list",
            "term": "SELECT rule_id, team, created_by, created_at FROM custom_terms",
            "channel": "SELECT channel, team, created_by, created_at FROM channel_modes",
            "threshold": "SELECT channel, team, created_by, created_at FROM thresholds",
            "option": "SELECT key, team, created_by, created_at FROM workspace_options",
        }
        origins: dict[tuple[str, str], tuple[str, str, float]] = {}
        for kind, sql in queries.items():
            for key, row_team, actor, at in self.db.execute(
                f"{sql} WHERE team IN ({marks}) ORDER BY team != ''", teams
            ):
                origins[(kind, str(key))] = (str(row_team), str(actor or ""), float(at or 0))
        return origins

    def option_teams(self) -> list[str]:
        """The workspaces (not "": every workspace) that have set an option."""
        return [
            team
            for (team,) in self.db.execute("SELECT DISTINCT team FROM workspace_options WHERE team != '' ORDER BY team")
        ]

    def set_option(self, key: str, value: object | None, *, team: str = "", actor: str) -> bool:
        """Set a workspace option (checked by bot.workspace_options); None clears it, back to the
        environment's default. False when nothing changed."""
        stored = None if value is None else validate_option(key, value)
        with self._writing() as conn:
            row = conn.execute("SELECT value FROM workspace_options WHERE team = ? AND key = ?", [team, key]).fetchone()
            before = json.loads(row[0]) if row else None
            if before == stored:  # None: no row either way
                return False
            if stored is None:
                conn.execute("DELETE FROM workspace_options WHERE team = ? AND key = ?", [team, key])
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO workspace_options (team, key, value, created_at, created_by) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [team, key, json.dumps(stored), time.time(), actor],
                )
            self._settings_change(conn, team, actor, "option", key, before, stored)
            return True

    def set_low_pause(self, team: str, user: str, paused: bool) -> bool:
        """An agent pauses (or resumes) their own low-severity nudges; audited as their change."""
        with self._writing() as conn:
            row = conn.execute("SELECT pause_low FROM agent_prefs WHERE team = ? AND user = ?", [team, user]).fetchone()
            before = bool(row[0]) if row else False
            if before == paused:
                return False
            conn.execute(
                "INSERT OR REPLACE INTO agent_prefs (team, user, pause_low, created_at) VALUES (?, ?, ?, ?)",
                [team, user, int(paused), time.time()],
            )
            self._settings_change(conn, team, user, "pause_low" if paused else "resume_low", user, before, paused)
            return True

    def _settings_change(
        self, conn: sqlite3.Connection, team: str, actor: str, action: str, target: str, before: object, after: object
    ) -> None:
        conn.execute(
            "INSERT INTO settings_audit (at, team, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                time.time(),
                team,
                actor,
                action,
                target,
                json.dumps(before, sort_keys=True),
                json.dumps(after, sort_keys=True),
            ],
        )

    def mute_rule(self, rule: str, channel: str = "", *, team: str = "", actor: str) -> bool:
        """Mute a rule everywhere (channel "") or in one channel; False when it already was."""
        with self._writing() as conn:
            added = conn.execute(
                "INSERT OR IGNORE INTO muted_rules (team, rule, channel, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?)",
                [team, rule, channel, time.time(), actor],
            ).rowcount
            if added:
                self._settings_change(
                    conn,
                    team,
                    actor,
                    "mute",
                    rule + (f" in {channel}" if channel else ""),
                    None,
                    {"rule": rule, "channel": channel},
                )
            return bool(added)

    def unmute_rule(self, rule: str, channel: str = "", *, team: str = "", actor: str) -> bool:
        with self._writing() as conn:
            removed = conn.execute(
                "DELETE FROM muted_rules WHERE team = ? AND rule = ? AND channel = ?", [team, rule, channel]
            ).rowcount
            if removed:
                self._settings_change(
                    conn,
                    team,
                    actor,
                    "unmute",
                    rule + (f" in {channel}" if channel else ""),
                    {"rule": rule, "channel": channel},
                    None,
                )
            return bool(removed)

    def allow_phrase(
        self, phrase: str, is_pattern: bool = False, rule: str = "", *, team: str = "", actor: str
    ) -> bool:
        """Add an allow-list entry (checked first: a bad regex raises SettingsError)."""
        allow_pattern(phrase, is_pattern)
        with self._writing() as conn:
            added = conn.execute(
                "INSERT OR IGNORE INTO allow_list (team, phrase, is_pattern, rule, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [team, phrase, int(is_pattern), rule, time.time(), actor],
            ).rowcount
            if added:
                self._settings_change(
                    conn, team, actor, "allow", phrase, None, {"phrase": phrase, "pattern": is_pattern, "rule": rule}
                )
            return bool(added)

    def disallow_phrase(
        self, phrase: str, is_pattern: bool = False, rule: str = "", *, team: str = "", actor: str
    ) -> bool:
        with self._writing() as conn:
            removed = conn.execute(
                "DELETE FROM allow_list WHERE team = ? AND phrase = ? AND is_pattern = ? AND rule = ?",
                [team, phrase, int(is_pattern), rule],
            ).rowcount
            if removed:
                self._settings_change(
                    conn, team, actor, "disallow", phrase, {"phrase": phrase, "pattern": is_pattern, "rule": rule}, None
                )
            return bool(removed)

    def put_term(self, term: CustomTerm, *, team: str = "", actor: str) -> None:
        """Add or replace a custom term (validate it first: bot.workspace.validate_term)."""
        after = {
            "phrase": term.phrase,
            "pattern": term.is_pattern,
            "anchors": list(term.anchors),
            "category": term.category,
            "severity": term.severity,
            "tip": term.tip,
            "rewrite": term.rewrite,
            "examples": list(term.examples),
        }
        with self._writing() as conn:
            row = conn.execute(
                "SELECT phrase, is_pattern, anchors, category, severity, tip, rewrite, examples "
                "FROM custom_terms WHERE team = ? AND rule_id = ?",
                [team, term.rule_id],
            ).fetchone()
            before = (
                None
                if row is None
                else {
                    "phrase": row[0],
                    "pattern": bool(row[1]),
                    "anchors": json.loads(row[2] or "[]"),
                    "category": row[3],
                    "severity": row[4],
                    "tip": row[5],
                    "rewrite": row[6],
                    "examples": json.loads(row[7] or "[]"),
                }
            )
            conn.execute(
                "INSERT OR REPLACE INTO custom_terms (team, rule_id, phrase, is_pattern, anchors, category, "
                "severity, tip, rewrite, examples, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    team,
                    term.rule_id,
                    term.phrase,
                    int(term.is_pattern),
                    json.dumps(list(term.anchors)),
                    term.category,
                    term.severity,
                    term.tip,
                    term.rewrite,
                    json.dumps(list(term.examples)),
                    time.time(),
                    actor,
                ],
            )
            self._settings_change(
                conn, team, actor, "add_term" if before is None else "replace_term", term.rule_id, before, after
            )

    def remove_term(self, rule_id: str, *, team: str = "", actor: str) -> bool:
        """Take a custom term away; False when there was none by that id."""
        with self._writing() as conn:
            row = conn.execute(
                "SELECT phrase, category, severity, tip FROM custom_terms WHERE team = ? AND rule_id = ?",
                [team, rule_id],
            ).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM custom_terms WHERE team = ? AND rule_id = ?", [team, rule_id])
            self._settings_change(
                conn,
                team,
                actor,
                "remove_term",
                rule_id,
                {"phrase": row[0], "category": row[1], "severity": row[2], "tip": row[3]},
                None,
            )
            return True

    def set_channel_mode(self, channel: str, mode: str | None, *, team: str = "", actor: str) -> None:
        """Watch or ignore a channel; None forgets it (back to COACH_CHANNELS)."""
        if mode not in ("watch", "ignore", None):
            raise ValueError(f"unknown channel mode {mode!r}")
        with self._writing() as conn:
            row = conn.execute(
                "SELECT mode FROM channel_modes WHERE team = ? AND channel = ?", [team, channel]
            ).fetchone()
            before = row[0] if row else None
            if before == mode:
                return
            if mode is None:
                conn.execute("DELETE FROM channel_modes WHERE team = ? AND channel = ?", [team, channel])
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO channel_modes (team, channel, mode, created_at, created_by) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [team, channel, mode, time.time(), actor],
                )
            self._settings_change(conn, team, actor, "channel", channel, before, mode)

    def set_threshold(self, severity: str | None, channel: str = "", *, team: str = "", actor: str) -> None:
        """The lowest severity nudged, everywhere (channel "") or in one channel; None clears it."""
        if severity is not None and severity not in ("low", "medium", "high"):
            raise SettingsError("severity must be one of low, medium, high")
        with self._writing() as conn:
            row = conn.execute(
                "SELECT severity FROM thresholds WHERE team = ? AND channel = ?", [team, channel]
            ).fetchone()
            before = row[0] if row else None
            if before == severity:
                return
            if severity is None:
                conn.execute("DELETE FROM thresholds WHERE team = ? AND channel = ?", [team, channel])
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO thresholds (team, channel, severity, created_at, created_by) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [team, channel, severity, time.time(), actor],
                )
            self._settings_change(conn, team, actor, "threshold", channel or "(everywhere)", before, severity)

    def settings_audit(self, limit: int = 100) -> list[dict[str, object]]:
        return list(self.db.query("SELECT * FROM settings_audit ORDER BY id DESC LIMIT ?", [limit]))


def _text_option(value: object) -> str | None:
    return value if isinstance(value, str) else None
