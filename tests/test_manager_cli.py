"""Manager views from the command line: --rows, --chart, the digest's wording and schedule,
COACH_TZ, users.json display names, and doctor's chart checks."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import ConfigError, Settings
from bot.review.digest import Schedule, digest_text
from bot.review.reports import build_report
from bot.review.scheduler import Scheduler
from bot.store import Store
from tests.factories import NOW, make_flag
from tests.fakes import FakeServer
from tests.test_doctor import ALL_SCOPES, auth_ok, doctor, env_for, failures

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    store = Store(tmp_path / "m.db")
    flags = [
        make_flag(
            i,
            days_ago=i % 6,
            categories=("blame", "argumentative") if i % 4 == 0 else ("blame",),
            agent=f"U{i % 2}",
            agent_name=f"Agent {i % 2}",
            channel_name="support",
        )
        for i in range(12)
    ]
    flags.append(make_flag(50, days_ago=1, agent="U1", phrase="=HYPERLINK(1)", agent_name="=cmd|x"))
    store.add_flags(flags)
    store.close()
    return tmp_path / "m.db"


def run(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(cli, list(args), env={"COACH_TZ": "", **(env or {})})
    return result


def test_rows_csv_has_one_row_per_flag_with_the_json_fields(db: Path) -> None:
    since = f"{int((datetime.now().timestamp() - NOW) // 86400) + 7}d"
    rows = run("report", "--rows", "--since", since, "--db", str(db))
    assert rows.exit_code == 0, rows.output
    table = list(csv.DictReader(io.StringIO(rows.output)))
    data = json.loads(run("report", "--format", "json", "--since", since, "--db", str(db)).output)
    assert len(table) == data["total"] == len(data["flags"]) == 13
    assert set(table[0]) == set(data["flags"][0])  # the same fields
    by_id = {f["id"]: f for f in data["flags"]}
    for row in table:
        flag = by_id[int(row["id"])]
        assert row["categories"] == ",".join(flag["categories"]) and row["excerpt"] == flag["excerpt"]
    assert {r["agent_name"] for r in table} >= {"'=cmd|x"}  # a formula from an export stays text
    refused = run("report", "--rows", "--format", "json", "--db", str(db))
    assert refused.exit_code == 2 and "--rows writes CSV" in refused.output


def test_categories_that_add_up_to_more_than_the_flags_are_explained(db: Path) -> None:
    report = build_report(Store(db), 7, now=NOW)
    assert report.multi_category == 3 and report.category_total == report.total + 3
    table = run("report", "--db", str(db), "--since", "3650d").output
    assert "carry two or more categories, so the categories add up to" in table
    data = json.loads(run("report", "--format", "json", "--db", str(db), "--since", "3650d").output)
    assert data["multi_category"] == 3 and "add up to 16" in data["category_note"]


def test_chart_is_a_png_and_without_the_extra_the_message_says_what_to_install(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.png"
    made = run("report", "--since", "3650d", "--chart", str(out), "--db", str(db))
    assert made.exit_code == 0 and out.read_bytes().startswith(PNG)
    from PIL import Image

    assert Image.open(out).size == (900, 450)
    # A Python without matplotlib: the same command, in a subprocess where it cannot be imported.
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "matplotlib.py").write_text("raise ImportError('not installed here')\n")
    env = {**os.environ, "PYTHONPATH": str(blocker), "COACH_TZ": ""}
    code = "from bot.cli import cli; cli()"
    missing = subprocess.run(
        [sys.executable, "-c", code, "report", "--chart", str(tmp_path / "no.png"), "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert missing.returncode == 1 and "pip install 'support-coach[charts]'" in missing.stderr
    assert not (tmp_path / "no.png").exists()
    text = subprocess.run(
        [sys.executable, "-c", code, "report", "--db", str(db)], capture_output=True, text=True, env=env, timeout=120
    )
    assert text.returncode == 0 and "Coaching report" in text.stdout  # text views need nothing more


def test_digest_wording_is_true_to_what_happened(tmp_path: Path) -> None:
    from dataclasses import replace

    store = Store(tmp_path / "w.db")
    store.add_flags([replace(make_flag(i, days_ago=i % 3), source="scan") for i in range(3)])
    scanned = build_report(store, 7, now=NOW)
    text = digest_text(scanned, None)
    assert text.startswith("*Coaching digest*") and "Weekly" not in text
    assert "3 found in a scan of past messages (nobody was nudged" in text and "flagged live" not in text
    store.add_flags([replace(make_flag(10 + i, days_ago=0.1), source="live") for i in range(2)])
    mixed = digest_text(build_report(store, 7, now=NOW), "weekly")
    assert mixed.startswith("*Weekly coaching digest*")
    assert "2 flagged live as they were posted (0 private nudges sent)" in mixed and "3 found in a scan" in mixed
    assert digest_text(build_report(store, 1, now=NOW), "daily").startswith("*Daily coaching digest*")
    store.close()


def test_cli_digest_is_weekly_only_when_the_schedule_and_the_period_are(db: Path) -> None:
    assert run("digest", "--db", str(db)).output.startswith("*Weekly coaching digest*")
    assert run("digest", "--db", str(db), "--since", "30d").output.startswith("*Coaching digest*")
    daily = {"COACH_DIGEST_SCHEDULE": "daily 08:30"}
    assert run("digest", "--db", str(db), "--since", "1d", env=daily).output.startswith("*Daily coaching digest*")
    assert run("digest", "--db", str(db), env=daily).output.startswith("*Coaching digest*")


def test_schedules_in_the_team_zone(tmp_path: Path) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime(2025, 11, 24, 10, 0, tzinfo=berlin).timestamp()  # a Monday, 10:00 in Berlin
    due = Schedule.parse("mon 09:00").last_due(now, "Europe/Berlin")
    assert datetime.fromtimestamp(due, berlin).strftime("%a %H:%M") == "Mon 09:00"
    daily = Schedule.parse("daily 09:30")
    assert daily.cadence == "daily" and daily.days == 1
    assert (
        datetime.fromtimestamp(daily.last_due(now, "America/New_York"), ZoneInfo("America/New_York")).strftime("%H:%M")
        == "09:30"
    )
    with pytest.raises(ValueError):
        Schedule.parse("fortnightly 09:00")
    # The scheduler posts a daily digest of yesterday, a whole day, once per slot.
    store = Store(tmp_path / "d.db")
    store.add_flags([make_flag(i, days_ago=1 + i * 0.01) for i in range(3)] + [make_flag(9, days_ago=0)])
    posted = []
    clock = [NOW]
    settings = Settings(digest_channel="CD", digest_schedule="daily 00:05", time_zone="UTC")
    scheduler = Scheduler(settings, store, lambda c, d: posted.append(d), clock=lambda: clock[0])
    scheduler.tick()
    clock[0] += 86400
    assert "digest" in scheduler.tick()
    digest = posted[0]
    assert digest.cadence == "daily" and digest.report.period.days == 1
    assert digest.report.total == 1 and digest.title == "Daily coaching digest"  # yesterday's: the flag of NOW
    store.close()


def test_coach_tz_is_checked_and_reaches_reports(db: Path) -> None:
    with pytest.raises(ConfigError, match="COACH_TZ"):
        Settings.from_env({"COACH_TZ": "Mars/Olympus"})
    assert Settings.from_env({"COACH_TZ": "Asia/Tokyo"}).time_zone == "Asia/Tokyo"
    data = json.loads(run("report", "--format", "json", "--db", str(db), env={"COACH_TZ": "Asia/Tokyo"}).output)
    assert data["period"]["time_zone"] == "Asia/Tokyo" and data["period"]["label"].endswith("Asia/Tokyo)")
    bad = run("report", "--db", str(db), env={"COACH_TZ": "Mars/Olympus"})
    assert bad.exit_code != 0 and "COACH_TZ" in bad.output


def test_scan_redacts_display_names_from_users_json(tmp_path: Path) -> None:
    root = tmp_path / "export"
    (root / "support").mkdir(parents=True)
    (root / "channels.json").write_text(json.dumps([{"id": "C9", "name": "support"}]))
    (root / "users.json").write_text(
        json.dumps(
            [
                {"id": "U1", "real_name": "Ada Agent"},
                {"id": "U2", "real_name": "Theodora Vasquez-Lind", "profile": {"display_name": "Teddy"}},
            ]
        )
    )
    (root / "support" / "2025-11-01.json").write_text(
        json.dumps(
            [
                {
                    "type": "message",
                    "user": "U1",
                    "ts": "1762000000.000100",
                    "text": "as I already said, Teddy from accounts has it, you should have read the guide.",
                }
            ]
        )
    )
    result = run("scan", str(root), "--db", str(tmp_path / "s.db"))
    assert result.exit_code == 0, result.output
    excerpt = Store(tmp_path / "s.db").flags()[0].excerpt
    assert "Teddy" not in excerpt and "[name]" in excerpt


def test_doctor_wants_files_write_only_with_the_chart_on(tmp_path: Path) -> None:
    path = tmp_path / "coach.db"
    Store(path).close()
    with FakeServer() as slack:
        from tests.test_doctor import connections_open, conversations

        slack.handlers.update(
            {
                "/auth.test": auth_ok(),
                "/apps.connections.open": connections_open,
                "/conversations.info": conversations({"C01FRONT", "C02BILL", "C09DIGEST"}),
            }
        )
        code, lines, _ = doctor(env_for(slack, path))
        assert code == 0 and "digest chart" not in lines
        code, lines, _ = doctor(env_for(slack, path, COACH_DIGEST_CHART="1"))
        assert code == 1 and "files:write" in failures(lines)["scopes"] and lines["digest chart"][0] == "ok"
        slack.handlers["/auth.test"] = auth_ok(ALL_SCOPES + ",files:write")
        code, lines, _ = doctor(env_for(slack, path, COACH_DIGEST_CHART="1"))
        assert code == 0, failures(lines)


def test_manifest_leaves_files_write_out_and_says_when_to_add_it() -> None:
    from bot.doctor import MANIFEST, manifest_scopes

    assert "files:write" not in manifest_scopes()
    assert "# - files:write" in MANIFEST.read_text(encoding="utf-8")
