"""The learned second stage: a small linear model for harsh wording no rule anticipates.

Rules are precise and explainable but only know the frames someone wrote down; people find
new ways to blame or brush off a customer every day. A linear model catches much of that. It
reads two views of the author's own words: character 2-5-grams inside each word (so typos,
leetspeak leftovers and new inflections still share features with known words) and word 1-2-
grams. Each view is weighted by inverse document frequency and normalised to unit length,
TF-IDF style: cross-validated, character grams add about 0.1 F1 over words alone at the same
false-alarm rate on real replies. The weights are data (``prompts/model/coach-model.json.gz``),
written by ``support-coach train``.

It must cost little on every message, in pure Python. A word's character grams always add up
to the same two sums (weighted and squared idf), so they are computed once per distinct word
and cached; a message then costs one dictionary lookup per word and per word pair. The
trainer counts the same occurrences and normalises the same way, so both agree exactly.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, reduce
from operator import add, itemgetter
from pathlib import Path

from bot.coaching.lazy import BoundedMemo
from bot.coaching.word_classes import WordClasses
from bot.models import CATEGORIES
from bot.prompts import PROMPTS_DIR, RuleError

FEATURE_VERSION = 7
# Severity outputs: is a flagged message low, or high? Trained on flagged messages only, so they
# say how harsh, given harsh; medium is neither.
SEVERITY_OUTPUTS: tuple[str, ...] = ("low", "high")
OUTPUTS: tuple[str, ...] = ("flag", *CATEGORIES, *SEVERITY_OUTPUTS)

MODEL_DIR = PROMPTS_DIR / "model"
MODEL_FILE = MODEL_DIR / "coach-model.json.gz"

MAX_TOKENS = 400  # a pasted log adds nothing a person wrote; bound the cost of long messages
CHAR_PREFIX = "#"  # marks a character-gram feature; "#" never occurs in a token
CHAR_SIZES = range(2, 6)  # character 2- to 5-grams of " word " (the spaces mark its ends)
MAX_GRAM_WORD = 24  # longer tokens get no character grams (English words are shorter)
MAX_CACHED_WORDS = 50_000  # distinct words remembered; the cache is emptied when full
MAX_SCORED_WORDS = 4_096  # words whose per-output terms are remembered (scores() runs on few messages)
MAX_SCORED_FEATURES = 16_384  # features (grams, words, pairs) whose per-output terms are remembered

# Letters and digits stay, apostrophes go ("don't" -> "dont"), everything else splits words.
_WORD_CHARS = set(string.ascii_lowercase + string.digits)
_ASCII_TABLE = bytes.maketrans(bytes(range(128)), bytes(c if chr(c) in _WORD_CHARS else 32 for c in range(128)))


class ModelError(ValueError):
    """The model file is missing, unreadable or from another feature version."""


def _all_tokens(text: str) -> list[str]:
    # UTF-8 never uses an ASCII byte inside a multi-byte character, so translating the bytes
    # changes exactly the ASCII characters, several times faster than str.translate.
    return text.encode("utf-8", "surrogatepass").translate(_ASCII_TABLE, b"'").decode("utf-8", "surrogatepass").split()


_TOKEN_CHUNK = 4096  # characters tokenised at a time in a long text


def tokens_of(text: str) -> list[str]:
    """Word tokens of a normalised (lower-case) text, bounded for very long messages.

    A long text is tokenised a growing prefix at a time, so a 40,000-character paste costs
    what its first MAX_TOKENS words cost: once a prefix holds more than MAX_TOKENS tokens,
    a separator follows the last one kept, so those are whole tokens of the full text.
    """
    size = _TOKEN_CHUNK
    while size < len(text):
        tokens = _all_tokens(text[:size])
        if len(tokens) > MAX_TOKENS:
            return tokens[:MAX_TOKENS]
        size *= 4
    return _all_tokens(text)[:MAX_TOKENS]


# The same tokens with their place in the text: runs of ASCII letters and digits (apostrophes
# inside, dropped from the token) or of non-ASCII non-space characters, as tokens_of splits.
_TOKEN_SPAN = re.compile(r"(?:[a-z0-9']|[^\x00-\x7f\s])+")


def token_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """(token, start, end) for each token of text[start:end], as tokens_of makes them."""
    found = _TOKEN_SPAN.finditer(text, start, len(text) if end is None else end)
    return [(token, m.start(), m.end()) for m in found if (token := m.group().replace("'", ""))]


def char_grams(token: str) -> list[str]:
    """The character-gram features of one word: 2- to 5-grams of " word ", marked with "#".

    None for a token longer than any word (a hash, a key, a run of filler): its dozens of
    repeated grams would outweigh every real word of the message in the character view."""
    if len(token) > MAX_GRAM_WORD:
        return []
    padded = f" {token} "
    length = len(padded)
    return [CHAR_PREFIX + padded[i : i + n] for n in CHAR_SIZES for i in range(length - n + 1)]


def word_grams(tokens: list[str]) -> list[str]:
    """The word features: every word and every pair of neighbouring words."""
    return [*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))]


def is_char_feature(feature: str) -> bool:
    return feature.startswith(CHAR_PREFIX)


def feature_counts(tokens: list[str], classes: WordClasses | None = None) -> Counter[str]:
    """Occurrences of every feature of a message, both views, as the trainer sees them: words,
    word pairs and (with ``classes``) the class-read grams, then each word's character grams."""
    counts = Counter(word_grams(tokens))
    if classes is not None:
        counts.update(classes.grams(tokens))
    for token in tokens:
        counts.update(char_grams(token))
    return counts


