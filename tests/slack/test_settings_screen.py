"""The managers' settings screen (issue 14): App Home section, a modal per group, authorised on
the server, audited, confirmed, and in effect on the next live message. The real app over
signed HTTP; each silenced message is followed by a control message that must nudge.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.review.scheduler import Scheduler
from bot.slack.settings_views import ACTION_EDIT, GROUPS, REFUSED_TEXT
from tests.slack.conftest import MANAGER, TEAM, Bot, message
from tests.slack.modals import button, buttons, click, home, last_home, opened, submit, texts

CALM = "Calm down, it has only been an hour."  # calm-down, medium
HARSH = "Hi Sam, as I already said, you should have read the setup guide."  # medium
LOW = "Obviously the app needs the update first, so I've sent you the link."  # condescending-adverb, low
AGENT = "UAGENT"
C1, C2, C5, C9 = "C01SUPPORT", "C02BILLING", "C05ESCAL", "C09RANDOM"  # Slack-shaped channel ids


def edit(bot: Bot, group: str, user: str = MANAGER, count: int = 1) -> dict:
    """Open the Home, press the group's Edit, and return the modal the bot opened."""
    click(bot, user, button(home(bot, user), ACTION_EDIT, group))
    return opened(bot, count)


def nudged_channels(bot: Bot, count: int) -> list[str]:
    bot.slack.wait_for("/api/chat.postEphemeral", count)
    bot.settle()
    return [c.body["channel"] for c in bot.slack.calls_to("/api/chat.postEphemeral")]


def audit_rows(bot: Bot) -> list[dict]:
    return list(reversed(bot.store.settings_audit()))


def test_managers_see_every_group_and_agents_see_none(bot: Bot) -> None:
    manager_home = home(bot, MANAGER)
    assert sorted(b["value"] for b in buttons(manager_home) if b["action_id"] == ACTION_EDIT) == sorted(GROUPS)
    shown = texts(manager_home)
    assert "default from `COACH_MANAGERS` (environment)" in shown  # where each value comes from
    assert "built-in default (`COACH_DIGEST_CHANNEL` not set)" in shown
    agent_home = home(bot, AGENT)
    assert not [b for b in buttons(agent_home) if b["action_id"].startswith("coach_settings")]
    assert "Settings" not in texts(agent_home)


def test_mute_in_a_channel_from_the_modal_is_audited_confirmed_and_live(bot: Bot) -> None:
    modal = edit(bot, "mutes")
    answer = submit(bot, MANAGER, modal, {"mute_rule": "calm-down", "mute_channel": C1})
    assert answer["response_action"] == "update"
    assert f"Muted `calm-down` in <#{C1}>" in texts(answer["view"])
    row = audit_rows(bot)[-1]
    assert (row["actor"], row["action"], row["team"]) == (MANAGER, "mute", TEAM)
    assert json.loads(row["before"]) is None and json.loads(row["after"]) == {"rule": "calm-down", "channel": C1}
    republished = texts(last_home(bot, 2))
    assert f"`calm-down` in <#{C1}>" in republished and f"set in Slack by <@{MANAGER}>" in republished
    bot.event(message(CALM, channel=C1, ts="1762100000.000100"))
    bot.event(message(CALM, channel=C2, ts="1762100000.000200"))
    assert nudged_channels(bot, 1) == [C2]
    # Unmute from the same modal: the mute is offered as an entry to remove.
    again = edit(bot, "mutes", count=2)
    answer = submit(bot, MANAGER, again, {"unmute": [f"calm-down|{C1}"]})
    assert f"Unmuted `calm-down` in <#{C1}>" in texts(answer["view"])
    assert bot.store.workspace_settings(TEAM).mutes == frozenset()
    assert audit_rows(bot)[-1]["action"] == "unmute"


def test_unmute_clears_the_workspace_row_and_the_every_workspace_row(bot: Bot) -> None:
    """A mute set from the CLI (every workspace) and the same mute set in Slack (this workspace)
    are two rows; one unmute from the modal lifts both, or the rule would stay muted."""
    bot.store.mute_rule("calm-down", C1, team="", actor="cli")
    bot.store.mute_rule("calm-down", C1, team=TEAM, actor=MANAGER)
    modal = edit(bot, "mutes")
    answer = submit(bot, MANAGER, modal, {"unmute": [f"calm-down|{C1}"]})
    assert f"Unmuted `calm-down` in <#{C1}>" in texts(answer["view"])
    assert bot.store.workspace_settings(TEAM).mutes == frozenset()


