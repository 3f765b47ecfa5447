"""The optional LLM judge through the real openai client against the local fake LLM server.

Every message here is written for these tests; none comes from data/.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.coaching.coach import Coach
from bot.coaching.detect import detect
from bot.coaching.judge import RULE_ID, TEMPLATE_VARIABLES, LLMJudge, find_quote, make_judge, read_verdict
from bot.coaching.learned import category_tips, is_learned
from bot.coaching.templates import TemplateError, load_template
from bot.config import ConfigError, Settings
from bot.models import Analysis, Finding
from tests.fakes import FakeServer, chat_by_prompt

PATH = "/v1/chat/completions"
# Clean wording the local stages leave alone; the fake model is told to call it blame.
CLEAN = "Thanks for waiting, Priya. The replacement router left our depot this morning."
QUOTE = "the replacement  ROUTER left"  # other case and spacing than the message
RULE_FLAGGED = "Please calm down, we are on it."


def verdict(flag: bool, categories: list[str] | None = None, quote: str = "", severity: str | None = None) -> str:
    return json.dumps({"flag": flag, "categories": categories or [], "quote": quote, "severity": severity})


@pytest.fixture(scope="module")
def _one_server():
    with FakeServer() as server:  # shutting one down takes half a second: share it
        yield server


@pytest.fixture
def llm_server(_one_server: FakeServer) -> FakeServer:
    _one_server.handlers.clear()
    with _one_server._lock:
        _one_server.calls.clear()
    return _one_server


def settings_for(server: FakeServer, **extra: object) -> Settings:
    values: dict[str, object] = {
        "llm_base_url": server.url + "v1",
        "llm_model": "judge-model",
        "llm_api_key": "sk-test",
        "llm_judge": True,
        "llm_judge_timeout": 2.0,
        **extra,
    }
    return Settings(**values)  # type: ignore[arg-type]


def judge_for(server: FakeServer, band: tuple[float, float] = (0.0, 1.0), timeout: float = 2.0) -> LLMJudge:
    coach = Coach()
    judge = make_judge(settings_for(server, llm_judge_band=band, llm_judge_timeout=timeout), coach.rules)
    assert judge is not None
    return judge


def coach_with(judge: LLMJudge) -> Coach:
    return Coach(rules=judge.rules, judge=judge)


def learned_flag(text: str, category: str = "dismissive", score: float = 0.5) -> Analysis:
    """What detect returns when only the learned stage flagged a message."""
    finding = Finding(
        rule=f"learned-{category}",
        category=category,
        severity="medium",
        start=0,
        end=len(text),
        match=text,
        tip="tip",
        principle="principle",
    )
    return Analysis(text=text, findings=(finding,), categories=(category,), severity="medium", model_score=score)


def test_local_preconditions_of_these_tests() -> None:
    """If a rule or a retrained model changes these, the other tests would test nothing."""
    clean = detect(CLEAN)
    assert not clean.flagged and clean.model_score is not None
    assert any(not is_learned(f.rule) for f in detect(RULE_FLAGGED).findings)


def test_accepted_answer_adds_a_flag_with_the_quoted_span(llm_server: FakeServer) -> None:
    llm_server.handlers[PATH] = chat_by_prompt({"replacement router": verdict(True, ["blame"], QUOTE, "low")})
    analysis = coach_with(judge_for(llm_server)).analyse(CLEAN)
    assert analysis.flagged and analysis.categories == ("blame",) and analysis.severity == "low"
    (finding,) = analysis.findings
    assert finding.rule == RULE_ID
    assert CLEAN[finding.start : finding.end] == "The replacement router left"
    assert finding.match == "The replacement router left"
    assert finding.tip == category_tips()["blame"].tip
    assert finding.principle == Coach().rules.categories["blame"].principle
    assert analysis.model_score == detect(CLEAN).model_score
    body = llm_server.calls_to(PATH)[0].body
    assert body["model"] == "judge-model" and body["temperature"] == 0
    system, user = body["messages"][0]["content"], body["messages"][1]["content"]
    assert "PEBKAC" in system and "strict JSON" in system and "$" not in system
    assert CLEAN in user and "$message" not in user


def test_two_categories_and_the_tip_severity_when_the_model_gives_none(llm_server: FakeServer) -> None:
    answer = json.dumps({"flag": True, "categories": ["Dismissive", "blame"], "quote": "“left our depot”"})
    llm_server.handlers[PATH] = chat_by_prompt({}, default="```json\n" + answer + "\n```")
    analysis = judge_for(llm_server).review(detect(CLEAN))
    assert analysis.categories == ("blame", "dismissive")
    assert {f.category for f in analysis.findings} == {"blame", "dismissive"}
    assert all(CLEAN[f.start : f.end] == "left our depot" for f in analysis.findings)
    assert analysis.severity == "medium"


def test_judge_removes_a_learned_only_flag(llm_server: FakeServer) -> None:
    llm_server.handlers[PATH] = chat_by_prompt({}, default=verdict(False))
    before = learned_flag("We cannot move the delivery slot, the route is already planned.")
    after = judge_for(llm_server).review(before)
    assert not after.flagged and after.findings == () and after.model_score == 0.5


def test_judge_replaces_a_learned_flag_with_its_own_reading(llm_server: FakeServer) -> None:
    text = "We cannot move the delivery slot, the route is already planned."
    llm_server.handlers[PATH] = chat_by_prompt({}, default=verdict(True, ["dismissive"], "we cannot move", "medium"))
    judge = judge_for(llm_server)
    after = judge.review(learned_flag(text, "blame"))
    assert after.categories == ("dismissive",) and after.findings[0].rule == RULE_ID
    assert text[after.findings[0].start : after.findings[0].end] == "We cannot move"
    assert judge.stats.outcomes == {"confirmed flag": 1}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (verdict(True, ["blame"], "you wrecked the router"), "quote not in message"),
        ('{"flag": true, "categories": ["blame"], "quote": "router"', "malformed JSON"),
        ("Sure! This message is fine.", "malformed JSON"),
        (verdict(True, ["rude"], "router"), "unknown category"),
        (verdict(True, [], "router"), "flag without a category"),
        (verdict(True, ["blame"], ""), "flag without a quote"),
        (json.dumps({"flag": "yes", "categories": ["blame"], "quote": "router"}), "'flag' is not true or false"),
        (json.dumps(["flag", True]), "answer is not a JSON object"),
    ],
)
def test_unusable_answers_are_ignored(
    llm_server: FakeServer, caplog: pytest.LogCaptureFixture, content: str, reason: str
) -> None:
    llm_server.handlers[PATH] = chat_by_prompt({}, default=content)
    judge = judge_for(llm_server)
    caplog.set_level(logging.WARNING)
    local = detect(CLEAN)
    assert judge.review(local) is local
    assert judge.stats.rejected == {reason: 1}
    assert reason in caplog.text
    assert "Priya" not in caplog.text and "router" not in caplog.text  # never message or answer text


def test_timeout_keeps_the_local_decision_within_the_budget(
    llm_server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    llm_server.handlers[PATH] = chat_by_prompt({}, default=verdict(True, ["blame"], "router"), delay=1.5)
    caplog.set_level(logging.INFO)
    coach = coach_with(judge_for(llm_server, timeout=0.3))
    started = time.monotonic()
    analysis = coach.analyse(CLEAN)
    assert time.monotonic() - started < 1.0
    assert not analysis.flagged
    assert coach.judge.stats.unavailable == {"timeout": 1}  # type: ignore[attr-defined]
    assert "timeout" in caplog.text and "Priya" not in caplog.text and "router" not in caplog.text


def test_server_error_keeps_the_local_decision(llm_server: FakeServer, caplog: pytest.LogCaptureFixture) -> None:
    llm_server.handlers[PATH] = lambda call: (503, {}, {"error": {"message": "overloaded", "type": "server_error"}})
    caplog.set_level(logging.WARNING)
    local = detect(CLEAN)
    assert judge_for(llm_server).review(local) is local
    assert "HTTP 503" in caplog.text and "Priya" not in caplog.text


def test_rule_flagged_messages_are_never_sent(llm_server: FakeServer) -> None:
    llm_server.handlers[PATH] = chat_by_prompt({}, default=verdict(False))
    analysis = coach_with(judge_for(llm_server, band=(0.0, 1.0))).analyse(RULE_FLAGGED)
    assert analysis.flagged and "argumentative" in analysis.categories
    assert llm_server.calls_to(PATH) == []


def test_messages_outside_the_band_are_never_sent(llm_server: FakeServer) -> None:
    llm_server.handlers[PATH] = chat_by_prompt({}, default=verdict(True, ["blame"], "router"))
    score = detect(CLEAN).model_score
    assert score is not None and score < 0.5
    judge = judge_for(llm_server, band=(0.5, 0.9))
    assert not coach_with(judge).analyse(CLEAN).flagged  # a confidently clean message
    confident = learned_flag("We cannot move the delivery slot, the route is already planned.", score=0.95)
    assert judge.review(confident) is confident  # a confident learned flag
    assert judge.review(Analysis(text="ok")).flagged is False  # too short: no score, nothing to judge
    assert llm_server.calls_to(PATH) == []
    assert judge.stats.sent == 0


def test_find_quote_maps_folded_text_to_the_original() -> None:
    text = "Hi Sam,\n\nthat   one is  ON your side’s setup."
    start, end = find_quote(text, '"That one is on your side\'s setup."')
    assert text[start:end] == "that   one is  ON your side’s setup"
    assert find_quote(text, "...") is None
    assert find_quote(text, "your side's config") is None
    assert find_quote("Straße closed, sorry", "STRASSE closed") == (0, 13)


def test_read_verdict_tolerates_a_fence_and_a_thinking_block() -> None:
    answer = "<think>hmm</think>\n```json\n" + verdict(True, ["argumentative"], "depot", "high") + "\n```"
    found, reason = read_verdict(answer, CLEAN)
    assert reason == "" and found is not None
    assert found.categories == ("argumentative",) and found.severity == "high"
    assert CLEAN[slice(*found.span)] == "depot"


def test_settings_for_the_judge() -> None:
    settings = Settings.from_env(
        {"COACH_LLM_JUDGE": "1", "COACH_LLM_JUDGE_BAND": "0.2, 0.6", "COACH_LLM_JUDGE_TIMEOUT": "1.5"}
    )
    assert settings.llm_judge is True and settings.llm_judge_band == (0.2, 0.6)
    assert Settings.from_env({}).llm_judge is False  # opt-in: live messages would leave the workspace
    assert settings.llm_judge_timeout == 1.5
    assert Settings.from_env({}).llm_judge_band == (0.15, 0.75)
    assert Settings.from_env({"COACH_LLM_JUDGE": "off"}).llm_judge is False
    for name, raw in [
        ("COACH_LLM_JUDGE_BAND", "0.8,0.2"),
        ("COACH_LLM_JUDGE_BAND", "0.5"),
        ("COACH_LLM_JUDGE_BAND", "low,high"),
        ("COACH_LLM_JUDGE_BAND", "0.1,1.5"),
        ("COACH_LLM_JUDGE_TIMEOUT", "0"),
        ("COACH_LLM_JUDGE_TIMEOUT", "soon"),
        ("COACH_LLM_JUDGE", "maybe"),
    ]:
        with pytest.raises(ConfigError, match=name):
            Settings.from_env({name: raw})


def test_judge_is_off_without_an_llm_or_when_switched_off(llm_server: FakeServer) -> None:
    rules = Coach().rules
    assert make_judge(Settings(), rules) is None
    assert make_judge(settings_for(llm_server, llm_judge=False), rules) is None
    assert make_judge(settings_for(llm_server, llm_judge=False), rules, force=True) is not None
    with pytest.raises(ConfigError, match="COACH_LLM_MODEL"):
        make_judge(Settings(llm_base_url="http://127.0.0.1:9/v1", llm_judge=True), rules)


def test_the_cli_coach_gets_the_judge_from_settings(llm_server: FakeServer) -> None:
    from bot.cli import _State

    assert _State(settings_for(llm_server), None).coach().judge is not None
    assert _State(Settings(), None).coach().judge is None


def test_template_with_unknown_variable_is_a_startup_error(tmp_path: Path) -> None:
    (tmp_path / "judge_system.txt").write_text("Judge by the guide.", encoding="utf-8")
    (tmp_path / "judge_user.txt").write_text("Message: $message from $customer", encoding="utf-8")
    with pytest.raises(TemplateError, match="customer"):
        make_judge(
            Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="m", llm_judge=True),
            Coach().rules,
            templates_dir=tmp_path,
        )


def test_bundled_judge_templates_use_only_known_variables() -> None:
    user = load_template("judge_user.txt", TEMPLATE_VARIABLES)
    assert user.variables == {"message"}
    with pytest.raises(TemplateError):
        user.render()
    assert load_template("judge_system.txt", TEMPLATE_VARIABLES).variables <= TEMPLATE_VARIABLES


# --- support-coach eval --llm through the real CLI ----------------------------------------

MISSED = "Thanks, Omar. That stand only fits the 27-inch model."
NEAR_MISS = "Thanks, Lena. Your parcel is with the courier and should arrive on Friday."
ODD = "Thanks, Kim. The licence renews on the first of each month."


def _labelled_file(tmp_path: Path) -> Path:
    rows = [
        {"id": "t1", "text": MISSED, "flag": True, "categories": ["blame"], "severity": "medium"},
        {
            "id": "t2",
            "text": NEAR_MISS,
            "flag": False,
            "categories": [],
            "severity": None,
            "notes": "HARD-NEG[polite]: a plain status update",
        },
        {"id": "t3", "text": ODD, "flag": False, "categories": [], "severity": None},
        {"id": "t4", "text": RULE_FLAGGED, "flag": True, "categories": ["argumentative"], "severity": "medium"},
    ]
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return path


def _env(server: FakeServer | None) -> dict[str, str]:
    if server is None:
        return {"COACH_LLM_BASE_URL": "", "COACH_LLM_MODEL": ""}
    return {
        "COACH_LLM_BASE_URL": server.url + "v1",
        "COACH_LLM_MODEL": "judge-model",
        "COACH_LLM_API_KEY": "sk-test",
        "COACH_LLM_JUDGE_BAND": "0,1",
        "COACH_LLM_JUDGE": "0",
    }


def test_eval_llm_compares_local_and_judged_figures(llm_server: FakeServer, tmp_path: Path) -> None:
    for text in (MISSED, NEAR_MISS, ODD):
        assert not detect(text).flagged and detect(text).model_score is not None
    llm_server.handlers[PATH] = chat_by_prompt(
        {
            "Omar": verdict(True, ["blame"], "only fits the 27-inch model", "medium"),
            "Lena": verdict(False),
            "Kim": verdict(True, ["blame"], "you never renewed it"),
        }
    )
    path = _labelled_file(tmp_path)
    result = CliRunner().invoke(cli, ["eval", str(path), "--llm"], env=_env(llm_server))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "with the LLM judge (judge-model)" in out
    assert "sent to the model: 3 of 4 messages" in out  # the rule-flagged one is not sent
    assert "answers used: 2" in out and "added a flag: 1" in out and "confirmed clean: 1" in out
    assert "answers rejected: 1 (quote not in message: 1)" in out
    recall = next(line for line in out.splitlines() if line.strip().startswith("recall ") and "0.500" in line)
    assert "1.000" in recall
    assert len(llm_server.calls_to(PATH)) == 3

    as_json = CliRunner().invoke(
        cli, ["eval", str(path), "--llm", "--format", "json", "--min-recall", "0.9"], env=_env(llm_server)
    )
    assert as_json.exit_code == 0, as_json.output  # the gate judges the judged figures
    data = json.loads(as_json.stdout)
    assert data["flags"]["recall"] == 0.5
    assert data["llm_judge"]["figures"]["flags"]["recall"] == 1.0
    assert data["llm_judge"]["sent"] == 3 and data["llm_judge"]["rejected"] == {"quote not in message": 1}


def test_eval_llm_without_a_model_says_so_and_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(_labelled_file(tmp_path)), "--llm"], env=_env(None))
    assert result.exit_code == 2
    assert "COACH_LLM_BASE_URL" in result.output and "none is configured" in result.output
    half = CliRunner().invoke(
        cli,
        ["eval", str(_labelled_file(tmp_path)), "--llm"],
        env={"COACH_LLM_BASE_URL": "http://127.0.0.1:9/v1", "COACH_LLM_MODEL": ""},
    )
    assert half.exit_code == 2 and "COACH_LLM_MODEL" in half.output
