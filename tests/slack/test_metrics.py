"""GET /metrics (issue 15): Prometheus text from the real app over real HTTP, one registry per app."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import prometheus_client
from prometheus_client.parser import text_string_to_metric_families

from bot.config import ConfigError, Settings
from bot.slack.metrics import Metrics, error_label
from tests.slack.conftest import SECRET, TEAM, TOKEN, Bot, message
from tests.slack.test_no_silent_loss import build, hold_lock, stop, wait_until  # noqa: F401 (fixture)

HARSH = "Hi Sam, as I already said, you should have read the setup guide."
CLEAN = "Thanks for waiting, the refund went out this morning."


def scrape(bot: Bot) -> tuple[dict[tuple[str, tuple[tuple[str, str], ...]], float], str, str]:
    """Samples by (name, labels), the raw text and its content type."""
    status, body = bot.get("/metrics")
    assert status == 200
    with urllib.request.urlopen(f"{bot.url}/metrics", timeout=5) as response:
        content_type = response.headers["Content-Type"]
    text = body.decode()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    return samples, text, content_type


def value(samples: dict, name: str, **labels: str) -> float:
    """A sample's value; 0 for a labelled counter not yet incremented, KeyError for a metric not exported."""
    key = (name, tuple(sorted(labels.items())))
    if key not in samples and labels and any(n == name for n, _ in samples):
        return 0.0
    if key not in samples and labels and name.endswith("_total"):
        return 0.0  # a labelled counter appears with its first increment
    return samples[key]


def settle(bot: Bot, name: str, expected: float, **labels: str) -> dict:
    """Listeners run after the ack: wait until ``name`` reaches ``expected``, then for the outbox and
    the flag writer, and scrape once more."""
    assert wait_until(lambda: value(scrape(bot)[0], name, **labels) >= expected, timeout=5), name
    assert bot.deps.outbox.join(timeout=5)
    assert bot.deps.writer is not None and bot.deps.writer.join(timeout=5)
    return scrape(bot)[0]


def test_metrics_count_events_flags_nudges_and_latencies(bot: Bot) -> None:
    before, text, content_type = scrape(bot)
    assert content_type.startswith("text/plain; version=")  # Prometheus text exposition
    assert value(before, "coach_events_received_total", kind="event") == 0
    assert before[("coach_events_ignored_total", (("reason", "not_a_person"),))] == 0  # exported from the start
    assert before[("coach_store_write_seconds_count", (("outcome", "error"),))] == 0
    assert "# TYPE coach_detect_seconds histogram" in text

    assert bot.event(message(HARSH, user="UAGENT1"))[0] == 200
    bot.slack.wait_for("/api/chat.postEphemeral")
    assert bot.event(message(CLEAN, user="UAGENT2"))[0] == 200
    assert bot.event(message(HARSH, user="UBOTLIKE", bot_id="B9"))[0] == 200  # a bot's message: ignored
    assert bot.event({"type": "reaction_added", "user": "U1", "reaction": "eyes"})[0] == 200  # no listener
    assert bot.command("help")[0] == 200
    assert bot.event(message(HARSH), signature="v0=" + "0" * 64)[0] == 401
    settle(bot, "coach_events_ignored_total", 1, reason="not_a_person")
    settle(bot, "coach_events_ignored_total", 1, reason="unhandled")
    after = settle(bot, "coach_detect_seconds_count", 2)
    assert value(after, "coach_events_received_total", kind="event") == 4  # the 401 never reached Bolt
    assert value(after, "coach_events_acked_total", kind="event") == 4
    assert value(after, "coach_events_received_total", kind="command") == 1
    assert value(after, "coach_events_acked_total", kind="command") == 1
    assert value(after, "coach_events_ignored_total", reason="not_a_person") == 1
    assert value(after, "coach_events_ignored_total", reason="unhandled") == 1
    assert value(after, "coach_http_requests_rejected_total", reason="signature") == 1
    assert sum(v for (name, _), v in after.items() if name == "coach_flags_total") == 1
    assert value(after, "coach_nudges_sent_total") == 1
    assert value(after, "coach_outbox_sent_total") == 1
    assert value(after, "coach_detect_seconds_count") == 2  # the harsh and the clean message
    assert value(after, "coach_detect_seconds_bucket", le="+Inf") == 2
    assert value(after, "coach_detect_seconds_sum") > 0
    assert value(after, "coach_store_write_seconds_count", outcome="ok") >= 1  # the flag and its nudge
    assert value(after, "coach_outbox_queue_length", method="all") == 0
    assert value(after, "coach_listeners_busy") == 0
    assert value(after, "coach_flags_spooled_total") == 0 and value(after, "coach_flags_lost_total") == 0


