"""Drafting the suggestion for a flagged message: a reply under a "sending:" label rewritten
with its label kept, otherwise by audience: the agent's own sentences edited (then the harsh
pass, and a next step for a customer), a whole replacement when no edit passes, or a
reflection for team chatter and whenever nothing sendable passes the engine.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.coaching.audience import DRAFT_PREFIX, TO_COLLEAGUE, audience
from bot.coaching.editor import Editor
from bot.coaching.harsh_pass import step_objects, without_harsh, without_residual
from bot.coaching.named_things import whole_sentence
from bot.coaching.next_step import with_next_step
from bot.coaching.reflection import reflection
from bot.coaching.rewrite_case import Case
from bot.models import Analysis, Suggestion

MAX_EDIT_CHARS = 1200  # measured: about 0.25 s of editing on a dense message of this size
MAX_EDIT_FINDINGS = 60
MAX_FALLBACKS = 12  # whole replacements tried before a reflection; each costs a detector run or a few


def suggest(case: Case) -> Suggestion:
    """The suggestion for a flagged message."""
    framed = _under_prefix(case)
    if framed is not None:
        return framed
    return _rewrite(case, audience(case.text, case.analysis))


def _under_prefix(case: Case) -> Suggestion | None:
    """The draft after a "sending:" prefix rewritten as a reply to the customer, the prefix kept
    as is; None when there is no such prefix, it holds a finding itself, or nothing follows it."""
    text, analysis = case.text, case.analysis
    head = DRAFT_PREFIX.match(text)
    if (
        head is None
        or not text[head.end() :].strip()
        or TO_COLLEAGUE.match(text)
        or any(f.start < head.end() and not whole_sentence(f.rule) for f in analysis.findings)
    ):
        return None  # the label itself holds the put-down ("draft to the idiot in #4410:")
    prefix = head.group(0)
    quotes = re.sub(r"(?<=\w)['’](?=\w)", "", prefix)  # "I'm about to send to Kaveh:": an apostrophe, no quote
    if any(quotes.count(mark) % 2 for mark in ("'", '"', "`")) or quotes.count("“") != quotes.count("”"):
        return None  # the colon sits inside a quotation: it is part of the draft, not its label
    shift = head.end()
    rest = text[shift:]
    # a finding of the whole message (the learned stage) is clipped to the draft after the label
    inner = Analysis(
        text=rest,
        findings=tuple(
            replace(f, start=max(0, f.start - shift), end=f.end - shift) for f in analysis.findings if f.end > shift
        ),
        categories=analysis.categories,
        severity=analysis.severity,
        addressed_to_customer=True,
        model_score=analysis.model_score,
    )
    if not inner.findings:  # the learned stage placed its finding on the label: the draft read alone
        inner = replace(case.analysed(rest), addressed_to_customer=True)
        if not inner.findings:
            return None
    suggestion = _rewrite(replace(case, text=rest, analysis=inner), "customer")
    if suggestion is None or suggestion.kind != "rewrite":
        return None
    joined = prefix + (" " if prefix and not prefix[-1].isspace() else "") + suggestion.text
    if not case.sendable(joined):
        return None
    return Suggestion(text=joined, kind="rewrite", principles=analysis.principles)


def _rewrite(case: Case, who: str) -> Suggestion:
    """The suggestion for a flagged message whose audience is known."""
    analysis = case.analysis
    if who == "chatter":
        return Suggestion(text=reflection(case), kind="reflection", principles=analysis.principles)
    editor = Editor(case, customer=who == "customer")
    # Sentence editing re-checks the whole draft per candidate: fine for a reply, quadratic for
    # a wall of text. A live nudge must arrive within a second, so a long or dense message
    # gets the calm opener and a next step instead of an edit of every sentence.
    long_or_dense = len(case.text) > MAX_EDIT_CHARS or len(analysis.findings) > MAX_EDIT_FINDINGS
    draft = None if long_or_dense else editor.run()
    if draft is not None:
        draft = without_residual(editor, without_harsh(editor, draft))
    if draft is not None and who == "customer":
        draft = with_next_step(case, draft, step_objects(editor, draft), avoid=editor.named_in(draft))
    if draft is None or not case.sendable(draft):  # the whole engine, learned stage included, has the last word
        draft = _first_sendable(editor, case, customer=who == "customer")
        if draft is None:  # nothing sendable passes: a question, never a flagged text
            return Suggestion(text=reflection(case), kind="reflection", principles=analysis.principles)
    return Suggestion(text=draft, kind="rewrite", principles=analysis.principles)


def _first_sendable(editor: Editor, case: Case, customer: bool) -> str | None:
    """The first whole replacement that, with its next step, the full engine passes."""
    for index, (candidate, named) in enumerate(editor.fallbacks()):
        if index >= MAX_FALLBACKS:
            break
        if customer:
            candidate = with_next_step(case, candidate, [], avoid=named)
        if case.sendable(candidate):
            return candidate
    return None
