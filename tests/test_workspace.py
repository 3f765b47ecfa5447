"""WorkspaceSettings on its own: applying settings to an Analysis, validation, the cache, the store rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.coaching.detect import detect
from bot.coaching.learned import RULE_PREFIX
from bot.coaching.rules import default_rules
from bot.coaching.team import apply_settings, team_ruleset, validate_term
from bot.models import Analysis, Finding
from bot.store import Store
from bot.workspace import Allow, CustomTerm, Mute, SettingsCache, SettingsError, WorkspaceSettings, allow_pattern


def _finding(rule: str, start: int, end: int, text: str, severity: str = "medium", category: str = "blame") -> Finding:
    return Finding(
        rule=rule,
        category=category,
        severity=severity,
        start=start,
        end=end,
        match=text[start:end],
        tip="tip",
        principle="principle",
    )


def test_a_learned_finding_is_muted_by_its_category_rule_id() -> None:
    text = "It's because you're smart."
    analysis = Analysis(
        text=text,
        findings=(_finding(RULE_PREFIX + "blame", 0, 12, text),),
        categories=("blame",),
        severity="medium",
        model_score=0.9,
    )
    muted = apply_settings(WorkspaceSettings(mutes=frozenset({Mute("learned-blame")})), analysis, "C1")
    assert not muted.flagged and muted.model_score == 0.9
    other = apply_settings(WorkspaceSettings(mutes=frozenset({Mute("learned-dismissive")})), analysis, "C1")
    assert other is analysis


def test_dropping_a_finding_recomputes_categories_and_severity() -> None:
    analysis = detect("Hi Sam, as I already said, you should have read the setup guide.", default_rules(), model=None)
    assert set(analysis.categories) == {"argumentative", "blame"}
    kept = apply_settings(WorkspaceSettings(mutes=frozenset({Mute("as-i-said")})), analysis)
    assert [f.rule for f in kept.findings] == ["should-have"] and kept.categories == ("blame",)


def test_a_channel_mute_applies_in_that_channel_only() -> None:
    analysis = detect("Calm down, it has only been an hour.", default_rules(), model=None)
    settings = WorkspaceSettings(mutes=frozenset({Mute("calm-down", "C1")}))
    assert not apply_settings(settings, analysis, "C1").flagged
    assert apply_settings(settings, analysis, "C2").flagged


def test_an_allowed_phrase_covers_only_findings_inside_it() -> None:
    text = "Honestly it is a layer 8 problem"
    analysis = detect(text, default_rules(), model=None)
    assert analysis.flagged
    assert not apply_settings(WorkspaceSettings(allows=(Allow("Layer  8"),)), analysis).flagged  # case, spacing aside
    assert apply_settings(WorkspaceSettings(allows=(Allow("layer"),)), analysis).flagged  # does not cover "layer 8"
    other_rule = WorkspaceSettings(allows=(Allow("layer 8", rule="pebkac"),))
    assert apply_settings(other_rule, analysis).flagged  # another rule's


def test_several_allow_entries_each_still_count() -> None:
    """apply() first searches all entries at once; each entry must still silence what it covers."""
    text = "Honestly it is a layer 8 problem"
    analysis = detect(text, default_rules(), model=None)
    others = (Allow("rtfm bot"), Allow(r"ticket\s+#\d+", is_pattern=True))
    assert not apply_settings(WorkspaceSettings(allows=(*others, Allow("layer 8"))), analysis).flagged
    assert apply_settings(WorkspaceSettings(allows=others), analysis).flagged
    # A backreference is not joined with the others (its group number would change): still found.
    echo = Allow(r"(la)yer 8|(\d)\2", is_pattern=True)
    assert not apply_settings(WorkspaceSettings(allows=(Allow(r"(x)\1", is_pattern=True), echo)), analysis).flagged


def test_allow_patterns_are_checked() -> None:
    with pytest.raises(SettingsError, match="invalid regular expression"):
        allow_pattern("layer (8", is_pattern=True)
    with pytest.raises(SettingsError, match="matches empty text"):
        allow_pattern(".*", is_pattern=True)
    with pytest.raises(SettingsError):
        allow_pattern("   ", is_pattern=False)
    assert not allow_pattern("layer 8", False).search("player 8")


def test_a_custom_term_is_validated_like_a_rule_file() -> None:
    base = default_rules()
    ok = CustomTerm("custom-ticket-monkey", "ticket monkey", "disparaging", "high", "Name the request.")
    assert validate_term(ok, base).id == "custom-ticket-monkey"
    with pytest.raises(SettingsError, match="already exists"):
        validate_term(CustomTerm("calm-down", "chill", "argumentative", "low", "t"), base)
    with pytest.raises(SettingsError, match="invalid regular expression"):
        validate_term(
            CustomTerm(
                "custom-bad", "tick(et", "blame", "low", "t", is_pattern=True, anchors=("tick",), examples=("ticket",)
            ),
            base,
        )
    with pytest.raises(SettingsError, match="need 'anchors'"):
        validate_term(
            CustomTerm("custom-noanchor", r"tick\w+", "blame", "low", "t", is_pattern=True, examples=("ticket",)), base
        )
    with pytest.raises(SettingsError, match="example not flagged"):
        validate_term(
            CustomTerm(
                "custom-ex",
                r"\bfoo\b",
                "blame",
                "low",
                "t",
                is_pattern=True,
                anchors=("foo",),
                examples=("no match here",),
            ),
            base,
        )
    with pytest.raises(SettingsError, match="rewrite is itself flagged"):
        validate_term(CustomTerm("custom-rw", "ticket monkey", "disparaging", "high", "t", rewrite="calm down"), base)


def test_custom_terms_extend_the_rules_once_per_settings_object() -> None:
    base = default_rules()
    settings = WorkspaceSettings(
        terms=(CustomTerm("custom-ticket-monkey", "ticket monkey", "disparaging", "high", "Name the request."),)
    )
    rules = team_ruleset(settings, base)
    assert rules is team_ruleset(settings, base) and len(rules.rules) == len(base.rules) + 1
    found = detect("another t1cket m0nkey again", rules, model=None)  # leet-tolerant, like rule files
    assert [f.rule for f in found.findings] == ["custom-ticket-monkey"]
    assert team_ruleset(WorkspaceSettings(), base) is base


def test_the_cache_rereads_after_its_ttl_and_keeps_an_unchanged_object() -> None:
    now = [0.0]
    state = {"settings": WorkspaceSettings()}
    loads: list[str] = []

    def load(team: str) -> WorkspaceSettings:
        loads.append(team)
        return WorkspaceSettings(**{"threshold": state["settings"].threshold})

    cache = SettingsCache(load, ttl=1.0, clock=lambda: now[0])
    first = cache.get("T1")
    now[0] = 0.5
    assert cache.get("T1") is first and loads == ["T1"]
    now[0] = 1.0
    assert cache.get("T1") is first and loads == ["T1", "T1"]  # re-read, equal: the same object
    state["settings"] = WorkspaceSettings(threshold="high")
    now[0] = 2.1
    assert cache.get("T1").threshold == "high"


def test_a_change_made_while_settings_are_read_is_not_hidden_by_that_read() -> None:
    """A manager saves a term while the listener is reading the old settings: that read must not
    go into the cache, or the next second's messages are judged without the term."""
    saved = {"threshold": "low"}
    loads: list[str] = []
    cache: SettingsCache

    def load(team: str) -> WorkspaceSettings:
        loads.append(team)
        old = WorkspaceSettings(threshold=saved["threshold"])
        if len(loads) == 1:  # the save lands (and invalidates) after this read saw the old rows
            saved["threshold"] = "high"
            cache.invalidate(team)
        return old

    cache = SettingsCache(load, ttl=60.0, clock=lambda: 0.0)
    assert cache.get("T1").threshold == "low"  # the read that was under way answers with what it saw
    assert cache.get("T1").threshold == "high" and len(loads) == 2  # the next one reads afresh


