"""Rule files: bad ones fail with the file and rule named, never with a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.coaching.detect import detect
from bot.coaching.rules import RULES_DIR, RuleError, RuleSet, load_rules
from bot.coaching.terms import term_pattern

HEADER = """category = "blame"
principle = "Focus on the solution."
next_step = "I'll check and reply today."
reflection = "What would help?"
fallback = "Let's sort it out."
"""


def write(folder: Path, body: str, name: str = "blame.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("category = 'blame'\n[[rule]\n", "blame.toml: not valid TOML"),
        (HEADER.replace('"blame"', '"rudeness"') + "[[rule]]\nid='x1'\n", "'category' must be one of"),
        (
            HEADER + "[[rule]]\nid='bad-re'\nseverity='low'\ntip='t'\npatterns=['(unclosed']\nanchors=['a']\n",
            "rule 'bad-re': invalid regular expression",
        ),
        (
            HEADER + "[[rule]]\nid='no-anchor'\nseverity='low'\ntip='t'\npatterns=['abc']\n",
            "rule 'no-anchor': 'patterns' need 'anchors'",
        ),
        (
            HEADER + "[[rule]]\nid='sev'\nseverity='huge'\ntip='t'\nterms=['abc']\n",
            "rule 'sev': 'severity' must be one of",
        ),
        (
            HEADER + "[[rule]]\nid='typo'\nseverity='low'\ntip='t'\nterms=['abc']\npaterns=['x']\n",
            "rule 'typo': unknown key(s) paterns",
        ),
        (
            HEADER + "[[rule]]\nid='skip'\nseverity='low'\ntip='t'\nterms=['abc']\nskip=['sometimes']\n",
            "rule 'skip': 'skip' may only hold",
        ),
        (HEADER + "[[rule]]\nid='notip'\nseverity='low'\nterms=['abc']\n", "rule 'notip': 'tip' must be"),
        (HEADER, "needs at least one [[rule]]"),
    ],
)
def test_bad_rule_files_name_file_and_rule(tmp_path: Path, body: str, message: str) -> None:
    write(tmp_path, body)
    with pytest.raises(RuleError) as caught:
        load_rules(tmp_path)
    assert message in str(caught.value)
    assert "blame.toml" in str(caught.value)


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    rule = "[[rule]]\nid='same'\nseverity='low'\ntip='t'\nterms=['abc']\n"
    write(tmp_path, HEADER + rule)
    write(tmp_path, HEADER.replace('"blame"', '"dismissive"') + rule, "dismissive.toml")
    with pytest.raises(RuleError, match=r"'same' is already defined in blame\.toml"):
        load_rules(tmp_path)


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="no rule files"):
        load_rules(tmp_path)


def test_a_new_phrase_needs_no_code(tmp_path: Path) -> None:
    body = HEADER + (
        "[[rule]]\nid='not-our-circus'\nseverity='medium'\ntip='Offer a way forward.'\n"
        "patterns=['''\\bnot our circus\\b''']\nanchors=['circus']\n"
    )
    ruleset = load_rules(write(tmp_path, body))
    analysis = detect("Sorry, not our circus.", ruleset, model=None)  # the rule alone: the model may add more
    assert [f.rule for f in analysis.findings] == ["not-our-circus"]
    assert analysis.findings[0].tip == "Offer a way forward."


def test_terms_tolerate_leet_and_spacing() -> None:
    import re

    pattern = re.compile(term_pattern("pebkac"))
    for text in ("pebkac", "p e b k a c", "p.3.b.k.4.c", "p-e-b-k-a-c"):
        assert pattern.search(text), text
    for text in ("pebkac_detector", "xpebkac", "/pebkac"):
        assert not pattern.search(text), text


def test_bundled_rules_cover_every_category(rules: RuleSet) -> None:
    assert set(rules.categories) == {"disparaging", "blame", "argumentative", "dismissive"}
    assert all(rule.tip and rule.principle for rule in rules.rules)


def test_rules_check_passes_on_bundled_rules() -> None:
    result = CliRunner().invoke(cli, ["rules", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")


def test_rules_check_reports_a_broken_copy(tmp_path: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy)
    path = copy / "argumentative.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('severity = "medium"', 'severity = "mild"', 1), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["--rules", str(copy), "rules", "check"])
    assert result.exit_code == 1
    assert "argumentative.toml: rule 'as-i-said': 'severity' must be one of" in result.output
    assert "Traceback" not in result.output


def test_rules_check_reports_a_failing_example(tmp_path: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy)
    path = copy / "dismissive.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'examples = ["idk mate, no clue', 'examples = ["thanks so much, all sorted", "idk mate, no clue', 1
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--rules", str(copy), "rules", "check"])
    assert result.exit_code == 1
    assert "rule 'bare-i-dont-know': example not flagged: 'thanks so much, all sorted'" in result.output


def test_check_with_broken_rules_is_a_one_line_error(tmp_path: Path) -> None:
    write(tmp_path, "not toml [")
    result = CliRunner().invoke(cli, ["--rules", str(tmp_path), "check", "hello"])
    assert result.exit_code == 1
    assert "rules: blame.toml: not valid TOML" in result.output
    assert "Traceback" not in result.output


def test_compact_fast_path_matches_the_general_one() -> None:
    from bot.coaching.compact import COMPACT_TABLE, compact

    for text in ("p.3.b.k.4.c lol!", "i-d-1-0-t  x", "l u s e r\tz", "a@b$c|d+e", "plain words"):
        assert compact(text) == text.translate(COMPACT_TABLE)
    assert compact("ｐ e b") == "ｐeb"  # non-ASCII takes the general path


# --- word classes (prompts/vocab.toml) ------------------------------------------------

VOCAB = """[you]
items = ["you", "u"]

