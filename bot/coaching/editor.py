"""The sentence editor: each flagged sentence of a message goes through candidate edits, best
first (the frames and softening of prompts/rewrites.toml, the point after a colon, dropping the
clause, removing the phrase, the rule file's own swap, and last of all an opener or a stock
sentence), and the first that keeps the message's facts, reads cleanly and passes the rules
wins. When nothing of the draft can be kept, ``fallbacks`` offers whole replacements.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from bot.coaching import segments
from bot.coaching.facts import STATED_LIMIT, STATED_ROUTE, Fact, extract, missing
from bot.coaching.frames import clause_cuts, framed_edits, soften
from bot.coaching.named_things import objects_named, thing_named, whole_sentence
from bot.coaching.rewrite_case import Case
from bot.coaching.splice import (
    KEEP_PREFIX,
    KEEP_SUFFIX,
    WORD,
    drop_clauses,
    fit_case,
    has_content,
    remove_spans,
    splice,
    tidy,
)
from bot.coaching.suggestion_checks import PROMISE, defects, hollow
from bot.coaching.suggestion_checks import body as body_of
from bot.models import Analysis, Finding

_MAX_PASSES = 3
_LIMIT_WORDS = 5  # a brush-off this long states something ("No." or "Not my problem." does not)

# The colon that announces a sentence's point: one before a space, not the colon of "06:40".
_POINT_COLON = re.compile(r":\s")


class Editor:
    """Edits one message sentence by sentence, checking every candidate against the original."""

    def __init__(self, case: Case, customer: bool) -> None:
        self.case = case
        self.original = text = case.text
        self.analysis = analysis = case.analysis
        self.rules = case.rules
        self.strategies = case.strategies
        self.customer = customer
        self.facts: list[Fact] = extract(text, analysis)
        self.objects = objects_named(text, analysis, case.rules)
        self.used_stock: set[str] = set()
        self.put_downs: list[str] = []  # sentences the harsh passes dropped whole
        self._probe_step = next(iter(case.strategies.steps.get("generic", ())), "")
        self._limit_candidates: set[str] = set()
        self.limits: set[str] = set()  # brush-off sentences kept as the agent's stated limit
        first = text.lstrip()[:1]
        self.capital = not first.isalpha() or first.isupper()

    def run(self) -> str | None:
        """The message with every flagged sentence edited, or None when no edit clears it."""
        draft, current = self.original, self.analysis
        for _ in range(_MAX_PASSES):
            draft = self._pass(draft, current)
            current = self.case.rules_only(draft)
            if not current.flagged:
                return draft
            if self.limits and self.clean(draft):
                return draft  # what still reads as a brush-off is a kept limit: the next step answers it
        return None

    def clean(self, draft: str) -> bool:
        """Do the rules pass the draft? With a limit kept, as it will be sent: with a step after it."""
        if not self.case.rules_only(draft).flagged:
            return True
        return bool(self.limits) and not self.case.rules_only(draft.rstrip() + " " + self._probe_step).flagged

    def broken(self, draft: str) -> list[str]:
        """What reads broken in a draft of a reply and not in the message. A reply may end on a
        bare condition ("If the courier left it at the wrong door."): its next step completes it."""
        return defects(self.original, draft, open_condition=self.customer)

    def lost_phrases(self, draft: str) -> list[str]:
        """The message's noun phrases ``draft`` no longer holds (a next step can name one)."""
        return [f.text for f in missing(self.facts, draft) if f.kind == "phrase"]

    def thing(self, fact: Fact) -> str:
        """The fact's noun phrase as a thing a step can name, or "" (bot.coaching.named_things)."""
        return thing_named(self.original, fact)

    def fallbacks(self) -> Iterator[tuple[str, str]]:
        """Nothing of the draft could be kept: whole replacements, best first, each with the
        object its opener names (or ""). A reply gets its greeting, then an opener about the
        thing the customer mentioned or a stock sentence of the category, in an order the
        message picks; the caller adds the step and has the detector judge the whole. A note
        to colleagues gets no customer-facing sentence: only the note minus the put-down."""
        if not self.customer:
            note = self.original
            for finding in sorted(self.analysis.findings, key=lambda f: f.start, reverse=True):
                note = splice(note, finding.start, finding.end, "")
            note = re.sub(r"(?<!\w)['\"“‘]\s*(?:\w+\s*){0,2}['\"”’](?!\w)", "", note)
            note = tidy(soften(note, self.strategies), self.capital, self.original)
            if has_content(note) and not self.case.rules_only(note).flagged and not defects(self.original, note):
                yield note, ""
            return
        category = self.case.category
        prefix = KEEP_PREFIX.match(self.original)
        head = prefix.group(0) if prefix else ""
        tail_match = KEEP_SUFFIX.search(self.original)
        tail = tail_match.group(0).strip() if tail_match and tail_match.start() > len(head) else ""
        choices = [
            *self._openers(category),
            *((s, "") for s in self.case.rotated(self.strategies.stock.get(category, ()), "stock:")),
        ]
        choices.append((self.rules.categories[category].fallback, ""))
        for sentence, named in choices:
            # the greeting and closing mark kept when they read cleanly (a macro's opening fence
            # without its closing one does not), else the sentence alone
            joint = " " if head[-1:] in ".!?" else ""  # "Hi James." then the sentence
            whole = head + joint + fit_case(head, len(head), sentence) + tail
            for candidate in (tidy(whole, self.capital, self.original), sentence):
                if (
                    not self.case.rules_only(candidate).flagged
                    and not hollow(candidate)
                    and not defects(self.original, candidate)
                ):
                    yield candidate, named
                    break

    def named_in(self, draft: str) -> str:
        """The object an opener of ours names in ``draft`` (so the step names something else), or ""."""
        category = self.case.category
        return next(
            (thing for sentence, thing in self._openers(category) if sentence.rstrip(".").lower() in draft.lower()), ""
        )

    def _openers(self, category: str) -> list[tuple[str, str]]:
        """The category's openers about the first thing the message names, in the message's order."""
        if not self.objects:
            return []
        thing = self.objects[0]
        return [
            (template.replace("{object}", thing), thing)
            for template in self.case.rotated(self.strategies.openers.get(category, ()), "open:")
        ]

    def _pass(self, draft: str, analysis: Analysis) -> str:
        findings = []
        for finding in analysis.findings:
            # a match that starts on the previous sentence's full stop (". Had you read") belongs
            # to the sentence it reads into
            lead = re.match(r"[\s.!?,;:]+", draft[finding.start : finding.end])
            if lead and lead.end() < finding.end - finding.start:
                finding = replace(finding, start=finding.start + lead.end())
            findings.append(finding)
        sentences = _joined_over(segments.sentence_spans(draft), findings)
        by_sentence: dict[int, list[Finding]] = {}
        for finding in findings:
            index = next((i for i, (s, e) in enumerate(sentences) if s <= finding.start < e), len(sentences) - 1)
            by_sentence.setdefault(index, []).append(finding)
        required = [f for f in self.facts if not missing([f], draft)]
        for index in sorted(by_sentence, reverse=True):
            start, end = sentences[index]
            draft = self._edit_sentence(draft, start, end, by_sentence[index], required)
        return tidy(draft, self.capital, self.original)

    def _edit_sentence(self, draft: str, start: int, end: int, findings: list[Finding], required: list[Fact]) -> str:
        best: tuple[tuple[int, int], str] | None = None
        original_start = _FRAGMENT.match(_strip_prefix(draft[start:end], start))
        # a stated limit kept for a customer is judged with a step after it, as it will be sent
        keeps_limit = self._keeps_limit(findings)
        for candidate in self._candidates(draft, start, end, findings):
            if not original_start and _FRAGMENT.match(_strip_prefix(candidate, start)):
                continue  # "from the error message what's wrong": a clause cut off its subject
            full = tidy(draft[:start] + candidate + draft[end:], self.capital, self.original)
            if not has_content(full):
                continue
            lost = len(missing(required, full))
            broken = self.broken(full)
            probe = full.rstrip() + " " + self._probe_step if keeps_limit else full
            reflagged = self._still_flagged(probe, candidate)
            if not lost and not broken and not reflagged:
                if candidate in self._limit_candidates:
                    self.limits.add(candidate.strip())
                return draft[:start] + candidate + draft[end:]
            if not reflagged and not broken and (best is None or (lost, 0) < best[0]):
                best = ((lost, 0), draft[:start] + candidate + draft[end:])
        return best[1] if best else draft

    def _keeps_limit(self, findings: list[Finding]) -> bool:
        """Is the sentence only a brush-off in a reply? Then the sentence itself may stay: the
        labelling rules count a limit with an option or a follow-up as clean, and the next step
        supplies that, so the agent's own answer ("we can't change the address once it's
        dispatched") is kept instead of swapped for stock text."""
        # a word softening removes does not count ("obviously the pass can't be refunded")
        softened = {f.match for f in findings if f.match and not WORD.search(soften(f.match, self.strategies))}
        return (
            self.customer
            and bool(self._probe_step)
            and any(f.category == "dismissive" for f in findings)
            and all(f.category == "dismissive" or f.match in softened for f in findings)
        )

    def _still_flagged(self, full: str, candidate: str) -> bool:
        """Does the detector still find something in the edited sentence (or anything new)?"""
        found = self.case.rules_only(full)
        return any(f.match and f.match in candidate for f in found.findings) or (
            len(found.findings) > len(self.analysis.findings)
        )

    def _candidates(self, draft: str, start: int, end: int, findings: list[Finding]) -> Iterator[str]:
        """Edits of one sentence, best first."""
        sentence = draft[start:end]
        body = sentence.rstrip()
        trailing = sentence[len(body) :]
        local = [(max(0, f.start - start), min(len(body), f.end - start)) for f in findings]
        categories = {f.category for f in findings}
        seen: set[str] = set()

        def fresh(candidate: str) -> bool:
            if candidate in seen or candidate == sentence:
                return False
            seen.add(candidate)
            return True

        if (
            self._keeps_limit(findings)
            and _states_limit(body, local)
            and not self.case.flagged(soften(_strip_prefix(body, start), self.strategies) + " " + self._probe_step)
        ):  # the whole engine reads the limit with a step as clean ("... and that's the end of it" is not)
            kept = soften(body, self.strategies)
            seen.add(kept + trailing)
            self._limit_candidates.add(kept + trailing)
            yield kept + trailing  # the limit as the agent put it (softened), the step added later
        head = KEEP_PREFIX.match(body) if start == 0 else None
        lead = head.group(0) if head else ""
        core = body[len(lead) :]
        whole = any(whole_sentence(f.rule) for f in findings)
        if whole:
            # the learned stage flags the sentence whole: the harsh lead-in or tail is cut first
            # ("Let me spell this out for you: the charger is USB-C"), the answer kept
            closing = KEEP_SUFFIX.search(core)  # a closing quote mark stays after the cut
            close = closing.group(0) if closing and closing.start() > 0 else ""
            for cut in clause_cuts(core[: len(core) - len(close)]):
                candidate = lead + fit_case(lead, len(lead), cut) + close + trailing
                if fresh(candidate):
                    yield candidate
        framed = framed_edits(self.strategies.frames, body, local, categories)
        for edited in framed:
            for candidate in (soften(edited, self.strategies) + trailing, edited + trailing):
                if fresh(candidate):
                    yield candidate
        announced = _POINT_COLON.split(core) if whole else []
        if len(announced) > 1:
            # "I'll spell it out since nothing landed: restart the modem": the point is after the
            # colon (one before a space: not the colon of "06:40")
            point = announced[-1].strip()
            if len(WORD.findall(point)) >= 3 and not point.startswith(("//", "/")):
                candidate = lead + fit_case(lead, len(lead), point) + trailing
                if fresh(candidate):
                    yield candidate
        dropped = drop_clauses(body, local)
        if dropped is not None:
            for candidate in (soften(dropped, self.strategies) + trailing, dropped + trailing):
                if fresh(candidate):
                    yield candidate
        softened = soften(body, self.strategies)
        if softened != body and fresh(softened + trailing):
            yield softened + trailing
        if all(len(body[a:b].split()) <= 2 for a, b in local):
            removed = remove_spans(body, local)
            for candidate in (soften(removed, self.strategies) + trailing, removed + trailing):
                if fresh(candidate) and len(WORD.findall(removed)) >= 3:
                    yield candidate
        swapped = self._rule_swap(body, start, findings)
        if swapped is not None and fresh(swapped + trailing):
            yield swapped + trailing
        prefix_match = KEEP_PREFIX.match(body) if start == 0 else None
        prefix = prefix_match.group(0) if prefix_match else ""
        suffix_match = KEEP_SUFFIX.search(body)
        suffix = suffix_match.group(0) if suffix_match and suffix_match.start() > len(prefix) else ""
        trailing = suffix + trailing
        leading = body[: len(body) - len(body.lstrip())]
        outside = body_of(draft[:start] + " " + draft[end:])
        if len(WORD.findall(outside)) >= 3 and fresh(prefix or leading):
            yield prefix or leading
        if not self.customer:
            return
        # Last resorts: an opener about the thing the message names, then the rule files' own
        # sentences and the category's stock ones, each in a per-message order so that a hundred
        # "calm down"s do not all get the same words.
        own: list[str] = []
        for finding in findings:
            rule = self.rules.get(finding.rule)
            sentence_text = rule.rewrite_sentence if rule is not None else None
            if sentence_text and not hollow(sentence_text) and not PROMISE.search(sentence_text):
                own.append(sentence_text)
        category = self.case.category
        stock = [s for s in self.strategies.stock.get(category, ()) if s not in self.used_stock]
        vocative = _VOCATIVE.search(body)
        openers = [sentence for sentence, _ in self._openers(category) if sentence not in self.used_stock]
        choices = openers + self.case.rotated(own + stock, "stock:")
        if choices:
            for choice in choices:
                if vocative and vocative.start() >= len(prefix):  # "..., Mrs Park." keeps the name
                    choice = choice.rstrip(".!") + vocative.group(1) + (choice[-1] if choice[-1] in ".!" else ".")
                candidate = prefix + fit_case(prefix, len(prefix), choice) + trailing
                if fresh(candidate):
                    self.used_stock.add(choice)
                    yield candidate

    def _rule_swap(self, body: str, start: int, findings: list[Finding]) -> str | None:
        """The rule files' phrase swap (``rewrite = "..."``), kept as a later fallback."""
        edited = body
        for finding in sorted(findings, key=lambda f: f.start, reverse=True):
            rule = self.rules.get(finding.rule)
            if rule is None or rule.rewrite is None:
                return None
            a, b = max(0, finding.start - start), min(len(edited), finding.end - start)
            replacement = fit_case(edited, a, rule.rewrite.strip())
            if re.search(r"\b(?:a|an|the|this|that)\s+(?:\w+\s+)?$", edited[:a], re.IGNORECASE):
                replacement = re.sub(r"^(?:a|an)\s+", "", replacement, flags=re.IGNORECASE)
            edited = splice(edited, a, b, replacement)
            edited = re.sub(r"\b([Aa])n(\s+)(?=[b-df-hj-np-tv-z])", r"\1\2", edited)
            edited = re.sub(r"\b([Aa])(\s+)(?=[aeio])", r"\1n\2", edited)
        return edited if len(WORD.findall(edited)) >= 3 else None