Row = tuple[float, ...]
_WordSums = tuple[float, float, float, float, "dict[str, tuple[float, float]]"]  # see _word_sums
_Terms = tuple[float, "Row | None"]  # see _terms
_WordTerms = tuple[tuple[float, ...], tuple[tuple[float, ...], ...]]  # see _word_terms


_NO_PAIRS: dict[str, tuple[float, float]] = {}  # the pairs a word starts when it starts none
_FIRST, _SECOND, _THIRD, _FOURTH, _FIFTH = map(itemgetter, range(5))


def _added(values: Iterable[float]) -> float:
    """The values added one by one from 0.0, in order: the trainer's running total, to the
    last bit (``sum`` may compensate rounding on newer Pythons)."""
    return reduce(add, values, 0.0)


def _columns(rows: list[Row]) -> tuple[tuple[float, ...], ...]:
    """Rows of one value per output, as one column per output."""
    return tuple(zip(*rows, strict=True)) if rows else ((),) * len(OUTPUTS)


@dataclass(frozen=True)
class LearnedModel:
    """Weights per feature for each output, every feature's idf, the biases and thresholds.

    ``idf`` holds the whole vocabulary, weighted or not: a view's length normalisation sums
    over all its known features, so a feature with no weight still makes the others count less.
    """

    weights: dict[str, Row]
    bias: Row
    thresholds: dict[str, float]
    meta: dict[str, object] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    word_classes: WordClasses | None = None  # the class-read view's classes, as trained (None: no such view)
    _push_cache: dict[tuple[str, str], float] = field(default_factory=dict, compare=False, repr=False)

    def _idf(self, feature: str) -> float:
        return self.idf.get(feature, 1.0) if self.idf else 1.0

    @cached_property
    def _flag_rows(self) -> dict[str, tuple[float, float]]:
        """Per known feature: (flag weight x idf, idf squared), the two sums' terms."""
        unweighted: dict[float, tuple[float, float]] = {}  # few distinct idfs: share their rows
        rows = {f: unweighted.setdefault(v, (0.0, v * v)) for f, v in self.idf.items()}
        for f, row in self.weights.items():
            rows[f] = (row[0] * self._idf(f), self._idf(f) ** 2)
        return rows

    @cached_property
    def _pair_rows(self) -> dict[str, dict[str, tuple[float, float]]]:
        """The word-pair rows of ``_flag_rows`` by first word, then second ("a b" -> [a][b]):
        a pair costs a lookup of two words already hashed, not a join and a new hash."""
        pairs: dict[str, dict[str, tuple[float, float]]] = {}
        for feature, row in self._flag_rows.items():
            if not is_char_feature(feature) and " " in feature:
                first, second = feature.split(" ", 1)
                pairs.setdefault(first, {})[second] = row
        return pairs

    @cached_property
    def _word_sums(self) -> BoundedMemo[_WordSums]:
        """Per word, remembered (words repeat, messages vary): its terms of the four flag sums
        (its character grams' weighted and squared, then its own as a word) and the pairs it
        starts (an empty dict for none, so pairs are looked up with no test per word)."""
        rows = self._flag_rows
        pair_rows = self._pair_rows

        def compute(token: str) -> _WordSums:
            grams = [row for row in map(rows.get, char_grams(token)) if row is not None]
            own = rows.get(token, (0.0, 0.0))
            return (
                _added(row[0] for row in grams),
                _added(row[1] for row in grams),
                own[0],
                own[1],
                pair_rows.get(token, _NO_PAIRS),
            )

        return BoundedMemo(compute, MAX_CACHED_WORDS)

    def flag_score(self, tokens: list[str], class_grams: list[str] | None = None) -> float:
        """Probability that the message should be flagged: a lookup per word and word pair.

        The word view adds every word's terms, then every pair's, then the class grams', in
        order: the trainer's sums, to the last bit (the pairs are looked up from the first
        word's row). Each sum is one C-level ``reduce`` over mapped rows, not a Python loop
        per word. ``class_grams``: ``word_classes.grams(tokens)`` when the caller has them.
        """
        words = list(map(self._word_sums.__getitem__, tokens))  # a miss computes the word's terms
        char_weighted = _added(map(_FIRST, words))
        char_squared = _added(map(_SECOND, words))
        # known pairs' rows, in order: (row of the pairs word i starts).get(word i + 1)
        found = list(filter(None, map(dict.get, map(_FIFTH, words), itertools.islice(tokens, 1, None))))
        if self.word_classes is not None:
            grams = self.word_classes.grams(tokens) if class_grams is None else class_grams
            if grams:
                found += filter(None, map(self._flag_rows.get, grams))
        word_weighted = reduce(add, map(_FIRST, found), _added(map(_THIRD, words)))
        word_squared = reduce(add, map(_SECOND, found), _added(map(_FOURTH, words)))
        total = _normalised(char_weighted, char_squared) + _normalised(word_weighted, word_squared)
        return sigmoid(self.bias[0] + total)

    @cached_property
    def _terms(self) -> BoundedMemo[_Terms | None]:
        """Per feature, remembered: None when unknown, else its squared idf and, if it is
        weighted, its weight x idf per output."""
        rows = self._flag_rows

        def compute(feature: str) -> _Terms | None:
            known = rows.get(feature)
            if known is None:
                return None
            row = self.weights.get(feature)
            idf = self._idf(feature)
            return known[1], None if row is None else tuple(value * idf for value in row)

        return BoundedMemo(compute, MAX_SCORED_FEATURES)

    @cached_property
    def _word_terms(self) -> BoundedMemo[_WordTerms]:
        """Per word, remembered: its known character grams' squared idfs, in gram order, and
        per output the weighted grams' weight x idf (one column per output)."""
        terms = self._terms

        def compute(token: str) -> _WordTerms:
            found = [t for t in map(terms.__getitem__, char_grams(token)) if t is not None]
            rows = [row for _squared, row in found if row is not None]
            return tuple(squared for squared, _row in found), _columns(rows)

        return BoundedMemo(compute, MAX_SCORED_WORDS)

    def scores(
        self, tokens: list[str], outputs: Iterable[str] = OUTPUTS, class_grams: list[str] | None = None
    ) -> dict[str, float]:
        """Probability per output (all of them, or the ones asked for; ``class_grams`` as for
        ``flag_score``).

        Each view's squared sum and each output's weighted sum add the view's known features'
        terms in feature order, as the trainer's loop over them does: the same floats to the
        last bit. The character view comes word by word from a per-word memo.
        """
        chars = [self._word_terms[token] for token in tokens]
        grams = word_grams(tokens)
        if self.word_classes is not None:
            grams += self.word_classes.grams(tokens) if class_grams is None else class_grams
        words = [t for t in map(self._terms.__getitem__, grams) if t is not None]
        char_squared = _added(itertools.chain.from_iterable(squared for squared, _columns in chars))
        word_squared = _added(squared for squared, _row in words)
        word_columns = _columns([row for _squared, row in words if row is not None])
        found = {}
        for output in outputs:
            column = OUTPUTS.index(output)
            char = _added(itertools.chain.from_iterable(columns[column] for _squared, columns in chars))
            word = _added(word_columns[column])
            total = 0.0 + _normalised(char, char_squared) + _normalised(word, word_squared)
            found[output] = sigmoid(self.bias[column] + total)
        return found

    def push(self, token: str, output: str) -> float:
        """How hard one word pushes towards an output, alone (its grams' and its own weights),
        remembered per word and output (a flagged message asks it of every word it holds)."""
        key = (token, output)
        found = self._push_cache.get(key)
        if found is None:
            column = OUTPUTS.index(output)
            weights = self.weights
            found = sum(weights[f][column] * self._idf(f) for f in (*char_grams(token), token) if f in weights)
            if len(self._push_cache) >= MAX_SCORED_WORDS:
                self._push_cache.clear()
            self._push_cache[key] = found
        return found

    @property
    def flag_threshold(self) -> float:
        return self.thresholds.get("flag", 0.5)

    def to_json(self) -> dict[str, object]:
        return {
            "feature_version": FEATURE_VERSION,
            "outputs": list(OUTPUTS),
            "bias": [round(b, 5) for b in self.bias],
            "thresholds": self.thresholds,
            "meta": self.meta,
            "idf": {k: round(v, 4) for k, v in sorted(self.idf.items())},
            "weights": {k: [round(v, 4) for v in row] for k, row in sorted(self.weights.items())},
            **({"word_classes": self.word_classes.to_json()} if self.word_classes is not None else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, object], where: str = "model") -> LearnedModel:
        if data.get("feature_version") != FEATURE_VERSION:
            raise ModelError(
                f"{where}: feature version {data.get('feature_version')!r}, this code reads "
                f"{FEATURE_VERSION}; run `support-coach train` again"
            )
        if data.get("outputs") != list(OUTPUTS):
            raise ModelError(f"{where}: outputs {data.get('outputs')!r} are not {list(OUTPUTS)}")
        raw_weights = data.get("weights")
        raw_idf = data.get("idf", {})
        bias = data.get("bias")
        thresholds = data.get("thresholds")
        if (
            not isinstance(raw_weights, dict)
            or not isinstance(raw_idf, dict)
            or not isinstance(bias, list)
            or not isinstance(thresholds, dict)
        ):
            raise ModelError(f"{where}: needs 'weights', 'idf', 'bias' and 'thresholds'")
        width = len(OUTPUTS)
        weights: dict[str, Row] = {}
        for key, row in raw_weights.items():
            if not isinstance(row, list) or len(row) != width or not all(isinstance(v, int | float) for v in row):
                raise ModelError(f"{where}: weights of {key!r} must be {width} numbers")
            weights[str(key)] = tuple(float(v) for v in row)
        if not all(isinstance(v, int | float) and v > 0 for v in raw_idf.values()):
            raise ModelError(f"{where}: every idf must be a positive number")
        if len(bias) != width or not all(isinstance(v, int | float) for v in bias):
            raise ModelError(f"{where}: 'bias' must be {width} numbers")
        meta = data.get("meta")
        try:
            raw_classes = data.get("word_classes")
            classes = None if raw_classes is None else WordClasses.from_json(raw_classes, where).checked()
        except RuleError as exc:
            raise ModelError(f"{where}: {exc}") from None
        return cls(
            weights,
            tuple(float(b) for b in bias),
            {str(k): float(v) for k, v in thresholds.items()},
            meta if isinstance(meta, dict) else {},
            _shared_floats(raw_idf),
            classes,
        )