def test_a_non_manager_is_refused_for_every_action_and_submission(bot: Bot) -> None:
    manager_modal = edit(bot, "mutes")
    # The agent presses a forged Edit button: no settings modal, a refusal.
    assert click(bot, AGENT, {"action_id": ACTION_EDIT, "value": "managers"}) == 200
    refusal = opened(bot, 2)
    assert REFUSED_TEXT in texts(refusal) and refusal["callback_id"] == "coach_settings_refused"
    # Forged submissions of real-looking forms: nothing is written.
    answer = submit(bot, AGENT, manager_modal, {"mute_rule": "calm-down"})
    assert answer["response_action"] == "update" and REFUSED_TEXT in texts(answer["view"])
    managers_modal = edit(bot, "managers", count=3)
    answer = submit(bot, AGENT, managers_modal, {"managers": [AGENT]})
    assert REFUSED_TEXT in texts(answer["view"])
    for action in ("coach_fix_mute_everywhere", "coach_fix_mute_channel"):
        click(bot, AGENT, {"action_id": action, "value": json.dumps({"r": "calm-down", "c": C1})})
    bot.settle()
    assert bot.store.workspace_settings(TEAM).mutes == frozenset()
    assert bot.store.workspace_settings(TEAM).managers is None
    assert bot.store.settings_audit() == []
    refused = [r for r in bot.store.audit_log() if r["action"] == "settings_refused"]
    assert len(refused) == 5 and {r["actor"] for r in refused} == {AGENT}
    # The same message is still coached: nothing the agent sent took effect.
    bot.event(message(CALM, channel=C1, ts="1762100001.000100"))
    assert nudged_channels(bot, 1) == [C1]


def test_a_submission_without_a_workspace_is_refused(bot: Bot) -> None:
    modal = edit(bot, "mutes")
    status, data, _ = bot.interaction(
        {
            "type": "view_submission",
            "user": {"id": MANAGER},
            "api_app_id": "A1",
            "view": {"id": "V1", "type": "modal", "callback_id": modal["callback_id"], "state": {"values": {}}},
        }
    )
    assert status == 200 and REFUSED_TEXT in data.decode()
    assert bot.store.settings_audit() == []


def test_allowed_phrase_from_the_modal_and_a_bad_pattern_refused(bot: Bot) -> None:
    modal = edit(bot, "allows")
    bad = submit(bot, MANAGER, modal, {"allow_phrase": "as i (said", "allow_regex": ["regex"]})
    assert bad["response_action"] == "errors" and "invalid regular expression" in bad["errors"]["allow_phrase"]
    assert bot.store.workspace_settings(TEAM).allows == ()
    answer = submit(bot, MANAGER, modal, {"allow_phrase": "layer 8"})
    assert "Allowed “layer 8”" in texts(answer["view"])
    assert audit_rows(bot)[-1]["action"] == "allow"
    bot.event(message("Honestly it is a layer 8 problem", channel=C1, ts="1762100002.000100"))
    bot.event(message(CALM, channel=C1, ts="1762100002.000200"))
    nudged_channels(bot, 1)
    assert [f.ts for f in bot.store.flags()] == ["1762100002.000200"]


def test_custom_term_is_checked_then_nudges_with_its_own_tip(bot: Bot) -> None:
    tip = "Name the request, not a nickname for the customer."
    modal = edit(bot, "terms")
    missing = submit(bot, MANAGER, modal, {"term_phrase": "ticket monkey", "term_category": "disparaging"})
    assert missing["response_action"] == "errors" and {"term_severity", "term_tip"} <= set(missing["errors"])
    # Passes the quick checks, fails the full one (its rewrite is itself flagged): the form comes back.
    answer = submit(
        bot,
        MANAGER,
        modal,
        {
            "term_phrase": "ticket monkey",
            "term_category": "disparaging",
            "term_severity": "high",
            "term_tip": tip,
            "term_rewrite": "calm down",
        },
    )
    assert answer["view"]["callback_id"] == "coach_settings_checking"
    returned = bot.slack.wait_for("/api/views.update", 1, timeout=30)[0].body
    form = returned["view"] if isinstance(returned["view"], dict) else json.loads(returned["view"])
    assert returned["view_id"] == "VMODAL1" and "its rewrite is itself flagged" in texts(form)
    assert form["callback_id"] == "coach_settings:terms" and "ticket monkey" in texts(form)  # refilled
    assert bot.store.workspace_settings(TEAM).terms == ()
    answer = submit(bot, MANAGER, form, {"term_rewrite": "customer"})
    saved = bot.slack.wait_for("/api/views.update", 2, timeout=30)[1].body
    assert "Added the custom term `custom-ticket-monkey`" in texts(saved)
    row = audit_rows(bot)[-1]
    assert (row["action"], row["actor"], row["target"]) == ("add_term", MANAGER, "custom-ticket-monkey")
    assert json.loads(row["after"])["tip"] == tip
    bot.event(message("Another ticket monkey asking about invoices again", channel=C1, ts="1762100003.000100"))
    calls = bot.slack.wait_for("/api/chat.postEphemeral", 1, timeout=30)  # the first message builds the rule set
    assert tip in calls[0].body["text"]
    assert bot.store.flags()[0].rules == ("custom-ticket-monkey",)