# A name the sentence is addressed to, at its end: ", Mrs Park." / ", Sam!"
_VOCATIVE = re.compile(r"(,\s*(?:(?:Mrs|Mr|Ms|Dr|Mx)\.?\s+)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)\s*[.!?]*['\"_*`”’]*\s*$")

# How a sentence starts when a drop cut off its subject or verb.
_FRAGMENT = re.compile(r"\W*(?:from|like|of|than|by|with|in my|on my|as|to|because|since|which|who)\b", re.IGNORECASE)


def _states_limit(body: str, local: list[tuple[int, int]]) -> bool:
    """Does the sentence state a limit about a thing, and is that what every finding in it
    found? "The rate is non-refundable; rules are rules" is not kept whole: its brush-off is
    a phrase of its own, which the clause edits drop."""
    if len(WORD.findall(body)) < _LIMIT_WORDS:
        return False
    limits = [m.span() for pattern in (STATED_LIMIT, STATED_ROUTE) for m in pattern.finditer(body)]
    return bool(limits) and all(any(a < y and x < b for x, y in limits) for a, b in local)


def _joined_over(sentences: list[tuple[int, int]], findings: list[Finding]) -> list[tuple[int, int]]:
    """The sentence spans with those a finding runs across joined into one ("we can't change
    it once it's dispatched. full stop"): an edit of the first alone leaves the match standing."""
    joined: list[tuple[int, int]] = []
    for start, end in sentences:
        if joined and any(f.start < joined[-1][1] <= start < f.end for f in findings):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _strip_prefix(sentence: str, start: int) -> str:
    """The sentence without its greeting or "sending:" opener (only the message's first one has them)."""
    if start:
        return sentence
    prefix = KEEP_PREFIX.match(sentence)
    return sentence[prefix.end() :] if prefix else sentence
