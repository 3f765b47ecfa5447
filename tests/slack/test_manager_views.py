"""Every manager view shows the numbers of `report --format json` for the same period.

The data goes in the way it does in production: live messages, votes and an edit over
signed HTTP to the real app, and a scanned export. Then each view is read the way a
person would meet it: the digest as posted to the fake Slack (blocks and fallback text),
its chart as uploaded through files.uploadV2, App Home as published after real picker
clicks, `/coach report`, and the CLI's CSV rows and PNG chart.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.coaching.detect import detect
from bot.ingest.export import open_export
from bot.ingest.scan import scan_export
from bot.review.charts import chart_data
from bot.review.digest import Digest
from bot.review.reports import build_report
from bot.review.scheduler import Scheduler
from bot.slack.digest_post import post_digest
from bot.slack.report_views import ACTION_AGENT, ACTION_CHANNEL, ACTION_PERIOD
from tests.slack.conftest import MANAGER, TEAM, Bot, message
from tests.slack.uploads import serve_uploads

PNG = b"\x89PNG\r\n\x1a\n"
DAY = 86400
PEOPLE = {
    "UAGENT": {"real_name": "Zora Quill", "profile": {"display_name": "Zo", "real_name": "Zora Quill"}},
    "UOTHER": {"real_name": "Bram Oduya", "profile": {"display_name": "Bram"}},
    "UCUST": {"real_name": "Marguerite Okonkwo", "profile": {"display_name": "Maggie"}},
}


def _users_info(call: Any) -> tuple[int, dict, dict]:
    user = call.body.get("user", "")
    return 200, {}, {"ok": True, "user": {"id": user, **PEOPLE.get(user, {})}}


def _vote(bot: Bot, nudge: dict, action_id: str, user: str) -> None:
    button = next(
        e for b in nudge["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id
    )
    bot.interaction(
        {
            "type": "block_actions",
            "user": {"id": user},
            "team": {"id": TEAM},
            "trigger_id": "t",
            "response_url": f"{bot.slack.url}response/vote",
            "container": {"type": "message"},
            "actions": [{"action_id": action_id, "value": button["value"], "type": "button"}],
        }
    )


def _pick(bot: Bot, user: str, action_id: str, value: str, view: dict) -> dict:
    """A picker click on the home tab the user has now; the home tab Slack is sent next."""
    seen = len(bot.slack.calls_to("/api/views.publish"))
    bot.interaction(
        {
            "type": "block_actions",
            "user": {"id": user},
            "team": {"id": TEAM},
            "trigger_id": "t",
            "container": {"type": "view", "view_id": "V1"},
            "view": {"id": "V1", "type": "home", "private_metadata": view.get("private_metadata", "")},
            "actions": [
                {
                    "action_id": action_id,
                    "type": "static_select",
                    "block_id": "coach_home_pickers",
                    "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}},
                }
            ],
        }
    )
    return bot.slack.wait_for("/api/views.publish", seen + 1)[-1].body["view"]


LIVE_TEXTS = [
    ("UAGENT", "C1", "Hi <@UCUST>, as I already said, you should have read the setup guide."),
    ("UAGENT", "C1", "Not my department, ask billing about the invoice."),
    ("UAGENT", "C2", "Zo here: that's not our fault, the courier lost it."),
    ("UOTHER", "C1", "Calm down, sir, the parcel is on its way."),
]
SCANNED_TEXTS = [
    (3, "Not my department, ask billing about the invoice."),
    (4, "Another PEBKAC ticket from the Zephyr account lol"),
    (9, "Calm down, sir, the parcel is on its way."),
]


def _multi_category_this_week() -> int:
    """How many of this week's messages the engine gives two categories (the engine decides,
    not this test: the views must agree with the JSON whatever it says)."""
    texts = [text for _u, _c, text in LIVE_TEXTS] + [text for days, text in SCANNED_TEXTS if days < 7]
    return sum(len(detect(text).categories) > 1 for text in texts)


def _export(root: Path, now: float) -> Path:
    """A small export with two past flags this week and one the week before."""
    (root / "support").mkdir(parents=True)
    (root / "channels.json").write_text(json.dumps([{"id": "C2", "name": "support"}]))
    (root / "users.json").write_text(
        json.dumps([{"id": "UOTHER", "real_name": "Bram Oduya", "profile": {"display_name": "Bram"}}])
    )
    for days_ago, text in SCANNED_TEXTS:
        ts = now - days_ago * DAY
        day = time.strftime("%Y-%m-%d", time.gmtime(ts))
        (root / "support" / f"{day}.json").write_text(
            json.dumps([{"type": "message", "user": "UOTHER", "team": TEAM, "text": text, "ts": f"{ts:.6f}"}])
        )
    return root


@pytest.fixture
def team(make_bot, tmp_path: Path):
    bot = make_bot(digest_channel="CDIGEST", digest_chart=True)
    bot.slack.handlers["/api/users.info"] = _users_info
    uploads = serve_uploads(bot.slack)
    now = time.time()
    live = LIVE_TEXTS
    for i, (user, channel, text) in enumerate(live):
        bot.event(message(text, user=user, channel=channel, ts=f"{now - 60 + i:.6f}"))
    nudges = [c.body for c in bot.slack.wait_for("/api/chat.postEphemeral", len(live))]
    _vote(bot, next(n for n in nudges if n["user"] == "UAGENT"), "coach_helpful", "UAGENT")
    _vote(bot, next(n for n in nudges if n["user"] == "UOTHER"), "coach_not_helpful", "UOTHER")
    first = bot.store.flags(agent="UAGENT")[-1]  # the oldest: edited into a clean reply
    bot.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": first.channel,
            "message": {"ts": first.ts, "user": "UAGENT", "text": "Thanks for waiting, the refund went out."},
        }
    )
    with open_export(_export(tmp_path / "export", now)) as export:
        assert scan_export(export, bot.deps.coach, bot.store).added == 3
    bot.settle()
    return bot, uploads


def _json(bot: Bot, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["report", "--format", "json", "--db", str(bot.store.path), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --- reading the views as a person would ---------------------------------------------------

TOTAL = re.compile(r"\*(\d+)\* flagged messages")
BAR = re.compile(r"`(disparaging|blame|argumentative|dismissive)\s+[█░]+\s+(\d+)`")
RULE = re.compile(r"• `([\w-]+)`: (\d+) flags · (?:(\d+)% not helpful \((\d+) votes?\)|no votes yet)")
OUTCOMES = re.compile(r"(\d+) nudges sent, (\d+) edited after a nudge, (\d+) found helpful, (\d+) marked not helpful")
LIVE = re.compile(r"(\d+) flagged live as they were posted \((\d+) private nudges? sent\)")
SCANNED = re.compile(r"(\d+) found in a scan of past messages")


AGENT_LINE = re.compile(
    r"• <@(U\w+)>: (\d+) nudges sent · (\d+) edited after a nudge(?: \(\d+% of nudges\))? · "
    r"helpful rate (\d+% \(\d+ of \d+ votes\)|no votes yet)"
)


def _shown_totals(text: str) -> tuple[int, tuple[int, ...]]:
    """The total and the team's outcomes as `/coach report` words them (as the digest and App Home do)."""
    return int(TOTAL.search(text).group(1)), tuple(int(n) for n in OUTCOMES.search(text).groups())