def test_ignored_and_watched_channels_from_the_modal(make_bot) -> None:
    bot = make_bot(channels=frozenset({C1, C9}))
    modal = edit(bot, "channels")
    clash = submit(bot, MANAGER, modal, {"watched": [C1], "ignored": [C1]})
    assert clash["response_action"] == "errors"
    answer = submit(bot, MANAGER, modal, {"watched": [C1, C5], "ignored": [C9]})
    shown = texts(answer["view"])
    assert f"<#{C5}>: watched" in shown and f"<#{C9}>: ignored" in shown
    bot.event(message(HARSH, channel=C9, ts="1762100004.000100"))  # in COACH_CHANNELS, now ignored
    bot.event(message(HARSH, channel=C5, ts="1762100004.000200"))  # not in COACH_CHANNELS, now watched
    assert nudged_channels(bot, 1) == [C5]
    assert sorted(f.channel for f in bot.store.flags()) == [C5]
    assert "watched: set in Slack by" in texts(last_home(bot, 2))


def test_thresholds_everywhere_and_per_channel_from_the_modal(bot: Bot) -> None:
    modal = edit(bot, "thresholds")
    answer = submit(
        bot, MANAGER, modal, {"threshold_all": "medium", "threshold_channel": C2, "threshold_channel_severity": "high"}
    )
    assert "Everywhere: medium and above is nudged" in texts(answer["view"])
    bot.event(message(LOW, channel=C1, ts="1762100005.000100"))
    bot.event(message(CALM, channel=C2, ts="1762100005.000200"))
    bot.event(message(CALM, channel=C1, ts="1762100005.000300"))
    assert nudged_channels(bot, 1) == [C1]
    assert [f.ts for f in bot.store.flags()] == ["1762100005.000300"]
    assert {r["action"] for r in audit_rows(bot)} == {"threshold"}
    # "Every severity" in one channel holds there whatever the workspace's threshold is.
    again = edit(bot, "thresholds", count=2)
    submit(bot, MANAGER, again, {"threshold_channel": C5, "threshold_channel_severity": "none"})
    assert bot.store.workspace_settings(TEAM).threshold_for(C5) == "low"
    assert f"<#{C5}>: every severity" in texts(last_home(bot, 4))


def test_managers_set_in_slack_replace_coach_managers(bot: Bot) -> None:
    modal = edit(bot, "managers")
    assert modal["blocks"][1]["element"]["initial_users"] == [MANAGER]  # the environment's, as the default
    locked_out = submit(bot, MANAGER, modal, {"managers": ["UBOSS"]})
    assert "Keep yourself in the list" in locked_out["errors"]["managers"]
    bot.command("report 7d", user="UBOSS")
    assert "for the managers" in bot.slack.wait_for("/response/cmd", 1)[0].body["text"]
    submit(bot, MANAGER, modal, {"managers": [MANAGER, "UBOSS"]})
    bot.command("report 7d", user="UBOSS")
    assert "Coaching report" in bot.slack.wait_for("/response/cmd", 2)[1].body["text"]
    # The new manager takes the env's manager off the list: COACH_MANAGERS no longer decides.
    handover = edit(bot, "managers", user="UBOSS", count=2)
    submit(bot, "UBOSS", handover, {"managers": ["UBOSS"]})
    bot.command("report 7d", user=MANAGER)
    assert "for the managers" in bot.slack.wait_for("/response/cmd", 3)[2].body["text"]
    assert click(bot, MANAGER, {"action_id": ACTION_EDIT, "value": "managers"}) == 200
    assert REFUSED_TEXT in texts(opened(bot, 3))
    rows = [r for r in audit_rows(bot) if r["target"] == "managers"]
    assert [(r["actor"], json.loads(r["before"]), json.loads(r["after"])) for r in rows] == [
        (MANAGER, None, ["UBOSS", MANAGER]),
        ("UBOSS", ["UBOSS", MANAGER], ["UBOSS"]),
    ]