def _shared_float_parser() -> Callable[[str], float]:
    """A JSON float parser that gives one float object per distinct spelling: rounded to four
    places, a model's 1.2 million weights and 200,000 idfs spell a few thousand values, so
    the parsed file takes tens of MB less at its peak."""
    seen: dict[str, float] = {}

    def parse(text: str) -> float:
        value = seen.get(text)
        if value is None:
            value = seen[text] = float(text)
        return value

    return parse


def _shared_floats(raw: dict[str, float]) -> dict[str, float]:
    """The idf table with one float object per distinct value (idf depends on a count alone)."""
    values: dict[float, float] = {}
    return {str(k): values.setdefault(float(v), float(v)) for k, v in raw.items()}


def _normalised(weighted: float, squared: float) -> float:
    """A view's weighted sum divided by its length (the unit-length row the trainer fits)."""
    return weighted / math.sqrt(squared) if squared > 0 else 0.0


def sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def load_model(path: Path | str | None = None) -> LearnedModel:
    """Read a model file (gzip or plain JSON); ModelError names the file on any problem."""
    path = Path(path) if path else MODEL_FILE
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        data = json.loads(raw.decode("utf-8"), parse_float=_shared_float_parser())
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError, gzip.BadGzipFile) as exc:
        raise ModelError(f"{path}: cannot read the model: {exc}") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path}: not a model file")
    return LearnedModel.from_json(data, str(path))


def save_model(model: LearnedModel, path: Path | str) -> None:
    """Write the model as compact, deterministic gzip'd JSON (same input, same bytes)."""
    payload = json.dumps(model.to_json(), separators=(",", ":"), sort_keys=True).encode("utf-8")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))


_default: LearnedModel | None = None
_default_missing = False


def default_model() -> LearnedModel | None:
    """The bundled model, loaded once; None (rules only) if the package ships none."""
    global _default, _default_missing
    if _default is None and not _default_missing:
        if MODEL_FILE.is_file():
            _default = load_model(MODEL_FILE)
        else:
            _default_missing = True
    return _default