[past]
items = ["\\\\w{2,}ed", "broke"]
except = ["asked"]

[who]
items = ["{you}", "your team"]
"""


def _rule(pattern: str, anchors: str = "['you', 'u', 'team']") -> str:
    return HEADER + (
        f"[[rule]]\nid='frame'\nseverity='medium'\ntip='t'\npatterns=['''{pattern}''']\nanchors={anchors}\n"
    )


def test_word_classes_expand_into_patterns_with_exceptions(tmp_path: Path) -> None:
    write(tmp_path, VOCAB, "vocab.toml")
    ruleset = load_rules(write(tmp_path, _rule(r"\bbecause {who} {past}\b")))
    assert detect("it failed because u deleted the key", ruleset, model=None).flagged
    assert detect("it stopped because your team broke the hook", ruleset, model=None).flagged
    assert not detect("we called back because you asked us to", ruleset, model=None).flagged


def test_unknown_word_class_names_file_and_rule(tmp_path: Path) -> None:
    write(tmp_path, VOCAB, "vocab.toml")
    write(tmp_path, _rule(r"\b{nosuchclass} did\b"))
    with pytest.raises(RuleError, match=r"blame\.toml: rule 'frame': unknown word class \{nosuchclass\}"):
        load_rules(tmp_path)


def test_regex_quantifier_braces_are_not_word_classes(tmp_path: Path) -> None:
    write(tmp_path, VOCAB, "vocab.toml")
    ruleset = load_rules(write(tmp_path, _rule(r"\b{you}\s+(?:\w+\s+){0,2}broke\b")))
    assert detect("you really totally broke it", ruleset).flagged


def test_anchors_expand_from_word_classes(tmp_path: Path) -> None:
    write(tmp_path, VOCAB, "vocab.toml")
    ruleset = load_rules(write(tmp_path, _rule(r"\b{who} should have\b", "['{who} should have']")))
    rule = ruleset.get("frame")
    assert rule is not None
    assert {"you should have", "u should have", "your team should have"} <= rule.anchors


def test_vocab_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "[a]\nitems = ['{b}']\n[b]\nitems = ['{a}']\n", "vocab.toml")
    write(tmp_path, _rule(r"\b{a}\b"))
    with pytest.raises(RuleError, match="refers to itself"):
        load_rules(tmp_path)


def test_a_word_class_that_ends_a_pattern_ends_at_a_word_end(tmp_path: Path) -> None:
    """A class names whole words: "should not have {gadget}" is about a laptop, and must not
    match the first letters of "laptops" or "laptopbag"-style longer words."""
    write(tmp_path, VOCAB + '\n[gadget]\nitems = ["laptop", "tab"]\n', "vocab.toml")
    ruleset = load_rules(write(tmp_path, _rule(r"\bshould not have a {gadget}", "['should not have a']")))
    assert detect("honestly he should not have a laptop", ruleset, model=None).flagged
    assert detect("she should not have a tab, ever", ruleset, model=None).flagged
    assert not detect("the fee should not have a table row of its own", ruleset, model=None).flagged
    assert not detect("it should not have a laptops discount", ruleset, model=None).flagged


def test_patterns_tolerate_leet_unless_switched_off(tmp_path: Path) -> None:
    write(tmp_path, VOCAB, "vocab.toml")
    ruleset = load_rules(write(tmp_path, _rule(r"\bcalm down\b", "['calm down']")))
    assert detect("c4lm d0wn pls", ruleset, model=None).flagged
    body = _rule(r"\bcalm down\b", "['calm down']").replace("severity='medium'", "severity='medium'\nleet=false")
    assert not detect("c4lm d0wn pls", load_rules(write(tmp_path, body)), model=None).flagged


def test_leet_source_keeps_regex_syntax() -> None:
    import re

    from bot.coaching.terms import leet_source

    source = r"(?<!not )\b(?:it|this)(?P<x>'s)?\s+[a-z]{0,3}\x41 simple\b"
    rewritten = leet_source(source)
    assert re.compile(rewritten).search("th1s's ab\x41 s1mpl3")
    assert "(?<!n[o0][t7] )" in rewritten and "(?P<x>" in rewritten and "[a-z]{0,3}" in rewritten


def test_fuzzy_terms_take_one_swapped_letter() -> None:
    from bot.coaching.terms import fuzzy_variants

    assert "idoit" in fuzzy_variants("idiot")
    assert "pebakc" in fuzzy_variants("pebkac")
    assert fuzzy_variants("code") == []  # too short to guess at
    assert all(v[0] == "i" for v in fuzzy_variants("idiot"))  # the first letter stays


def test_bundled_vocab_and_context_load() -> None:
    from bot.coaching.context import load_context
    from bot.coaching.rules import load_vocab

    vocab = load_vocab()
    assert {"you", "second_person", "cause_marker", "past_verb", "third_party"} <= set(vocab.sources)
    assert "your admin" in vocab.literals["second_person"]
    assert load_context().meta.search("the bot flagged it")


# --- examples must be our own words -----------------------------------------------------


def _folded(text: str) -> str:
    return " ".join(text.lower().split())


def test_no_rule_example_is_copied_from_the_labelled_data(rules: RuleSet) -> None:
    """Examples tuned to data sentences make `rules check` prove nothing; write fresh ones."""
    import json

    from bot.dataset import DATA_DIR

    files = sorted(DATA_DIR.glob("*.jsonl"))
    assert files, f"no labelled data in {DATA_DIR}"
    texts = [
        _folded(json.loads(line)["text"])
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    copied = []
    for rule in rules.rules:
        for example in rule.examples + rule.counter_examples:
            folded = _folded(example)
            if any(folded == t or folded in t or (len(t) >= 20 and t in folded) for t in texts):
                copied.append(f"{rule.source}: {rule.id}: {example!r}")
    assert not copied, "rule examples copied from data/*.jsonl:\n" + "\n".join(copied)
