"""Property-based: detect never raises, and its output stays bounded and consistent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coaching.detect import MAX_FINDINGS_PER_RULE, detect
from bot.coaching.rewrite import rewrite
from bot.coaching.rules import default_rules
from bot.coaching.text import normalize

RULES = default_rules()
# fmt: off
TRICKY = st.sampled_from(
    ["\u200b", "\u00ad", "ＰＥＢＫＡＣ", "К", "а", "<@U1>", "&gt;", "```", "`", "'", '"', ">", "\n",
     "calm down", "as I said", "idiot", "layer 8", " ", ".", "1", "0", "İ", "ﬁ", "🙃", "\ud7ff"]
)
# fmt: on
MESSAGES = st.lists(st.one_of(st.text(max_size=20), TRICKY), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MESSAGES)
def test_detect_never_raises_and_spans_are_real(text: str) -> None:
    analysis = detect(text, RULES)
    assert len(analysis.findings) <= MAX_FINDINGS_PER_RULE * len(RULES.rules)
    for finding in analysis.findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.match
    assert analysis.flagged == bool(analysis.categories)


@settings(max_examples=150, deadline=None)
@given(MESSAGES)
def test_rewrite_never_raises_and_is_never_flagged(text: str) -> None:
    suggestion = rewrite(text, None, RULES)
    if suggestion is not None:
        assert suggestion.text.strip()
        assert not detect(suggestion.text, RULES).flagged


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_offsets_map_inside_the_original(text: str) -> None:
    normalized = normalize(text)
    for start in range(len(normalized.text)):
        o_start, o_end = normalized.to_original(start, start + 1)
        assert 0 <= o_start < o_end <= len(text)