def test_failed_paced_and_rate_limited_nudges_are_counted(make_bot) -> None:
    bot: Bot = make_bot(nudge_rate=1, nudge_burst=1, nudge_max_delay=0)
    answers = iter(
        [
            (429, {"Retry-After": "0"}, {"ok": False, "error": "ratelimited"}),
            (200, {}, {"ok": False, "error": "channel_not_found"}),
        ]
    )
    bot.slack.handlers["/api/chat.postEphemeral"] = lambda call: next(answers, (200, {}, {"ok": True}))
    assert bot.event(message(HARSH, user="UFIRST"))[0] == 200
    bot.slack.wait_for("/api/chat.postEphemeral", count=2)  # a 429, then Slack's refusal
    assert bot.event(message(HARSH, user="USECOND"))[0] == 200  # over the pace: dropped, never sent
    samples = settle(bot, "coach_nudges_rate_limited_total", 1, outcome="dropped")
    assert value(samples, "coach_slack_rate_limited_total") == 1
    assert value(samples, "coach_nudges_failed_total", error="channel_not_found") == 1
    assert value(samples, "coach_nudges_failed_total", error="rate_limited") == 1
    assert value(samples, "coach_nudges_rate_limited_total", outcome="dropped") == 1
    assert value(samples, "coach_outbox_failed_total", error="channel_not_found") == 1
    assert value(samples, "coach_nudges_sent_total") == 0
    assert len(bot.slack.calls_to("/api/chat.postEphemeral")) == 2


def test_each_app_has_its_own_registry(make_bot, tmp_path: Path) -> None:
    one: Bot = make_bot()
    other: Bot = make_bot(db_path=tmp_path / "other.db")
    assert one.event(message(HARSH))[0] == 200
    one.slack.wait_for("/api/chat.postEphemeral")
    settle(one, "coach_nudges_sent_total", 1)
    assert value(scrape(one)[0], "coach_events_received_total", kind="event") == 1
    assert value(scrape(other)[0], "coach_events_received_total", kind="event") == 0
    assert not [m for m in prometheus_client.REGISTRY.collect() if m.name.startswith("coach_")]
    assert Metrics().registry is not Metrics().registry  # and a second one in a process does not collide


def test_metrics_never_contain_message_text_user_ids_or_tokens(make_bot) -> None:
    bot: Bot = make_bot(channels=frozenset({"CWATCHED7"}))
    secret_text = "Zyxwvut, as I already said, you should have read the setup guide, Qponmlk."
    bot.slack.handlers["/api/chat.postEphemeral"] = lambda call: (
        200,
        {},
        {"ok": False, "error": "Weird Error UHIDDEN4"},
    )
    assert bot.event(message(secret_text, user="UHIDDEN1", channel="CWATCHED7"))[0] == 200
    assert bot.event(message(secret_text, user="UHIDDEN2", channel="CHIDDEN3"))[0] == 200  # unwatched
    assert bot.command(f"{secret_text} {TOKEN}", user="UHIDDEN5")[0] == 200
    assert bot.event(message(f"{secret_text} {TOKEN}"), signature="v0=" + "0" * 64)[0] == 401
    bot.slack.wait_for("/api/chat.postEphemeral")
    settle(bot, "coach_events_ignored_total", 1, reason="unwatched")
    samples, text, _ = scrape(bot)
    assert value(samples, "coach_nudges_failed_total", error="other") == 1  # an odd error is not a label
    assert value(samples, "coach_events_ignored_total", reason="unwatched") == 1
    for private in (
        "Zyxwvut",
        "Qponmlk",
        "already said",
        "UHIDDEN",
        "CWATCHED7",
        "CHIDDEN3",
        TEAM + '"',
        TOKEN,
        "xoxb",
        SECRET,
        "Weird",
    ):
        assert private not in text, private


def test_spooled_flags_and_failed_writes_show_on_metrics(build, tmp_path: Path) -> None:  # noqa: F811
    bot = build(retry_delay="0.05", retry_window="0.3")
    locker = hold_lock(tmp_path / "coach.db", 2.5)
    try:
        assert bot.event(message(HARSH, user="USPOOL"))[0] == 200
        assert wait_until(lambda: value(scrape(bot)[0], "coach_flags_spooled_total") == 1, timeout=3)
        samples, _, _ = scrape(bot)
        assert value(samples, "coach_flags_deferred_total") == 1
        assert value(samples, "coach_store_write_seconds_count", outcome="error") >= 2  # first try and a retry
        assert value(samples, "coach_flags_lost_total") == 0
        assert value(samples, "coach_flags_waiting") == 0
    finally:
        locker.wait(timeout=10)
        stop(bot)


def test_error_labels_are_slack_codes_or_other() -> None:
    assert error_label("user_not_in_channel") == "user_not_in_channel"
    assert [error_label(e) for e in ("", "Bad", "a b", "x" * 60, "U123:secret")] == ["other"] * 5


def test_operations_settings_are_checked() -> None:
    settings = Settings.from_env({})
    assert (settings.log_format, settings.metrics_port, settings.metrics_host) == ("text", 0, "127.0.0.1")
    assert Settings.from_env({"COACH_LOG_FORMAT": "JSON", "COACH_METRICS_PORT": "9102"}).metrics_port == 9102
    for env in ({"COACH_LOG_FORMAT": "xml"}, {"COACH_METRICS_PORT": "70000"}, {"COACH_METRICS_PORT": "x"}):
        try:
            Settings.from_env(env)
        except ConfigError as exc:
            assert next(iter(env)) in str(exc)
        else:
            raise AssertionError(f"{env} was accepted")