def _blocks_text(blocks: list[dict]) -> str:
    parts = []
    for block in blocks:
        if block.get("type") in ("section", "header"):
            parts.append(block["text"]["text"])
        elif block.get("type") == "context":
            parts += [e.get("text", "") for e in block["elements"]]
    return "\n".join(parts)


def _shown(text: str) -> dict[str, Any]:
    """The numbers a view shows, read off its text."""
    shown: dict[str, Any] = {
        "total": int(TOTAL.search(text).group(1)),
        "by_category": {c: int(n) for c, n in BAR.findall(text)},
        "outcomes": tuple(int(n) for n in OUTCOMES.search(text).groups()),
    }
    shown["rules"] = {
        rule: (int(n), int(pct) if pct else None, int(votes) if votes else 0)
        for rule, n, pct, votes in RULE.findall(text)
    }
    live, scanned = LIVE.search(text), SCANNED.search(text)
    shown["live"] = (int(live.group(1)), int(live.group(2))) if live else (0, 0)
    shown["scanned"] = int(scanned.group(1)) if scanned else 0
    return shown


def _expected(data: dict) -> dict[str, Any]:
    outcomes = data["outcomes"]
    feedback = {r["rule"]: r for r in data["rule_feedback"]}

    def rate(rule: str) -> tuple[int | None, int]:
        votes = feedback.get(rule, {"helpful": 0, "not_helpful": 0})
        total = votes["helpful"] + votes["not_helpful"]
        return (round(100 * votes["not_helpful"] / total) if total else None), total

    return {
        "total": data["total"],
        "by_category": data["by_category"],
        "outcomes": (
            outcomes["nudges_sent"],
            outcomes["edited_after_nudge"],
            outcomes["helpful"],
            outcomes["not_helpful"],
        ),
        "rules": {r["rule"]: (r["flags"], *rate(r["rule"])) for r in data["top_rules"][:8]},
        "live": (data["by_source"]["live"], outcomes["nudges_sent"]),
        "scanned": data["by_source"]["scan"],
    }


