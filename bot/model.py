"""The learned second stage: a small linear model for harsh wording no rule anticipates.

Rules are precise and explainable but only know the frames someone wrote down; people find
new ways to blame or brush off a customer every day. A linear model over word 1-2-grams of
the author's own words catches much of that. The weights are data
(``prompts/model/coach-model.json.gz``), written by ``support-coach train``.

It must cost little on every message, in pure Python. So a message becomes one canonical
string (" word word word "), and every weighted word or word pair is found in one
Aho-Corasick pass over it, in C; Python only adds up the few weights that matched.
The trainer counts the same occurrences and scales by the same length, so both agree.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import re
import string
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from pathlib import Path

import ahocorasick

from bot.models import CATEGORIES

FEATURE_VERSION = 4
OUTPUTS: tuple[str, ...] = ("flag", *CATEGORIES)

MODEL_DIR = Path(__file__).resolve().parent / "prompts" / "model"
if not MODEL_DIR.is_dir():  # a source checkout rather than an installed wheel
    MODEL_DIR = Path(__file__).resolve().parent.parent / "prompts" / "model"
MODEL_FILE = MODEL_DIR / "coach-model.json.gz"

_SECOND = itemgetter(1)  # the weight of an automaton match (end, weight), in C
MAX_TOKENS = 400  # a pasted log adds nothing a person wrote; bound the cost of long messages

# Letters and digits stay, apostrophes go ("don't" -> "dont"), everything else splits words.
_WORD_CHARS = set(string.ascii_lowercase + string.digits)
_ASCII_TABLE = bytes.maketrans(bytes(range(128)), bytes(c if chr(c) in _WORD_CHARS else 32 for c in range(128)))
_TEXT_TABLE = str.maketrans({chr(c): " " for c in range(128) if chr(c) not in _WORD_CHARS and c != 39} | {"'": None})


class ModelError(ValueError):
    """The model file is missing, unreadable or from another feature version."""


def _all_tokens(text: str) -> list[str]:
    if text.isascii():
        return text.encode().translate(_ASCII_TABLE, b"'").decode().split()
    return text.translate(_TEXT_TABLE).split()


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


def canonical(tokens: list[str]) -> str:
    """The string the automaton scans: every token between single spaces."""
    return " " + " ".join(tokens) + " "


def feature_counts(tokens: list[str]) -> Counter[str]:
    """Occurrences of each word and word pair, as the trainer sees them."""
    counts = Counter(tokens)
    counts.update(f"{a} {b}" for a, b in itertools.pairwise(tokens))
    return counts


def scale(token_count: int) -> float:
    """Rows are divided by the square root of the number of 1- and 2-gram occurrences."""
    return 1.0 / math.sqrt(max(1, 2 * token_count - 1))


@dataclass(frozen=True)
class LearnedModel:
    """Weights per feature for each output, the biases and the decision thresholds."""

    weights: dict[str, tuple[float, ...]]
    bias: tuple[float, ...]
    thresholds: dict[str, float]
    meta: dict[str, object] = field(default_factory=dict)

    @cached_property
    def _flag_automaton(self) -> ahocorasick.Automaton | None:
        """Word features with a flag weight, padded with spaces so they match whole words only."""
        return _automaton((f" {k} ", row[0]) for k, row in self.weights.items() if row[0])

    @cached_property
    def _row_automaton(self) -> ahocorasick.Automaton | None:
        """Every word feature with its whole row, for the rare message that gets flagged."""
        return _automaton((f" {k} ", row) for k, row in self.weights.items())

    def flag_score(self, tokens: list[str]) -> float:
        """Probability that the message should be flagged: one C pass, a sum, a sigmoid."""
        total = 0.0
        if tokens and self._flag_automaton is not None:
            total = sum(map(_SECOND, self._flag_automaton.iter(canonical(tokens))))
        return sigmoid(self.bias[0] + total * scale(len(tokens)))

    def scores(self, tokens: list[str]) -> dict[str, float]:
        """Probability per output (flag and each category)."""
        totals = [0.0] * len(OUTPUTS)
        rows = []
        if tokens and self._row_automaton is not None:
            rows = [row for _end, row in self._row_automaton.iter(canonical(tokens))]
        for row in rows:
            for index, value in enumerate(row):
                totals[index] += value
        factor = scale(len(tokens))
        return {
            name: sigmoid(bias + total * factor)
            for name, bias, total in zip(OUTPUTS, self.bias, totals, strict=True)
        }

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
            "weights": {k: [round(v, 4) for v in row] for k, row in sorted(self.weights.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, object], where: str = "model") -> LearnedModel:
        if data.get("feature_version") != FEATURE_VERSION:
            raise ModelError(f"{where}: feature version {data.get('feature_version')!r}, this code reads "
                             f"{FEATURE_VERSION}; run `support-coach train` again")
        if data.get("outputs") != list(OUTPUTS):
            raise ModelError(f"{where}: outputs {data.get('outputs')!r} are not {list(OUTPUTS)}")
        raw_weights = data.get("weights")
        bias = data.get("bias")
        thresholds = data.get("thresholds")
        if not isinstance(raw_weights, dict) or not isinstance(bias, list) or not isinstance(thresholds, dict):
            raise ModelError(f"{where}: needs 'weights', 'bias' and 'thresholds'")
        width = len(OUTPUTS)
        weights: dict[str, tuple[float, ...]] = {}
        for key, row in raw_weights.items():
            if not isinstance(row, list) or len(row) != width or not all(isinstance(v, int | float) for v in row):
                raise ModelError(f"{where}: weights of {key!r} must be {width} numbers")
            weights[str(key)] = tuple(float(v) for v in row)
        if len(bias) != width or not all(isinstance(v, int | float) for v in bias):
            raise ModelError(f"{where}: 'bias' must be {width} numbers")
        meta = data.get("meta")
        return cls(weights, tuple(float(b) for b in bias), {str(k): float(v) for k, v in thresholds.items()},
                   meta if isinstance(meta, dict) else {})


def _automaton(entries: Iterable[tuple[str, object]]) -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    for key, value in entries:
        automaton.add_word(key, value)
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


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
        data = json.loads(raw.decode("utf-8"))
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
