"""COACH_LOG_FORMAT=json (issue 15): one JSON object per line, still no message text or tokens."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.slack.logs import configure_logging
from tests.slack.conftest import SECRET, TOKEN, Bot, message

HARSH = "Zyxwvut, as I already said, you should have read the setup guide."


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The handler `support-coach run` installs, writing to a buffer; removed afterwards."""
    stream, level = io.StringIO(), logging.getLogger().level
    handler = configure_logging("json", stream=stream)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    raw = [line for line in stream.getvalue().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in raw]  # every line is one JSON object
    assert all(isinstance(entry, dict) for entry in parsed)
    return parsed


def test_json_log_lines_from_the_running_bot_carry_no_text_or_tokens(json_log: io.StringIO, make_bot) -> None:
    bot: Bot = make_bot()
    bot.slack.handlers["/api/chat.postEphemeral"] = lambda call: (200, {}, {"ok": False, "error": "channel_not_found"})
    assert bot.event(message(HARSH, user="UJSON1"))[0] == 200
    assert bot.event(message(f"{HARSH} {TOKEN}"), signature="v0=" + "0" * 64)[0] == 401
    bot.slack.wait_for("/api/chat.postEphemeral")
    assert bot.deps.outbox.join(timeout=5)
    logging.getLogger("bot.slack.test").warning(
        "a caller slipped a token in: %s", TOKEN, extra={"error_kind": "locked", "waiting": 3, "note": TOKEN}
    )
    entries = lines(json_log)
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    messages = [(e["level"], e["logger"], e["message"]) for e in entries]
    assert ("WARNING", "bot.slack.server", "Rejected a request with an invalid or expired signature") in messages
    assert any(e["logger"] == "bot.slack.client" and "channel_not_found" in e["message"] for e in entries)
    slipped = next(e for e in entries if e["logger"] == "bot.slack.test")
    assert slipped["error_kind"] == "locked" and slipped["waiting"] == 3  # extra fields, typed
    assert slipped["time"].endswith("+00:00")
    text = json_log.getvalue()
    for private in ("Zyxwvut", "already said", TOKEN, "xoxb-", SECRET):
        assert private not in text, private


def test_text_stays_the_default_and_a_traceback_is_one_json_line(json_log: io.StringIO) -> None:
    try:
        raise RuntimeError(f"boom with {TOKEN}")
    except RuntimeError:
        logging.getLogger("bot.test").exception("listener failed")
    (entry,) = lines(json_log)
    assert entry["message"] == "listener failed" and "RuntimeError" in entry["exc"] and TOKEN not in entry["exc"]
    stream = io.StringIO()
    handler = configure_logging(stream=stream)  # replaces the JSON handler: no line twice
    try:
        logging.getLogger("bot.test").info("plain %s", "words")
        assert stream.getvalue().rstrip().endswith("INFO bot.test: plain words")
        assert "plain words" not in json_log.getvalue()
    finally:
        logging.getLogger().removeHandler(handler)
    with pytest.raises(ValueError):
        configure_logging("xml")