def test_digest_home_slash_report_csv_and_chart_agree_with_the_json_report(team, tmp_path: Path) -> None:
    bot, uploads = team
    week = _json(bot, "--since", "7d")
    assert week["total"] == 6 and week["previous_total"] == 1  # 4 live + 2 scanned; 1 scanned the week before
    assert week["by_source"] == {"live": 4, "scan": 2} and week["multi_category"] == _multi_category_this_week()
    assert week["outcomes"]["helpful"] == 1 and week["outcomes"]["not_helpful"] == 1
    assert week["outcomes"]["edited_after_nudge"] == 1
    expected = _expected(week)

    # The scheduled digest, posted by the running bot's scheduler through the real client.
    bot.store.set_meta("digest_last_sent", "0")
    settings = bot.deps.settings
    scheduler = Scheduler(
        settings,
        bot.store,
        lambda channel, digest: post_digest(bot.deps.client, channel, digest, settings.digest_chart),
    )
    assert "digest" in scheduler.tick()
    posted = bot.slack.calls_to("/api/chat.postMessage")[-1].body
    assert posted["channel"] == "CDIGEST"
    blocks_text = _blocks_text(posted["blocks"])
    assert posted["blocks"][0]["type"] == "header" and "Weekly coaching digest" in blocks_text
    assert _shown(blocks_text) == expected
    fallback = posted["text"]
    assert int(TOTAL.search(fallback).group(1)) == week["total"]
    assert tuple(int(n) for n in OUTCOMES.search(fallback).groups()) == expected["outcomes"]
    assert {c: int(n) for c, n in re.findall(r"(\w+) (\d+)", fallback.split("*What kind:* ")[1].split("(")[0])} == {
        c: n for c, n in week["by_category"].items() if n
    }
    assert "got a private nudge" not in fallback  # the scanned ones never did

    # Its chart, uploaded with files.uploadV2 after the message, in the same channel.
    assert len(uploads.files) == 1 and uploads.shared[0]["channel_id"] == "CDIGEST"
    png = next(iter(uploads.files.values()))
    assert png.startswith(PNG) and int(uploads.asked[0]["length"]) == len(png)
    shown = chart_data(build_report(bot.store, 7))
    assert shown.total == week["total"] and shown.previous_total == week["previous_total"]
    assert [sum(n for _, s in shown.series for n in [s[i]]) for i in range(7)] == [
        sum(d["by_category"].values()) for d in week["daily"]
    ]
    assert dict((c, sum(s)) for c, s in shown.series) == week["by_category"]

    # App Home: the manager's first look is the same week; then each picker, against the JSON.
    bot.event({"type": "app_home_opened", "user": MANAGER, "tab": "home", "channel": "D1"})
    home = bot.slack.wait_for("/api/views.publish")[-1].body["view"]
    assert _shown(_blocks_text(home["blocks"])) == expected
    month = _pick(bot, MANAGER, ACTION_PERIOD, "30", home)
    assert _shown(_blocks_text(month["blocks"])) == _expected(_json(bot, "--since", "30d"))
    in_c1 = _pick(bot, MANAGER, ACTION_CHANNEL, "C1", month)
    assert json.loads(in_c1["private_metadata"]) == {"days": 30, "channel": "C1", "agent": None}
    assert _shown(_blocks_text(in_c1["blocks"])) == _expected(_json(bot, "--since", "30d", "--channel", "C1"))
    everywhere = _pick(bot, MANAGER, ACTION_CHANNEL, "all", in_c1)
    drill = _pick(bot, MANAGER, ACTION_AGENT, "UAGENT", everywhere)
    agent = _json(bot, "--since", "30d", "--agent", "UAGENT")
    outcomes = re.search(
        r"Coaching outcomes for <@UAGENT>.*?\n• (\d+) flagged messages.*?\n• (\d+) nudges sent · "
        r"(\d+) edited after a nudge.*?\n• helpful rate (\d+)% \((\d+) of (\d+) votes\)",
        _blocks_text(drill["blocks"]),
        re.S,
    )
    assert outcomes is not None
    assert tuple(int(n) for n in outcomes.groups()) == (
        agent["total"],
        agent["outcomes"]["nudges_sent"],
        agent["outcomes"]["edited_after_nudge"],
        round(100 * agent["outcomes"]["helpful"] / (agent["outcomes"]["helpful"] + agent["outcomes"]["not_helpful"])),
        agent["outcomes"]["helpful"],
        agent["outcomes"]["helpful"] + agent["outcomes"]["not_helpful"],
    )
    assert _shown(_blocks_text(drill["blocks"]))["total"] == _json(bot, "--since", "30d")["total"]  # the team's

    # /coach report for the same week: the team's numbers, and each agent's coaching outcomes as
    # `report --agent` counts them, listed by name, with no flag counts to rank them by.
    bot.command("report 7d", user=MANAGER)
    reply = bot.slack.wait_for("/response/cmd")[-1].body
    assert f"{week['total']} flagged messages" in reply["text"]
    slash = _blocks_text(reply["blocks"])
    assert _shown_totals(slash) == (week["total"], expected["outcomes"])
    listed = AGENT_LINE.findall(slash.split("*Coaching outcomes by agent*\n")[1])
    assert [user for user, *_ in listed] == ["UOTHER", "UAGENT"]  # Bram Oduya, Zora Quill: by name
    for user, sent, edited, rate in listed:
        own = _json(bot, "--since", "7d", "--agent", user)["outcomes"]
        votes = own["helpful"] + own["not_helpful"]
        assert (int(sent), int(edited)) == (own["nudges_sent"], own["edited_after_nudge"])
        assert rate == (
            f"{round(100 * own['helpful'] / votes)}% ({own['helpful']} of {votes} votes)" if votes else "no votes yet"
        )
    assert "By agent" not in slash and not re.search(r"<@U\w+>: \d+\n", slash)

    # CSV rows: one per flag of the JSON report, with the same redacted excerpts.
    rows = CliRunner().invoke(cli, ["report", "--rows", "--since", "7d", "--db", str(bot.store.path)])
    assert rows.exit_code == 0, rows.output
    import csv
    import io

    table = list(csv.DictReader(io.StringIO(rows.output)))
    flags = _json(bot, "--since", "7d")["flags"]
    assert len(table) == week["total"] == len(flags)
    assert {int(r["id"]): r["excerpt"] for r in table} == {f["id"]: f["excerpt"] for f in flags}
    assert {r["source"] for r in table} == {"live", "scan"}

    # report --chart writes the same chart as a PNG file.
    out = tmp_path / "week.png"
    charted = CliRunner().invoke(cli, ["report", "--since", "7d", "--chart", str(out), "--db", str(bot.store.path)])
    assert charted.exit_code == 0, charted.output
    assert out.read_bytes().startswith(PNG)


