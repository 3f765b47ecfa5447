"""manifest.yaml declares exactly what the code listens to and needs."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.slack.views import SHORTCUT_CALLBACK

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yaml"


def test_manifest_matches_the_app() -> None:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    features, settings = data["features"], data["settings"]
    assert [c["command"] for c in features["slash_commands"]] == ["/coach"]
    hint = features["slash_commands"][0]["usage_hint"]
    assert all(word in hint for word in ("help", "me", "settings", "report"))  # what /coach answers
    assert features["shortcuts"][0]["callback_id"] == SHORTCUT_CALLBACK
    assert features["shortcuts"][0]["type"] == "message"
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True  # DMs with drafts
    events = set(settings["event_subscriptions"]["bot_events"])
    assert {
        "message.channels",
        "message.groups",
        "message.im",
        "app_mention",
        "app_home_opened",
        "member_joined_channel",
        "app_uninstalled",
        "tokens_revoked",
    } <= events
    scopes = set(data["oauth_config"]["scopes"]["bot"])
    assert {
        "chat:write",
        "commands",
        "channels:history",
        "groups:history",
        "im:history",
        "app_mentions:read",
        "channels:read",
        "users:read",
    } <= scopes  # users:read: snooze until local midnight
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        features["slash_commands"][0]["url"],
    }
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")


def test_env_example_lists_every_setting() -> None:
    import re

    import bot.config

    source = Path(bot.config.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r'"((?:SLACK|COACH)_[A-Z_]+)"', source))
    example = (MANIFEST.parent / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^((?:SLACK|COACH)_[A-Z_]+)=", example, re.MULTILINE))
    assert used <= listed, used - listed
