"""Harshness left in a rewrite, sentence by sentence: the learned model reads each sentence of the
agent's own words alone, so a put-down the rest of the message dilutes is still seen.

The detector judges the whole rewrite, where one harsh sentence among four calm ones can pass
("There's really nothing more for us to say about it." after a fact and before a next step).
A reader sees that sentence at once. So each sentence of a candidate that came from the
agent's message (not a sentence the rewriter wrote) is scored on its own by the bundled model,
and the rules' harsh shapes (bot.coaching.harsh) count too. A sentence above ``BAR`` is harsh:
the rewriter drops or edits that sentence, and the scorer counts the rewrites that keep one.

``BAR`` was read off the train split: of the 4,573 sentences (4 words or more) of 2,500 clean
messages, 15.6% score above 0.5, 6.4% above 0.8 and 3.6% above 0.9; of the sentences holding a
rule's finding in 1,500 flagged messages, 98.8%, 95.2% and 87.9%. The model reads a bare
negative fact ("the hotel is non-refundable") as blunt, so at 0.5 a sixth of neutral sentences
would go; 0.9 keeps false alarms near one sentence in thirty while catching most put-downs.
Sentences of fewer than four words ("Hi Tariq.", "Thanks!") are not judged: the model has too
little to read in them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.coaching import segments
from bot.coaching.harsh import harsh_sentences, shape_of
from bot.coaching.model import default_model, tokens_of
from bot.coaching.splice import KEEP_PREFIX, KEEP_SUFFIX
from bot.coaching.text import normalize

BAR = 0.9
MIN_WORDS = 4
OWN_SHARE = 0.75  # a sentence is the agent's own when this share of its words is in the message

_WORD = re.compile(r"[a-z0-9][a-z0-9'’-]*")


def _plain(sentence: str, first: bool) -> str:
    """The sentence without a "sending:" label or greeting (the first sentence only) and its quote marks."""
    if first:
        head = KEEP_PREFIX.match(sentence)
        sentence = sentence[head.end() :] if head else sentence
    tail = KEEP_SUFFIX.search(sentence)
    sentence = sentence[: tail.start()] if tail else sentence
    return sentence.strip().strip("'\"“”‘’_*`>()").strip()


@lru_cache(maxsize=20_000)
def model_score(sentence: str, short: bool = False) -> float:
    """The bundled model's flag probability for one sentence read alone; 0.0 under ``MIN_WORDS``
    words unless ``short`` (an edit's result is judged however short it is)."""
    model = default_model()
    if model is None or (not short and len(_WORD.findall(sentence.lower())) < MIN_WORDS):
        return 0.0  # a package without a model: the rules' harsh shapes alone judge
    return model.flag_score(tokens_of(normalize(sentence).text))


def harshness(sentence: str, first: bool = False, short: bool = False) -> float:
    """How harsh one sentence reads alone: the model's score, or 1.0 for a rule's harsh shape."""
    plain = _plain(sentence, first)
    if shape_of(plain) is not None:
        return 1.0
    return model_score(plain, short)


def is_own(sentence: str, original: str | frozenset[str]) -> bool:
    """Did the sentence come from the agent's message (most of its words are the message's)?
    ``original`` may be the message's words already read (``message_words``)."""
    words = _WORD.findall(sentence.lower())
    if not words:
        return False
    source = original if isinstance(original, frozenset) else message_words(original)
    return sum(1 for w in words if w in source) >= OWN_SHARE * len(words)


def message_words(original: str) -> frozenset[str]:
    return frozenset(_WORD.findall(original.lower()))


def harsh_spans(original: str, text: str, bar: float = BAR) -> list[tuple[int, int, float]]:
    """The sentences of ``text`` from the agent's own words that read harsh alone: (start, end, score)."""
    out = []
    source = message_words(original)  # read once, not per sentence
    for start, end in segments.sentence_spans(text):
        sentence = text[start:end]
        plain = _plain(sentence, start == 0)
        if not plain or not is_own(plain, source):
            continue
        value = harshness(sentence, start == 0)
        if value >= bar:
            out.append((start, end, value))
    return out


def harsh_own_sentences(original: str, text: str, bar: float = BAR) -> list[str]:
    """The harsh sentences of ``text`` (see ``harsh_spans``), as text, for the scorer."""
    return [text[s:e].strip() for s, e, _ in harsh_spans(original, text, bar)]


def shaped_sentences(text: str) -> list[str]:
    """The sentences of ``text`` with a rule's harsh shape, for the scorer: one import for both
    counts keeps ``rewrite_eval`` within the per-module import limit (tests/test_import_fanout.py)."""
    return harsh_sentences(text)