def test_agents_see_only_their_own_record_whatever_the_picker_says(team) -> None:
    bot, _uploads = team
    bot.event({"type": "app_home_opened", "user": "UAGENT", "tab": "home", "channel": "D2"})
    mine = bot.slack.wait_for("/api/views.publish")[-1].body["view"]
    own = _json(bot, "--since", "30d", "--agent", "UAGENT")
    assert _shown(_blocks_text(mine["blocks"]))["total"] == own["total"] == 3
    # A forged click: another agent, a channel, a period not on the picker.
    forged = json.dumps({"days": 90, "channel": "C1", "agent": "UOTHER"})
    view = _pick(bot, "UAGENT", ACTION_AGENT, "UOTHER", {"private_metadata": forged})
    text = json.dumps(view)
    assert "UOTHER" not in text and "Bram" not in text and "coach_home_agent" not in text
    assert _shown(_blocks_text(view["blocks"]))["total"] == _json(bot, "--since", "90d", "--agent", "UAGENT")["total"]
    assert not [a for a in bot.store.audit_log() if a["actor"] == "UAGENT"]  # an agent's own record is no report
    # /coach report: refused; /coach me: their own outcomes, nobody else's.
    bot.command("report 7d", user="UAGENT")
    bot.command("me 7d", user="UAGENT")
    replies = [c.body for c in bot.slack.wait_for("/response/cmd", 2)]
    refusal = next(r for r in replies if "for the managers" in r["text"])
    record = next(r for r in replies if "Your coaching record" in r["text"])
    assert "Coaching outcomes" not in json.dumps(refusal) and "UOTHER" not in json.dumps(replies)
    week = _json(bot, "--since", "7d", "--agent", "UAGENT")
    assert _shown_totals(_blocks_text(record["blocks"])) == (
        week["total"],
        (
            week["outcomes"]["nudges_sent"],
            week["outcomes"]["edited_after_nudge"],
            week["outcomes"]["helpful"],
            week["outcomes"]["not_helpful"],
        ),
    )


