"""LLM rewrites through the real openai client against a local fake chat-completions server."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from bot.coaching.coach import Coach
from bot.coaching.llm import TEMPLATE_VARIABLES, facts, make_rewriter, missing_facts
from bot.coaching.templates import TemplateError, load_template
from bot.config import Settings
from tests.fakes import Call, FakeServer, chat_completion

DRAFT = "Hi Raj, as I already said, order #A-10442 ships on 12 March. You should have read the email."
GOOD = (
    "Hi Raj, thanks for checking in. Order #A-10442 ships on 12 March, as the email said, and I'll send you "
    "the tracking link as soon as it is out."
)
PATH = "/v1/chat/completions"


@pytest.fixture
def llm_server():
    with FakeServer() as server:
        yield server


def coach_for(server: FakeServer, timeout: float = 2.0) -> Coach:
    settings = Settings(
        llm_base_url=server.url + "v1", llm_model="test-model", llm_api_key="sk-test", llm_timeout=timeout
    )
    coach = Coach()
    coach.llm = make_rewriter(settings, coach.rules)
    return coach


def answer(content: str | None, delay: float = 0.0, status: int = 200):
    def reply(call: Call):
        time.sleep(delay)
        if status != 200:
            return status, {}, {"error": {"message": "boom", "type": "server_error"}}
        return 200, {}, chat_completion(content)

    return reply


def test_good_answer_is_used_and_prompt_is_the_rendered_template(llm_server: FakeServer) -> None:
    llm_server.handlers[PATH] = answer(GOOD)
    suggestion = coach_for(llm_server).suggest(DRAFT)
    assert suggestion.source == "llm"
    assert suggestion.text == GOOD
    sent = llm_server.calls_to(PATH)[0].body
    assert sent["model"] == "test-model"
    system, user = sent["messages"][0]["content"], sent["messages"][1]["content"]
    assert "always the customer" in system and "$tone" not in system
    assert DRAFT in user and "as I already said" in user and "$draft" not in user
    assert llm_server.calls_to(PATH)[0].headers.get("authorization") == "Bearer sk-test"


def test_slow_answer_falls_back(llm_server: FakeServer, caplog: pytest.LogCaptureFixture) -> None:
    llm_server.handlers[PATH] = answer(GOOD, delay=1.5)
    caplog.set_level(logging.WARNING)
    started = time.monotonic()
    suggestion = coach_for(llm_server, timeout=0.5).suggest(DRAFT)
    assert time.monotonic() - started < 1.4
    assert suggestion.source == "rules"
    assert "timeout" in caplog.text
    assert "Raj" not in caplog.text and "A-10442" not in caplog.text  # no message text in logs


FLAGGED = "Obviously you should have read the email, Raj. #A-10442 12 March"


@pytest.mark.parametrize("content", ["", None, "ok", FLAGGED])
def test_garbage_or_flagged_answers_fall_back(llm_server: FakeServer, content: str | None) -> None:
    llm_server.handlers[PATH] = answer(content)
    suggestion = coach_for(llm_server).suggest(DRAFT)
    assert suggestion.source == "rules"


def test_non_json_body_falls_back(llm_server: FakeServer) -> None:
    llm_server.handlers[PATH] = lambda call: (200, {}, b"<html>proxy error</html>")
    assert coach_for(llm_server).suggest(DRAFT).source == "rules"


def test_server_error_falls_back(llm_server: FakeServer, caplog: pytest.LogCaptureFixture) -> None:
    llm_server.handlers[PATH] = answer(GOOD, status=500)
    caplog.set_level(logging.WARNING)
    assert coach_for(llm_server).suggest(DRAFT).source == "rules"
    assert "HTTP 500" in caplog.text


def test_answer_that_drops_facts_falls_back(llm_server: FakeServer, caplog: pytest.LogCaptureFixture) -> None:
    llm_server.handlers[PATH] = answer("Hi Raj, thanks for checking in. Your order ships soon, I'll send tracking.")
    caplog.set_level(logging.WARNING)
    suggestion = coach_for(llm_server).suggest(DRAFT)
    assert suggestion.source == "rules"
    assert "dropped" in caplog.text


def test_clean_draft_never_calls_the_model(llm_server: FakeServer) -> None:
    llm_server.handlers[PATH] = answer(GOOD)
    assert coach_for(llm_server).suggest("Your refund is on its way, Raj.") is None
    assert llm_server.calls_to(PATH) == []


def test_nothing_changes_without_configuration() -> None:
    assert make_rewriter(Settings(), Coach().rules) is None


def test_facts_ignore_the_put_down_itself() -> None:
    from bot.coaching.detect import detect

    text = "PEBKAC, Sam. Ticket 5521 is fixed, see https://help.example.com/x"
    found = facts(text, detect(text))
    assert {"Sam", "5521", "https://help.example.com/x"} <= found
    assert "PEBKAC" not in found
    assert missing_facts(text, "Sam, ticket 5521 is fixed: https://help.example.com/x") == []


def test_template_with_unknown_variable_is_a_startup_error(tmp_path: Path) -> None:
    (tmp_path / "rewrite_system.txt").write_text("Be kind. $tone", encoding="utf-8")
    (tmp_path / "rewrite_user.txt").write_text("Draft: $draft, customer: $customer_name", encoding="utf-8")
    settings = Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    with pytest.raises(TemplateError, match=r"customer_name"):
        make_rewriter(settings, Coach().rules, templates_dir=tmp_path)


def test_bundled_templates_use_only_known_variables() -> None:
    for name in ("rewrite_system.txt", "rewrite_user.txt"):
        template = load_template(name, TEMPLATE_VARIABLES)
        assert template.variables <= TEMPLATE_VARIABLES
        with pytest.raises(TemplateError):
            template.render()


def test_prompt_lists_the_facts_and_shows_pairs_of_the_same_audience(llm_server: FakeServer) -> None:
    llm_server.handlers[PATH] = answer(GOOD)
    coach_for(llm_server).suggest(DRAFT)
    sent = llm_server.calls_to(PATH)[0].body
    system, user = sent["messages"][0]["content"], sent["messages"][1]["content"]
    for fact in ("#A-10442", "Raj", "the email"):
        assert f"- {fact}" in user
    assert system.count("Before: ") >= 3 and system.count("After: ") >= 3
    assert "$examples" not in system and "$facts" not in user
    assert "reply to a customer" in user


def test_answer_that_drops_a_noun_phrase_falls_back(llm_server: FakeServer, caplog: pytest.LogCaptureFixture) -> None:
    draft = "Did you even read the yellow notice at the top of the checkout page, Ivo?"
    llm_server.handlers[PATH] = answer("Hi Ivo, could you take another look at the page and tell me what you see?")
    caplog.set_level(logging.WARNING)
    suggestion = coach_for(llm_server).suggest(draft)
    assert suggestion is not None and suggestion.source == "rules"
    assert "dropped" in caplog.text
    assert "yellow notice" in suggestion.text


def test_answer_with_splice_debris_falls_back(llm_server: FakeServer, caplog: pytest.LogCaptureFixture) -> None:
    broken = (
        "Hi Raj, thanks for for checking in. Order #A-10442 ships on 12 March, as the email said, and I'll "
        "send you the tracking link."
    )
    llm_server.handlers[PATH] = answer(broken)
    caplog.set_level(logging.WARNING)
    assert coach_for(llm_server).suggest(DRAFT).source == "rules"
    assert "reads broken" in caplog.text


def test_few_shot_prefers_the_same_audience_and_category() -> None:
    from bot.coaching.templates import few_shot, load_pairs

    pairs = load_pairs()
    assert len(pairs) >= 50
    shown = few_shot(pairs, "colleague", ("blame",), count=2)
    befores = [line[len("Before: ") :] for line in shown.splitlines() if line.startswith("Before: ")]
    chosen = [p for p in pairs if p["before"] in befores]
    assert len(chosen) == 2 and all(p["audience"] == "colleague" for p in chosen)
    assert few_shot((), "customer", ()) == "(none)"
