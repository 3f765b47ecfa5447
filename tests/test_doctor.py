"""support-coach doctor against a local fake Slack Web API and real SQLite files: all green, then
each failure an admin meets (bad token, missing scope, not a member, unwritable or corrupt
database, bad rule file, an LLM that does not serve the model)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.doctor import MANIFEST, manifest_scopes
from bot.store import Store
from tests.fakes import Call, FakeServer, Reply
from tests.test_cli_settings import console_script

BOT_TOKEN = "xoxb-1111-2222-doctortoken"
APP_TOKEN = "xapp-1-A1-3333-doctorapptoken"
SECRET = "8f742231b10e8888abcd99aaa85a5f0e"
ALL_SCOPES = ",".join(sorted(yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["oauth_config"]["scopes"]["bot"]))


def auth_ok(scopes: str = ALL_SCOPES):
    def reply(call: Call) -> Reply:
        if call.headers.get("authorization") != f"Bearer {BOT_TOKEN}":
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        return (
            200,
            {"x-oauth-scopes": scopes},
            {"ok": True, "team": "Acme Support", "team_id": "T1", "user": "support-coach", "user_id": "UBOT"},
        )

    return reply


def connections_open(call: Call) -> Reply:
    if call.headers.get("authorization") != f"Bearer {APP_TOKEN}":
        return 200, {}, {"ok": False, "error": "invalid_auth"}
    return 200, {}, {"ok": True, "url": "wss://example.invalid/link/?ticket=t"}


def conversations(members: set[str]):
    def reply(call: Call) -> Reply:
        channel = call.body.get("channel")
        if channel not in {"C01FRONT", "C02BILL", "C09DIGEST"}:
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        return (
            200,
            {},
            {"ok": True, "channel": {"id": channel, "name": channel.lower(), "is_member": channel in members}},
        )

    return reply


@pytest.fixture
def slack() -> Iterator[FakeServer]:
    with FakeServer() as server:
        server.handlers.update(
            {
                "/auth.test": auth_ok(),
                "/apps.connections.open": connections_open,
                "/conversations.info": conversations({"C01FRONT", "C02BILL", "C09DIGEST"}),
            }
        )
        yield server


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "coach.db"
    Store(path).close()
    return path


def env_for(slack: FakeServer, db: Path, **extra: str) -> dict[str, str]:
    return {
        "SLACK_API_URL": slack.url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": "",
        "COACH_DB": str(db),
        "COACH_CHANNELS": "C01FRONT,C02BILL",
        "COACH_DIGEST_CHANNEL": "C09DIGEST",
        "COACH_RULES_DIR": "",
        "COACH_LLM_BASE_URL": "",
        "COACH_LLM_MODEL": "",
        **extra,
    }


def doctor(env: dict[str, str], *args: str) -> tuple[int, dict[str, tuple[str, str]], str]:
    """Exit code, {check name: (status word, detail)}, and the raw output."""
    result = CliRunner().invoke(cli, ["doctor", *args], env=env)
    lines: dict[str, tuple[str, str]] = {}
    for line in result.output.splitlines():
        status, _, rest = line.strip().partition("  ")
        if status in ("ok", "FAIL", "--"):
            name, _, detail = rest.strip().partition("  ")
            lines[name.strip()] = (status, detail.strip())
    return result.exit_code, lines, result.output


def failures(lines: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {name: detail for name, (status, detail) in lines.items() if status == "FAIL"}


def test_manifest_scopes_match_a_real_yaml_parser() -> None:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert manifest_scopes() == frozenset(data["oauth_config"]["scopes"]["bot"])
    assert "users:read" in manifest_scopes()


def test_all_green_in_socket_mode(slack: FakeServer, db: Path) -> None:
    code, lines, output = doctor(env_for(slack, db))
    assert code == 0, output
    assert not failures(lines)
    assert lines["auth.test"] == ("ok", "team Acme Support (T1), bot user @support-coach (UBOT)")
    assert lines["Socket Mode"][0] == "ok"
    assert {
        "channel C01FRONT",
        "channel C02BILL",
        "digest channel C09DIGEST",
        "scopes",
        "database",
        "database integrity",
        "database writable",
        "database schema",
        "rules",
        "templates",
    } <= set(lines)
    assert lines["LLM"][0] == "--"
    assert output.rstrip().endswith("Everything checks out.")
    # It really asked Slack, with the right token for each call.
    assert slack.calls_to("/auth.test")[0].headers["authorization"] == f"Bearer {BOT_TOKEN}"
    assert slack.calls_to("/apps.connections.open")[0].headers["authorization"] == f"Bearer {APP_TOKEN}"
    assert sorted(c.body["channel"] for c in slack.calls_to("/conversations.info")) == [
        "C01FRONT",
        "C02BILL",
        "C09DIGEST",
    ]


def test_http_mode_checks_the_signing_secret_instead(slack: FakeServer, db: Path) -> None:
    code, lines, _ = doctor(env_for(slack, db, SLACK_SIGNING_SECRET=SECRET), "--http")
    assert code == 0 and lines["signing secret"][0] == "ok" and "Socket Mode" not in lines
    assert not slack.calls_to("/apps.connections.open")
    code, lines, _ = doctor(env_for(slack, db, SLACK_APP_TOKEN=""))
    assert code == 1 and "SLACK_SIGNING_SECRET is not set" in failures(lines)["signing secret"]


@pytest.mark.parametrize(
    ("extra", "name", "expected"),
    [
        ({"SLACK_BOT_TOKEN": "xoxp-user-token-by-mistake"}, "bot token", "should start with 'xoxb-'"),
        ({"SLACK_BOT_TOKEN": "xoxb-revoked-or-mistyped"}, "auth.test", "invalid_auth"),
        ({"SLACK_APP_TOKEN": "xapp-1-wrong"}, "Socket Mode", "invalid_auth"),
        ({"SLACK_APP_TOKEN": "xoxb-not-an-app-token"}, "app token", "should start with 'xapp-'"),
    ],
)
def test_bad_tokens(slack: FakeServer, db: Path, extra: dict[str, str], name: str, expected: str) -> None:
    code, lines, output = doctor(env_for(slack, db, **extra))
    assert code == 1, output
    assert expected in failures(lines)[name]
    assert "checks failed" in output


def test_missing_scope(slack: FakeServer, db: Path) -> None:
    slack.handlers["/auth.test"] = auth_ok(ALL_SCOPES.replace("users:read", "").strip(","))
    code, lines, _ = doctor(env_for(slack, db))
    assert code == 1
    assert failures(lines) == {"scopes": failures(lines)["scopes"]}
    assert failures(lines)["scopes"].startswith("missing users:read:")


def test_not_a_member_and_unknown_channel(slack: FakeServer, db: Path) -> None:
    slack.handlers["/conversations.info"] = conversations({"C01FRONT"})
    code, lines, _ = doctor(env_for(slack, db, COACH_CHANNELS="C01FRONT,C02BILL,C77GONE"))
    assert code == 1
    found = failures(lines)
    assert "not a member of #c02bill" in found["channel C02BILL"]
    assert "/invite @support-coach" in found["channel C02BILL"]
    assert "not a member of #c09digest" in found["digest channel C09DIGEST"]
    assert "channel_not_found" in found["channel C77GONE"]
    assert lines["channel C01FRONT"][0] == "ok"


def test_slack_unreachable(db: Path) -> None:
    with FakeServer() as gone:
        url = gone.url
    code, lines, _ = doctor({**env_for(FakeServer(), db), "SLACK_API_URL": url})
    assert code == 1 and "cannot reach" in failures(lines)["auth.test"]
    assert lines["scopes"][0] == "--" and lines["channel C01FRONT"][0] == "--"


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """Read-only for this user; as root (who ignores modes), the file is made immutable."""
    os.chmod(path, 0o444)
    immutable = False
    try:
        if os.access(path, os.W_OK):
            immutable = (
                shutil.which("chattr") is not None
                and subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode == 0
            )
            if not immutable or os.access(path, os.W_OK):
                pytest.skip("cannot make a file unwritable for this user here")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        os.chmod(path, 0o644)


def test_unwritable_database(slack: FakeServer, db: Path) -> None:
    with unwritable(db):
        code, lines, _ = doctor(env_for(slack, db))
    assert code == 1
    assert "read-only" in failures(lines)["database writable"]


def test_corrupt_database(slack: FakeServer, db: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not an SQLite file at all" * 200)
    code, lines, _ = doctor(env_for(slack, garbage))
    assert code == 1 and "cannot be opened as a database" in failures(lines)["database"]
    # A real database with one page overwritten opens, and quick_check finds the damage.
    conn = sqlite3.connect(db)
    conn.executemany(
        "INSERT INTO audit (at, actor, action, details) VALUES (?, 'test', 'x', ?)",
        [(float(i), "x" * 300) for i in range(2000)],
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audit'").fetchone()[0]
    conn.close()
    with open(db, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)
    code, lines, _ = doctor(env_for(slack, db))
    assert code == 1 and "quick_check" in failures(lines)["database integrity"]
    assert lines["database"][0] == "ok"


def test_unmigrated_database(slack: FakeServer, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE something_else (x)")
    code, lines, _ = doctor(env_for(slack, other))
    schema = failures(lines)["database schema"]
    assert code == 1 and "m001_initial" in schema and "pending" in schema


def test_missing_database_is_fine_when_its_folder_is_writable(slack: FakeServer, tmp_path: Path) -> None:
    code, lines, _ = doctor(env_for(slack, tmp_path / "new" / "coach.db"))
    assert code == 0 and "does not exist yet" in lines["database"][1]
    assert not (tmp_path / "new").exists()  # the doctor creates nothing


def test_bad_rule_file(slack: FakeServer, db: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "blame.toml").write_text('[[rule]]\nid = "x"\ncategory = "blame"\nthis is not toml\n', encoding="utf-8")
    code, lines, _ = doctor(env_for(slack, db, COACH_RULES_DIR=str(rules)))
    assert code == 1 and "blame.toml" in failures(lines)["rules"]


def test_llm_endpoint(slack: FakeServer, db: Path) -> None:
    with FakeServer() as model:
        model.handlers["/v1/models"] = lambda call: (200, {}, {"object": "list", "data": [{"id": "coach-7b"}]})
        env = env_for(
            slack, db, COACH_LLM_BASE_URL=model.url + "v1", COACH_LLM_MODEL="coach-7b", COACH_LLM_API_KEY="sk-test"
        )
        code, lines, _ = doctor(env)
        assert code == 0 and lines["LLM"][0] == "ok"
        assert model.calls_to("/v1/models")[0].headers["authorization"] == "Bearer sk-test"
        code, lines, _ = doctor({**env, "COACH_LLM_MODEL": "gpt-elsewhere"})
        assert code == 1 and "does not serve 'gpt-elsewhere'" in failures(lines)["LLM"]
        model.handlers["/v1/models"] = lambda call: (401, {}, {"error": "bad key"})
        code, lines, _ = doctor(env)
        assert code == 1 and "HTTP 401: check COACH_LLM_API_KEY" in failures(lines)["LLM"]


def test_malformed_setting_is_one_red_line(slack: FakeServer, db: Path) -> None:
    code, lines, _ = doctor(env_for(slack, db, COACH_NUDGE_COOLDOWN="two minutes"))
    assert code == 1 and "COACH_NUDGE_COOLDOWN" in failures(lines)["settings"]


def test_no_color_and_piped(slack: FakeServer, db: Path) -> None:
    coloured = CliRunner().invoke(cli, ["doctor"], env=env_for(slack, db), color=True)
    assert "\x1b[32m" in coloured.output  # green on a terminal
    plain = CliRunner().invoke(cli, ["doctor"], env={**env_for(slack, db), "NO_COLOR": "1"}, color=True)
    assert "\x1b[" not in plain.output and "ok  auth.test" in plain.output


def test_a_newcomer_goes_green_from_a_dotenv_with_the_installed_script(slack: FakeServer, tmp_path: Path) -> None:
    """The README's words: copy .env.example to .env, fill it in, run support-coach doctor."""
    example = (MANIFEST.parent / ".env.example").read_text(encoding="utf-8")
    filled = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": slack.url,
        "COACH_CHANNELS": "C01FRONT",
        "COACH_DIGEST_CHANNEL": "C09DIGEST",
    }
    lines = [
        f"{line.split('=')[0]}={filled[line.split('=')[0]]}" if line.split("=")[0] in filled else line
        for line in example.splitlines()
    ]
    (tmp_path / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1"}  # conftest cleared SLACK_* and COACH_*: the .env decides
    proc = subprocess.run(
        [console_script(), "doctor"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok  auth.test" in proc.stdout and "coach.db does not exist yet" in proc.stdout


def test_without_coach_channels_it_lists_where_the_bot_is(slack: FakeServer, db: Path) -> None:
    slack.handlers["/users.conversations"] = lambda call: (
        200,
        {},
        {"ok": True, "channels": [{"id": "C01FRONT", "name": "support-frontline"}, {"id": "C02", "name": "billing"}]},
    )
    code, lines, _ = doctor(env_for(slack, db, COACH_CHANNELS=""))
    assert code == 0
    assert lines["channels"] == (
        "ok",
        "COACH_CHANNELS is empty: watching the 2 channels the bot is in (#billing, #support-frontline)",
    )
    assert slack.calls_to("/users.conversations")[0].body["types"] == "public_channel,private_channel"
    slack.handlers["/users.conversations"] = lambda call: (200, {}, {"ok": True, "channels": []})
    code, lines, _ = doctor(env_for(slack, db, COACH_CHANNELS=""))
    assert code == 0 and lines["channels"][0] == "--" and "/invite @support-coach" in lines["channels"][1]