def test_live_excerpts_lose_the_slack_names_of_the_author_and_the_people_mentioned(make_bot) -> None:
    bot = make_bot()
    bot.slack.handlers["/api/users.info"] = _users_info
    bot.event(
        message(
            "Hi <@UCUST>, as I already said, you should have read the setup guide. Okonkwo account notes are attached.",
            user="UAGENT",
        )
    )
    bot.slack.wait_for("/api/chat.postEphemeral")  # the first lookups are cached before the second message
    bot.event(message("Zo here: that's not our fault, the courier lost it.", user="UAGENT"))
    bot.slack.wait_for("/api/chat.postEphemeral", 2)
    bot.settle()
    excerpts = " ".join(f.excerpt for f in bot.store.flags())
    assert "Okonkwo" not in excerpts and "Zo " not in excerpts and excerpts.count("[name]") >= 2
    assert {f.agent_name for f in bot.store.flags()} == {"Zora Quill"}  # reports show the name
    asked = [c.body["user"] for c in bot.slack.calls_to("/api/users.info")]
    assert sorted(asked) == ["UAGENT", "UCUST"]  # once each: cached


def test_a_chart_that_cannot_go_up_costs_the_chart_not_the_digest(team) -> None:
    bot, uploads = team
    bot.slack.handlers["/api/files.getUploadURLExternal"] = lambda call: (
        200,
        {},
        {"ok": False, "error": "missing_scope"},
    )
    report = build_report(bot.store, 7)
    assert post_digest(bot.deps.client, "CDIGEST", Digest(report, "weekly"), chart=True) == ""
    assert "Weekly coaching digest" in bot.slack.calls_to("/api/chat.postMessage")[-1].body["text"]
    assert not uploads.files


