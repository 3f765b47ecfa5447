"""Scanning real export files (zip and folder) into a real database, through the CLI."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.coaching.coach import Coach
from bot.ingest.export import SAMPLE_EXPORT, ExportError, open_export
from bot.ingest.scan import scan_export
from bot.store import Store


def write_export(root: Path, days: dict[str, list[dict]]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "channels.json").write_text(json.dumps([{"id": "C9", "name": "support"}]), encoding="utf-8")
    (root / "users.json").write_text(json.dumps([{"id": "U1", "real_name": "Ada Agent"}]), encoding="utf-8")
    (root / "support").mkdir(exist_ok=True)
    for day, messages in days.items():
        (root / "support" / f"{day}.json").write_text(json.dumps(messages), encoding="utf-8")
    return root


MESSAGES = [
    {
        "type": "message",
        "user": "U1",
        "text": "Hi Sam, as I already said, you should have read the guide.",
        "ts": "1762000000.000100",
    },
    {
        "type": "message",
        "user": "U1",
        "text": "another PEBKAC lol",
        "ts": "1762000100.000100",
        "thread_ts": "1762000000.000100",
    },
    {"type": "message", "user": "U1", "text": "Refund is on its way, Sam!", "ts": "1762000200.000100"},
    {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "B1",
        "text": "idiot customer bot text",
        "ts": "1762000300.000100",
    },
    {
        "type": "message",
        "subtype": "channel_join",
        "user": "U1",
        "text": "<@U1> has joined, idiot",
        "ts": "1762000400.000100",
    },
]


def test_scan_is_idempotent_and_skips_bots_and_joins(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", {"2025-11-01": MESSAGES})
    db = tmp_path / "coach.db"
    runner = CliRunner()
    first = runner.invoke(cli, ["scan", str(export), "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "Scanned 3 messages: 2 flagged, 2 new in the store." in first.output
    second = runner.invoke(cli, ["scan", str(export), "--db", str(db)])
    assert "2 flagged, 0 new in the store" in second.output
    store = Store(db)
    flags = store.flags()
    assert {f.source for f in flags} == {"scan"}
    assert {f.agent_name for f in flags} == {"Ada Agent"} and {f.channel for f in flags} == {"C9"}
    assert any(f.thread_ts == "1762000000.000100" for f in flags)
    assert all("as I already said" not in f.excerpt or len(f.excerpt) <= 280 for f in flags)
    store.close()


def test_zip_with_top_folder_and_a_malformed_day(tmp_path: Path) -> None:
    export = write_export(tmp_path / "Acme Slack export", {"2025-11-01": MESSAGES})
    (export / "support" / "2025-11-02.json").write_text("{not json", encoding="utf-8")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in export.rglob("*"):
            zf.write(path, path.relative_to(tmp_path).as_posix())
    result = CliRunner().invoke(cli, ["scan", str(archive), "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 0, result.output
    assert "2025-11-02.json: skipped" in result.output  # stderr is mixed into output by CliRunner
    assert "2 flagged, 2 new" in result.output


def test_dry_run_prints_findings_and_stores_nothing(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", {"2025-11-01": MESSAGES})
    db = tmp_path / "dry.db"
    result = CliRunner().invoke(cli, ["scan", str(export), "--dry-run", "--db", str(db)])
    assert result.exit_code == 0
    assert "#support" in result.output and "PEBKAC" in result.output
    assert "not stored (dry run)" in result.output
    assert not db.exists()


def test_channel_filter_and_unknown_channel(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", {"2025-11-01": MESSAGES})
    with open_export(export, ("support",)) as only:
        assert len(only.day_files) == 1
    with pytest.raises(ExportError, match=r"no channel named nope in this export; it has support$"):
        open_export(export, ("nope",))
    bad = CliRunner().invoke(cli, ["scan", str(tmp_path), "--channel", "nope", "--db", str(tmp_path / "x.db")])
    assert bad.exit_code != 0 and "no channel named nope" in bad.output


def test_not_an_export(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", str(tmp_path / "notes.txt"), "--db", str(tmp_path / "x.db")])
    assert result.exit_code != 0 and "not a zip file" in result.output


def test_bundled_sample_has_a_realistic_mix(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    with open_export(SAMPLE_EXPORT) as export:
        result = scan_export(export, Coach(), store)
    assert result.messages >= 300
    assert 0.04 <= result.flagged / result.messages <= 0.2  # mostly professional
    categories = {c for f in store.flags() for c in f.categories}
    assert categories == {"disparaging", "blame", "argumentative", "dismissive"}
    store.close()


def test_demo_runs_with_nothing_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # nothing configured: conftest clears SLACK_* and COACH_*
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "What a manager sees" in result.output and "Coaching outcomes by agent" in result.output
    assert result.output.count("Quick coaching note") == 3
    assert (tmp_path / "support-coach-demo.db").exists()
    again = CliRunner().invoke(cli, ["demo"])
    assert "0 new in the store" in again.output
    conn = sqlite3.connect(tmp_path / "support-coach-demo.db")
    total = conn.execute("SELECT COUNT(*) FROM flags").fetchone()[0]
    assert f"Flagged messages: {total} " in again.output
    conn.close()


def test_report_cli_formats_and_audit(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE_EXPORT, tmp_path / "sample")
    db = str(tmp_path / "r.db")
    runner = CliRunner()
    runner.invoke(cli, ["scan", str(tmp_path / "sample"), "--db", db])
    data = json.loads(runner.invoke(cli, ["report", "--db", db, "--since", "3650d", "--format", "json"]).output)
    assert data["total"] == len(data["flags"]) > 0
    csv_out = runner.invoke(cli, ["report", "--db", db, "--since", "3650d", "--format", "csv"]).output
    assert csv_out.splitlines()[0] == "section,key,value"
    assert f"summary,flagged,{data['total']}" in csv_out
    md = runner.invoke(
        cli, ["report", "--db", db, "--since", "3650d", "--format", "markdown", "--channel", "support-billing"]
    ).output
    assert md.startswith("# Coaching report") and "channel support-billing" in md
    bad = runner.invoke(cli, ["report", "--db", db, "--since", "soon"])
    assert bad.exit_code == 2 and "not understood" in bad.output
    store = Store(db)
    assert [row["action"] for row in store.audit_log()][:3] == ["report", "export", "export"]
    store.close()


def test_purge_cli(tmp_path: Path) -> None:
    db = str(tmp_path / "p.db")
    runner = CliRunner()
    runner.invoke(cli, ["scan", str(SAMPLE_EXPORT), "--db", db])
    kept = runner.invoke(cli, ["purge", "--older-than", "3650d", "--db", db, "--yes"])
    assert "0 flags" in kept.output
    gone = runner.invoke(cli, ["purge", "--older-than", "1d", "--db", db, "--yes"])
    assert gone.exit_code == 0 and " 0 flags" not in gone.output
    assert Store(db).flags() == []


def test_digest_cli_prints_and_requires_settings_to_post(tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    Store(db).close()  # an empty database: report and digest refuse one that does not exist
    out = CliRunner().invoke(cli, ["digest", "--db", db])
    assert out.exit_code == 0 and "Weekly coaching digest" in out.output
    post = CliRunner().invoke(cli, ["digest", "--post", "--db", db])
    assert post.exit_code == 1 and "SLACK_BOT_TOKEN is not set" in post.output
