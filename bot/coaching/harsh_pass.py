"""The editor's last pass over a draft: sentences (or clauses) of a harsh shape the detector
missed on their own ("I don't know how many ways I can say this", "stop using the old app")
are softened or dropped, each only when what is left keeps the message's numbers, names and
markup, reads cleanly and passes the rules. A noun phrase inside the harsh sentence may go
with it.
"""

from __future__ import annotations

from bot.coaching import segments
from bot.coaching.editor import Editor
from bot.coaching.facts import missing
from bot.coaching.frames import soften
from bot.coaching.harsh import shape_of
from bot.coaching.splice import CLAUSE, KEEP_PREFIX, KEEP_SUFFIX, WORD, fit_case, has_content, tidy
from bot.coaching.suggestion_checks import body as body_of
from bot.coaching.suggestion_checks import defects


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
        prefix = KEEP_PREFIX.match(sentence) if start == 0 else None
        head = prefix.group(0) if prefix else ""
        body = sentence[len(head) :].rstrip()
        suffix = KEEP_SUFFIX.search(body)
        closing = suffix.group(0).strip() if suffix and suffix.start() > 0 else ""
        trailing = closing + sentence[len(sentence.rstrip()) :]
        body = body[: len(body) - len(suffix.group(0))] if suffix and closing else body
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
                and not defects(editor.original, full)
                and not editor.case.rules_only(full).flagged
            ):
                draft = full
                break
    return draft