def test_store_rows_round_trip_with_an_audit_row_each(tmp_path: Path) -> None:
    path = tmp_path / "coach.db"
    store = Store(path)
    applied = [r[0] for r in store.db.execute("SELECT name FROM _sqlite_migrations")]
    assert "m003_workspace_settings" in applied
    store.mute_rule("calm-down", "C1", team="T1", actor="U1")
    assert not store.mute_rule("calm-down", "C1", team="T1", actor="U1")  # already muted: no second row
    store.allow_phrase("layer 8", actor="cli")
    store.put_term(CustomTerm("custom-x", "ticket monkey", "disparaging", "high", "tip"), team="T1", actor="U1")
    store.set_channel_mode("C9", "ignore", team="T1", actor="U1")
    store.set_threshold("medium", actor="cli")
    store.set_threshold("high", "C2", team="T1", actor="U1")
    store.close()
    reopened = Store(path)
    settings = reopened.workspace_settings("T1")
    assert settings.mutes == frozenset({Mute("calm-down", "C1")})
    assert settings.allows == (Allow("layer 8"),)
    assert [t.rule_id for t in settings.terms] == ["custom-x"]
    assert settings.ignored == frozenset({"C9"}) and settings.threshold == "medium"
    assert settings.threshold_for("C2") == "high" and settings.threshold_for("C3") == "medium"
    assert reopened.workspace_settings("T2").mutes == frozenset()  # another workspace: only the team-"" rows
    assert reopened.workspace_settings("T2").threshold == "medium"
    audit = reopened.settings_audit()
    assert [row["action"] for row in reversed(audit)] == [
        "mute",
        "allow",
        "add_term",
        "channel",
        "threshold",
        "threshold",
    ]
    assert audit[0]["actor"] == "U1" and audit[0]["before"] == "null" and audit[0]["after"] == '"high"'
    reopened.close()


def test_a_stored_term_that_no_longer_compiles_is_left_out_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    base = default_rules()
    broken = CustomTerm("custom-broken", "tick(et", "blame", "low", "t", is_pattern=True, anchors=("tick",))
    good = CustomTerm("custom-ticket-monkey", "ticket monkey", "disparaging", "high", "tip")
    with caplog.at_level("WARNING", logger="bot.workspace"):
        rules = team_ruleset(WorkspaceSettings(terms=(broken, good)), base)
    assert rules.get("custom-broken") is None and rules.get("custom-ticket-monkey") is not None
    assert "custom term custom-broken left out" in caplog.text


def test_a_failed_reread_keeps_the_last_settings(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    answers: list[object] = [WorkspaceSettings(threshold="high"), OSError("disk gone")]

    def load(team: str) -> WorkspaceSettings:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]

    cache = SettingsCache(load, ttl=1.0, clock=lambda: now[0])
    assert cache.get("T1").threshold == "high"
    now[0] = 5.0
    with caplog.at_level("WARNING", logger="bot.workspace"):
        assert cache.get("T1").threshold == "high"
    assert "not re-read (OSError)" in caplog.text