def test_digest_channel_schedule_and_time_zone_from_slack_drive_the_scheduler(make_bot) -> None:
    bot = make_bot(digest_channel="CENV")
    modal = edit(bot, "digest")
    bad = submit(bot, MANAGER, modal, {"time_zone": "Mars/Olympus"})
    assert "is not known" in bad["errors"]["time_zone"]
    answer = submit(
        bot,
        MANAGER,
        modal,
        {"digest_channel": "CDIGEST2", "digest_day": "tue", "digest_time": "10:00", "time_zone": "Europe/Amsterdam"},
    )
    shown = texts(answer["view"])
    assert "Digest channel: <#CDIGEST2>" in shown and "Team time zone: Europe/Amsterdam" in shown
    zone = ZoneInfo("Europe/Amsterdam")
    slot = datetime(2025, 11, 4, 10, 0, tzinfo=zone).timestamp()  # a Tuesday, 10:00 in Amsterdam (09:00 UTC)
    clock = [slot - 3 * 86400]
    posted: list[tuple[str, str]] = []
    scheduler = Scheduler(
        bot.deps.settings, bot.store, lambda c, t: posted.append((c, t)), clock=lambda: clock[0], team=TEAM
    )
    scheduler.tick()  # the first tick records "now": the first digest goes at the next slot
    clock[0] = slot - 60
    scheduler.tick()
    assert posted == []
    clock[0] = slot + 60
    scheduler.tick()
    assert [c for c, _t in posted] == ["CDIGEST2"]
    # "No digest" set in Slack wins over COACH_DIGEST_CHANNEL.
    off = edit(bot, "digest", count=2)
    submit(bot, MANAGER, off, {"digest_off": ["off"]})
    clock[0] = slot + 7 * 86400 + 60
    scheduler.tick()
    assert [c for c, _t in posted] == ["CDIGEST2"]
    home_text = texts(last_home(bot, 4))
    assert "No digest" in home_text and "time zone: set in Slack by" in home_text


def test_unchanged_fields_keep_their_default_source(make_bot) -> None:
    bot = make_bot(digest_channel="CENV")
    modal = edit(bot, "digest")
    answer = submit(bot, MANAGER, modal, {"digest_time": "11:30"})
    assert texts(answer["view"]).count("Digest ") == 1  # only the schedule changed
    options = bot.store.workspace_settings(TEAM)
    assert (options.digest_channel, options.digest_schedule, options.time_zone) == (None, "mon 11:30", None)
    shown = texts(last_home(bot, 2))
    assert "channel: default from `COACH_DIGEST_CHANNEL` (environment)" in shown


def test_the_team_time_zone_set_in_slack_is_the_zone_of_reports_and_snooze(make_bot) -> None:
    """One time zone for the team: COACH_TZ gives the default, the one set in Slack wins."""
    bot = make_bot(time_zone="Europe/Amsterdam")
    assert "Europe/Amsterdam)" in texts(home(bot, MANAGER))  # the report's whole days, in COACH_TZ
    answer = submit(bot, MANAGER, edit(bot, "digest", count=1), {"time_zone": "Asia/Kolkata"})
    assert "Team time zone: Asia/Kolkata" in texts(answer["view"])
    shown = texts(last_home(bot, 3))
    assert "Team time zone: Asia/Kolkata" in shown and "time zone: set in Slack by" in shown
    assert "Asia/Kolkata)" in shown and "Europe/Amsterdam)" not in shown
    # "Snooze for today" for an agent whose own zone Slack cannot say lasts until midnight there.
    bot.slack.handlers["/api/users.info"] = lambda call: (200, {}, {"ok": False, "error": "missing_scope"})
    bot.event(message(CALM, user="UNOTZ", channel=C1))
    nudge = bot.slack.wait_for("/api/chat.postEphemeral")[-1].body
    snooze = next(
        e for b in nudge["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "coach_snooze"
    )
    click(bot, "UNOTZ", snooze, container="message", response_url=f"{bot.slack.url}response/vote")
    assert "until midnight Asia/Kolkata" in bot.slack.wait_for("/response/vote")[-1].body["text"]
    until = bot.store.db.execute("SELECT until FROM snoozes WHERE user = 'UNOTZ'").fetchone()[0]
    assert (until + 5.5 * 3600) % 86_400 == 0


def test_a_daily_digest_can_be_picked_in_slack(make_bot) -> None:
    bot = make_bot(digest_channel="CENV")
    answer = submit(bot, MANAGER, edit(bot, "digest"), {"digest_day": "daily", "digest_time": "08:30"})
    assert "Digest schedule: daily 08:30" in texts(answer["view"])
    assert bot.store.workspace_settings(TEAM).digest_schedule == "daily 08:30"
    again = edit(bot, "digest", count=2)  # the modal opens on what is set, "Every day" included
    day = next(b for b in again["blocks"] if b.get("block_id") == "digest_day")["element"]
    assert day["initial_option"]["value"] == "daily"
