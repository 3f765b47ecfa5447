"""The editor's last pass over a draft: sentences (or clauses) of a harsh shape the detector
missed on their own ("I don't know how many ways I can say this", "stop using the old app")
are softened or dropped, each only when what is left keeps the message's numbers, names and
markup, reads cleanly and passes the rules. A noun phrase inside the harsh sentence may go
with it.
"""

from __future__ import annotations

import re

from bot.coaching import segments
from bot.coaching.editor import Editor
from bot.coaching.facts import missing
from bot.coaching.frames import framed_edits, soften
from bot.coaching.harsh import shape_of
from bot.coaching.residual import BAR, harsh_spans, harshness
from bot.coaching.splice import CLAUSE, KEEP_PREFIX, KEEP_SUFFIX, WORD, fit_case, has_content, tidy
from bot.coaching.suggestion_checks import body as body_of
from bot.coaching.suggestion_checks import stock_only


def without_harsh(editor: Editor, draft: str) -> str:
    """The draft without the sentences (or clauses) of a harsh shape the detector missed on
    their own ("I don't know how many ways I can say this", "stop using the old app"): each
    goes when what is left keeps the message's numbers, names and markup, reads cleanly and
    passes the rules. A noun phrase inside the harsh sentence may go with it."""
    hard = [f for f in editor.facts if f.kind != "phrase" and not missing([f], draft)]
    for start, end in reversed(segments.sentence_spans(draft)):
        sentence = draft[start:end]
        shape = shape_of(sentence)
        if shape is None:
            continue
        head, body, closing, trailing = _sentence_parts(sentence, start)
        clauses = [m.group(0) for m in CLAUSE.finditer(body) if m.group(0).strip()]
        kept = "".join(c for c in clauses if shape_of(c) is None).strip().rstrip(",;:\u2014\u2013 ")
        stop = body[-1] if body[-1:] in ".!" else "."  # a question whose tag went is a statement
        softened = soften(body, editor.strategies).strip()
        options = (
            [head + fit_case(head, len(head), softened) + trailing]
            if softened != body.strip() and shape_of(softened) is None
            else []
        )
        if kept and len(WORD.findall(kept)) >= 3 and shape_of(kept) is None:
            options.append(head + fit_case(head, len(head), kept.rstrip(".!?")) + stop + trailing)
        options.append(head + trailing if head or closing else "")
        stock = [
            t
            for t in editor.case.rotated(editor.strategies.stock.get(shape.category, ()), "harsh:")
            if t not in editor.used_stock
        ]
        options += [head + fit_case(head, len(head), t) + trailing for t in stock[:3]] if editor.customer else []
        for option in options:
            full = tidy(draft[:start] + option + draft[end:], editor.capital, editor.original)
            if (
                has_content(body_of(full))
                and not missing(hard, full)
                and not editor.broken(full)
                and editor.clean(full)
            ):
                draft = full
                break
    return draft


def without_residual(editor: Editor, draft: str) -> str:
    """The draft without the sentences of the agent's own words that still read harsh alone
    (bot.coaching.residual): each such sentence is softened, cut to its calm clauses, or
    dropped, the first that keeps every fact the draft holds, reads cleanly, passes the rules
    and reads calm alone. A harsh sentence that holds a fact no edit can keep stays: facts come
    first, and the scorer counts it."""
    original = editor.original
    for start, end, _value in reversed(harsh_spans(original, draft)):
        sentence = draft[start:end]
        if sentence.strip() in editor.limits:
            continue  # a limit kept on purpose: blunt alone, clean with the step that follows it
        # every fact the draft holds stays, the noun phrases of a put-down too ("use your
        # brain"): a harsh sentence no edit can calm without losing one is kept, and counted
        required = [f for f in editor.facts if not missing([f], draft)]
        was_stock = stock_only(original, editor.analysis, draft)
        head, body, closing, trailing = _sentence_parts(sentence, start)
        if not body.strip():
            continue
        stop = body[-1] if body[-1:] in ".!?" else "."
        edits: list[str] = []
        softened = soften(body, editor.strategies).strip()
        if softened != body.strip():
            edits.append(softened)
        edits += list(framed_edits(editor.strategies.frames, body, [(0, len(body))], {editor.case.category}))
        clauses = [m.group(0) for m in CLAUSE.finditer(body) if m.group(0).strip()]
        # one clause out at a time, the calmest rest first: the clause whose going calms the
        # sentence most is the put-down ("use your brain", not the fact after the dash)
        rests = []
        for index in range(len(clauses) if len(clauses) > 1 else 0):
            rest = "".join(c for i, c in enumerate(clauses) if i != index).strip().rstrip(",;:\u2014\u2013 ")
            if rest and len(WORD.findall(rest)) >= 3:
                rests.append(rest.rstrip(".!?") + stop)
        edits += sorted(rests, key=lambda rest: harshness(rest, short=True))
        options = [
            draft[:start] + head + fit_case(head, len(head), edit) + trailing + draft[end:]
            for edit in edits
            if edit and harshness(edit, short=True) < BAR and len(WORD.findall(edit)) >= 3
        ]
        drop_from = len(options)  # the options after the edits drop the sentence whole
        options.append(draft[:start] + (head + trailing if head or closing else "") + draft[end:])
        vocative = _LEAD_VOCATIVE.match(body)
        after = draft[end:].lstrip()
        if vocative and after[:1].isupper() and not after.startswith(("I ", "I'")):
            # "Mr. Reyes, <put-down>. Try the…": the name goes to the next sentence
            options.append(draft[:start] + head + vocative.group(0) + " " + after[0].lower() + after[1:])
        for index, option in enumerate(options):
            full = tidy(option, editor.capital, editor.original)
            if (
                has_content(body_of(full))
                and not missing(required, full)
                and not editor.broken(full)
                and editor.clean(full)
                and (was_stock or not stock_only(original, editor.analysis, full))
            ):
                if index >= drop_from:
                    editor.put_downs.append(sentence)
                draft = full
                break
    return draft


def step_objects(editor: Editor, draft: str) -> list[str]:
    """The noun phrases the draft gave up that a next step may name: as things ("the server
    logs", not "the server logs disagree"), and none from a put-down of the message ("your
    brain" of "use your brain")."""
    out = []
    for fact in editor.facts:
        if fact.kind != "phrase" or not missing([fact], draft):
            continue
        if any(fact.text in gone for gone in editor.put_downs):
            continue
        thing = editor.thing(fact)
        if thing and thing not in out:
            out.append(thing)
    return out


# A form of address that opens a sentence: "Mr. Reyes, ", "Sam, ".
_LEAD_VOCATIVE = re.compile(r"(?:(?:Mrs|Mr|Ms|Dr|Mx)\.?\s+)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?,")


def _sentence_parts(sentence: str, start: int) -> tuple[str, str, str, str]:
    """A sentence of a draft as (head, body, closing, trailing): the kept "sending:" label or
    greeting (first sentence only), the words an edit may change, a kept closing ("thanks!"),
    and what follows the body (that closing and the sentence's trailing space)."""
    prefix = KEEP_PREFIX.match(sentence) if start == 0 else None
    head = prefix.group(0) if prefix else ""
    body = sentence[len(head) :].rstrip()
    suffix = KEEP_SUFFIX.search(body)
    closing = suffix.group(0).strip() if suffix and suffix.start() > 0 else ""
    trailing = closing + sentence[len(sentence.rstrip()) :]
    body = body[: len(body) - len(suffix.group(0))] if suffix and closing else body
    return head, body, closing, trailing
