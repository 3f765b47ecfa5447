from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from sqlite_utils import Database, Migrations

from bot.coaching.coach import Coach
from bot.coaching.detect import detect
from bot.redact import (
    CHECKS,
    MAX_EXCERPT,
    KnownNames,
    RedactionError,
    default_patterns,
    excerpt,
    load_patterns,
    redact,
    reredact_excerpt,
)
from bot.store import Store, m001_initial

CASES_FILE = Path(__file__).resolve().parent / "data" / "redaction_cases.jsonl"
CASES = [json.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
POSITIVE = [c for c in CASES if c["kind"] != "lookalike"]
LOOKALIKES = [c for c in CASES if c["kind"] == "lookalike"]
# fmt: off
KINDS = ("name_greeting", "known_name", "iban", "cvv", "us_ssn", "uk_ni", "nl_bsn", "es_dni", "es_nie",
         "it_codice_fiscale", "fr_insee", "de_steuer_id", "pl_pesel", "ipv4", "ipv6", "address", "jwt", "token",
         "api_token", "secret", "email", "phone", "card")
# fmt: on


def test_the_case_file_has_at_least_100_of_each_kind_and_of_look_alikes() -> None:
    counts = Counter(c["kind"] for c in POSITIVE)
    assert {kind: counts[kind] for kind in KINDS if counts[kind] < 100} == {}
    assert len(LOOKALIKES) >= 100
    families = Counter(c["family"] for c in LOOKALIKES)
    for family in ("ticket", "version", "amount", "date", "order_id", "time", "percentage", "model_number"):
        assert families[family] >= 20, family
    assert len({c["text"] for c in CASES}) == len(CASES)  # no case twice


def test_every_case_is_redacted() -> None:
    """100%: every value in 'gone' is gone and the kind's label is there."""
    failures = []
    for case in POSITIVE:
        out = redact(case["text"], case.get("known_names"))
        if any(value in out for value in case["gone"]) or case["label"] not in out:
            failures.append((case["kind"], case["text"], out))
    assert failures == []


def test_every_look_alike_survives() -> None:
    failures = [(c["family"], c["text"], out) for c in LOOKALIKES if (out := redact(c["text"])) != c["text"]]
    assert failures == []


def test_redaction_is_idempotent() -> None:
    """The migration relies on it: a redacted text redacted again is the same text."""
    for case in CASES:
        once = redact(case["text"], case.get("known_names"))
        assert redact(once, case.get("known_names")) == once, case["text"]


def test_redacts_personal_data_and_secrets() -> None:
    text = (
        "Mail jane.doe+vip@example.co.uk or call +44 20 7946 0958, card 4111 1111 1111 1111, "
        "token xoxb-123456789-abcdefghijkl and password: hunter2 <@U012ABC> in <#C01|support>"
    )
    out = redact(text)
    for secret in ("jane.doe", "7946", "4111", "xoxb-", "hunter2", "U012ABC"):
        assert secret not in out
    assert "[email]" in out and "[phone]" in out and "[card]" in out and "[token]" in out
    assert "#support" in out


def test_the_holes_of_issue_16_are_closed() -> None:
    text = (
        "Hi Tomasz Nowak, refund to DE89 3704 0044 0532 0130 00, SSN 123-45-6789, from 192.168.10.24 "
        "and 2001:db8::7, ship to 221B Baker Street, Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl, "
        "cvv 123. Thanks, Priya"
    )
    out = redact(text)
    assert out == (
        "Hi [name], refund to [iban], SSN [national-id], from [ip] and [ip], ship to [address], "
        "Bearer [token], [cvv]. Thanks, [name]"
    )


def test_an_iban_keeps_the_words_after_it() -> None:
    assert redact("IBAN GB82 WEST 1234 5698 7654 32 OK thanks") == "IBAN [iban] OK thanks"
    # Wrong check digits: not an IBAN (its digits still go, as a card-like number).
    assert redact("IBAN GB82 WEST 1234 5698 7654 33") == "IBAN GB82 WEST [card]"


def test_checksums_keep_numbers_that_fail_them() -> None:
    assert redact("DNI 12345678Z") == "DNI [national-id]"
    assert redact("DNI 12345678A") == "DNI 12345678A"  # wrong letter: not a DNI
    assert redact("BSN 1234.56.782") == "BSN [national-id]"
    assert redact("BSN 1234.56.783") == "BSN 1234.56.783"


def test_a_pattern_starts_only_where_nothing_is_glued_to_it() -> None:
    """The patterns open with their first character and look two characters back (for speed):
    the start of the text counts as a boundary, a letter or a dash before does not."""
    assert redact("12345678Z at the start") == "[national-id] at the start"
    assert redact("x12345678Z and A-12345678Z") == "x12345678Z and A-12345678Z"
    assert redact("4111111111111111") == "[card]"
    assert redact("a4111111111111111 and INC-4111111111111111") == "a4111111111111111 and INC-4111111111111111"
    assert redact("123-45-6789") == "[national-id]"
    for never_issued in ("000-12-3456", "666-12-3456", "912-12-3456", "123-00-1234", "123-45-0000"):
        assert redact(never_issued) == never_issued
    assert redact("999.1.1.1, 10.01.1.1, 10.1.1.1") == "999.1.1.1, 10.01.1.1, [ip]"


def test_known_names_are_redacted_wherever_they_are_capitalised() -> None:
    names = KnownNames(["Maria Lopez", "Dev Patel", "Will Smith"])
    out = redact("Ask Maria or Lopez; the dev team says Will Smith will call, Will you?", names)
    assert out == "Ask [name] or [name]; the dev team says [name] will call, Will you?"
    assert redact("thanks maria, done", names) == "thanks [name], done"  # any case after a greeting
    assert redact("Ask Maria", ["Maria"]) == "Ask [name]"  # a plain list works too
    assert redact("Ask Maria") == "Ask Maria"  # unknown without the list


def test_known_names_grow_cheaply() -> None:
    names = KnownNames(["Maria Lopez"])
    assert names.with_names(["Maria"]) is names
    bigger = names.with_names(["Jonas Weber"])
    assert len(bigger) == 4 and len(names) == 2


def test_a_flag_excerpt_loses_the_authors_and_the_workspaces_names() -> None:
    coach = Coach(known_names=KnownNames(["Priya Nair"]))
    analysis = detect(
        "As I already said to Priya, Jonas handles refunds, you should have read the e-mail.", coach.rules
    )
    assert analysis.flagged
    flag = coach.flag_for(analysis, team="T1", channel="C1", ts="1.0", agent="U1", agent_name="Jonas Weber")
    assert "Priya" not in flag.excerpt and "Jonas" not in flag.excerpt
    assert flag.excerpt.count("[name]") == 2
    other = coach.flag_for(analysis, team="T1", channel="C1", ts="1.0", agent="U1", known_names=["Jonas"])
    assert "Jonas" not in other.excerpt


def test_excerpt_is_short_and_centred() -> None:
    text = "a" * 5000 + " you should have read the manual " + "b" * 5000
    start = text.index("you should")
    out = excerpt(text, start, start + 15)
    assert len(out) <= MAX_EXCERPT
    assert "you should have read" in out
    assert out.startswith("…") and out.endswith("…")


def test_excerpt_of_odd_unicode() -> None:
    out = excerpt("ｐｅｂｋａｃ \u200b 🙃 \U0001f600" * 100, 0, 6)
    assert 0 < len(out) <= MAX_EXCERPT


def test_a_re_redacted_excerpt_stays_within_the_limit() -> None:
    old = "…" + "Hi Jo, " * 39 + "…"
    assert len(old) <= MAX_EXCERPT
    new = reredact_excerpt(old)
    assert "Jo," not in new and len(new) <= MAX_EXCERPT
    assert reredact_excerpt(new) == new


def test_the_table_is_checked_when_loaded(tmp_path: Path) -> None:
    assert {p.kind for p in default_patterns()} >= {"iban", "ipv4", "ipv6", "jwt", "name", "address", "cvv"}
    assert all(p.label.startswith("[") and p.label.endswith("]") for p in default_patterns())
    broken = tmp_path / "redaction.toml"
    broken.write_text("[[pattern]]\nkind = 'x'\nlabel = '[x]'\nregex = '(unclosed'\n")
    with pytest.raises(RedactionError, match="pattern #1"):
        load_patterns(broken)
    broken.write_text("[[pattern]]\nkind = 'x'\nlabel = '[x]'\nregex = 'a'\ncheck = 'nope'\n")
    with pytest.raises(RedactionError, match="no check named 'nope'"):
        load_patterns(broken)
    broken.write_text("[[pattern]]\nkind = 'x'\nlabel = '[x]'\nregex = 'a'\nnot_after = ['@missing']\n")
    with pytest.raises(RedactionError, match="no list named 'missing'"):
        load_patterns(broken)
    assert set(CHECKS) >= {"iban", "bsn", "dni", "nie", "insee", "steuer_id", "pesel", "codice_fiscale", "ipv6"}


def test_a_custom_table_is_used(tmp_path: Path) -> None:
    table = tmp_path / "redaction.toml"
    table.write_text("[[pattern]]\nkind = 'order'\nlabel = '[order]'\nregex = '''ORD-\\d+'''\n")
    assert (
        redact("see ORD-123 and 4111 1111 1111 1111", patterns=load_patterns(table))
        == "see [order] and 4111 1111 1111 1111"
    )


# --- the migration, on a real SQLite file written by the previous version ------------------

OLD_EXCERPTS = {
    "n1": "…Hi Tomasz Nowak, as I already said the refund went to DE89 3704 0044 0532 0130 00…",
    "n2": "you should have read it. Thanks, Priya",
    "n3": "calm down, your IP 192.168.10.24 is blocked and cvv 123 is wrong",
    "n4": "as I said, Maria told you: ticket #48213, version 2.14.3, $1,299.00 on 2026-11-03",
    "n5": "already redacted: [email] and [phone]",
    "n6": "",
}


def _old_database(path: Path) -> None:
    """What support-coach wrote before m002: the first migration only, excerpts as they were."""
    old = Migrations("support-coach")
    old(name="m001_initial")(m001_initial)
    db = Database(sqlite3.connect(path))
    old.apply(db)
    for n, (ts, text) in enumerate(OLD_EXCERPTS.items()):
        db.execute(
            "INSERT INTO flags (team, channel, agent, ts, categories, severity, status, created_at, excerpt) "
            "VALUES ('T1', 'C1', 'U1', ?, 'argumentative', 'medium', 'open', ?, ?)",
            [ts, 1e9 + n, text],
        )
    db.execute("INSERT INTO rollup (day, team, dim, key, n) VALUES (11574, 'T1', 'total', '', 6)")
    db.execute(
        "INSERT INTO names (team, kind, id, name) VALUES ('T1', 'agent', 'U2', 'Maria Lopez'), "
        "('T1', 'channel', 'C1', 'Support Billing')"
    )
    db.conn.commit()
    db.conn.close()


def _excerpts(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT ts, excerpt FROM flags").fetchall())
    finally:
        conn.close()


def test_the_migration_re_redacts_old_excerpts(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    assert _excerpts(path) == OLD_EXCERPTS
    store = Store(path)
    applied = [r[0] for r in store.db.execute("SELECT name FROM _sqlite_migrations").fetchall()]
    assert "m002_reredact_excerpts" in applied
    assert store.db.execute("SELECT SUM(n) FROM rollup").fetchone()[0] == 6  # counts untouched
    store.close()
    after = _excerpts(path)
    assert after == {
        "n1": "…Hi [name], as I already said the refund went to [iban]…",
        "n2": "you should have read it. Thanks, [name]",
        "n3": "calm down, your IP [ip] is blocked and [cvv] is wrong",
        "n4": "as I said, [name] told you: ticket #48213, version 2.14.3, $1,299.00 on 2026-11-03",
        "n5": "already redacted: [email] and [phone]",
        "n6": "",
    }


def test_the_migration_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    Store(path).close()
    once = _excerpts(path)
    # Run it again by hand (as a later table change would) and by reopening: nothing moves.
    from bot.store import m002_reredact_excerpts

    db = Database(sqlite3.connect(path))
    m002_reredact_excerpts(db)
    db.conn.commit()
    db.conn.close()
    Store(path).close()
    assert _excerpts(path) == once
