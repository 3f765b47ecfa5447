"""Rule files: bad ones fail with the file and rule named, never with a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.detect import detect
from bot.rules import RULES_DIR, RuleError, RuleSet, load_rules, term_pattern

HEADER = '''category = "blame"
principle = "Focus on the solution."
next_step = "I'll check and reply today."
reflection = "What would help?"
fallback = "Let's sort it out."
'''


def write(folder: Path, body: str, name: str = "blame.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("category = 'blame'\n[[rule]\n", "blame.toml: not valid TOML"),
        (HEADER.replace('"blame"', '"rudeness"') + "[[rule]]\nid='x1'\n", "'category' must be one of"),
        (HEADER + "[[rule]]\nid='bad-re'\nseverity='low'\ntip='t'\npatterns=['(unclosed']\nanchors=['a']\n",
         "rule 'bad-re': invalid regular expression"),
        (HEADER + "[[rule]]\nid='no-anchor'\nseverity='low'\ntip='t'\npatterns=['abc']\n",
         "rule 'no-anchor': 'patterns' need 'anchors'"),
        (HEADER + "[[rule]]\nid='sev'\nseverity='huge'\ntip='t'\nterms=['abc']\n",
         "rule 'sev': 'severity' must be one of"),
        (HEADER + "[[rule]]\nid='typo'\nseverity='low'\ntip='t'\nterms=['abc']\npaterns=['x']\n",
         "rule 'typo': unknown key(s) paterns"),
        (HEADER + "[[rule]]\nid='skip'\nseverity='low'\ntip='t'\nterms=['abc']\nskip=['sometimes']\n",
         "rule 'skip': 'skip' may only hold"),
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
    analysis = detect("Sorry, not our circus.", ruleset)
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
    path.write_text(path.read_text(encoding="utf-8").replace('severity = "medium"', 'severity = "mild"', 1),
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["--rules", str(copy), "rules", "check"])
    assert result.exit_code == 1
    assert "argumentative.toml: rule 'as-i-said': 'severity' must be one of" in result.output
    assert "Traceback" not in result.output


def test_rules_check_reports_a_failing_example(tmp_path: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy)
    path = copy / "dismissive.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'examples = ["idk man"', 'examples = ["thanks so much, all sorted", "idk man"', 1), encoding="utf-8")
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
    from bot.rules import COMPACT_TABLE, compact

    for text in ("p.3.b.k.4.c lol!", "i-d-1-0-t  x", "l u s e r\tz", "a@b$c|d+e", "plain words"):
        assert compact(text) == text.translate(COMPACT_TABLE)
    assert compact("ｐ e b") == "ｐeb"  # non-ASCII takes the general path