def test_snooze_without_the_agents_zone_lasts_until_midnight_in_coach_tz(make_bot) -> None:
    bot = make_bot(time_zone="Asia/Kolkata")  # UTC+05:30: its midnight is no UTC hour
    bot.slack.handlers["/api/users.info"] = lambda call: (200, {}, {"ok": False, "error": "missing_scope"})
    bot.event(message("Calm down, sir, the parcel is on its way.", user="UNOTZ"))
    nudge = bot.slack.wait_for("/api/chat.postEphemeral")[-1].body
    _vote(bot, nudge, "coach_snooze", "UNOTZ")
    reply = bot.slack.wait_for("/response/vote")[-1].body
    assert "until midnight Asia/Kolkata" in reply["text"]
    until = bot.store.db.execute("SELECT until FROM snoozes WHERE user = 'UNOTZ'").fetchone()[0]
    assert (until + 5.5 * 3600) % 86_400 == 0 and 0 < until - time.time() <= 86_400


def test_digest_and_home_fit_slacks_limits_with_many_rules_channels_and_agents(tmp_path: Path) -> None:
    from bot.models import Flag
    from bot.review.fixes import MAX_FIXES, Fix
    from bot.review.reports import agent_outcomes
    from bot.slack.report_views import MAX_AGENTS_LISTED, HomeState, digest_message, home_view, report_message
    from bot.slack.views import MAX_MESSAGE_BLOCKS, MAX_SECTION, MAX_VIEW_BLOCKS
    from bot.store import Store

    store = Store(tmp_path / "big.db")
    now = time.time()
    store.add_flags(
        Flag(
            team="T",
            channel=f"C{i % 300:04d}",
            ts=f"{now - i:.6f}",
            agent=f"U{i % 500:04d}",
            categories=("blame", "dismissive") if i % 3 else ("blame",),
            rules=(f"rule-{i % 90}",),
            severity="medium",
            excerpt="x",
            phrase=f"phrase {i % 70} " + "y" * 40,
            topic=f"topic {i % 40} " + "z" * 200,
            created_at=now - i,
            channel_name=f"support-{i % 300}-" + "w" * 60,
        )
        for i in range(3000)
    )
    report = build_report(store, 7)
    fixes = tuple(Fix(f"rule-{n}", 9, 10, f"C{n:04d}", "s" * 200, "p" * 200) for n in range(MAX_FIXES))
    message = digest_message(Digest(report, "weekly", fixes), chart=True)
    assert len(message["blocks"]) <= MAX_MESSAGE_BLOCKS and message["text"]
    assert sum(b.get("block_id", "").startswith("fix_") for b in message["blocks"]) == MAX_FIXES
    slash = report_message(report, agents=agent_outcomes(store, report, limit=MAX_AGENTS_LISTED))
    listed = next(
        b["text"]["text"] for b in slash["blocks"] if "Coaching outcomes by agent" in b.get("text", {}).get("text", "")
    )
    assert listed.count("\n• <@U") == MAX_AGENTS_LISTED and "…and 480 more" in listed
    assert re.findall(r"<@(U\d+)>", listed) == [f"U{i:04d}" for i in range(MAX_AGENTS_LISTED)]  # by name
    view = home_view(
        report,
        True,
        HomeState(),
        channels={f"C{i:04d}": f"c{i}" for i in range(300)},
        agents={f"U{i:04d}": f"a{i}" for i in range(500)},
        drill=build_report(store, 7, agent="U0001"),
    )
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    for blocks in (message["blocks"], view["blocks"], slash["blocks"]):
        assert all(len(b["text"]["text"]) <= MAX_SECTION for b in blocks if b.get("type") == "section")
    pickers = next(b for b in view["blocks"] if b.get("block_id") == "coach_home_pickers")
    assert all(len(e["options"]) <= 100 for e in pickers["elements"])
    assert len(json.dumps(view)) < 250_000
    store.close()
