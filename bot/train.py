"""Train the learned stage from the repository's labelled data: `support-coach train`.

Deterministic: the same data and library versions give the same weights, byte for
byte. Only the training split is read (labelled messages and real replies, plus the clean
messages of scripts/make_clean_replies.py); the held-out
split is never touched here. The decision threshold is chosen by cross-validation on the
training split, so the held-out figures stay honest. Needs the ``[train]`` extra
(scikit-learn); scoring the result needs nothing but the standard library.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bot.context import MessageContext
from bot.dataset import Example, labelled, real_replies, synthetic_clean
from bot.features import message_tokens
from bot.model import FEATURE_VERSION, OUTPUTS, LearnedModel, feature_counts, scale, sigmoid
from bot.models import CATEGORIES
from bot.text import normalize

REAL_REPLY_WEIGHT = 0.3  # unlabelled and assumed clean: count them, but less than labelled messages
SYNTHETIC_WEIGHT = 1.0  # written to be clean, but by one hand: they teach what ordinary support sounds like
REGULARISATION = 10.0  # logistic regression's C
MIN_DOCUMENTS = 2  # a feature seen in one message is that message, not a pattern
MIN_WEIGHT = 0.1  # smaller weights change no decision (measured: same cross-validated figures); fewer to sum
FOLDS = 5
MAX_REAL_FLAG_RATE = 0.0025  # the model alone may flag at most this share of real replies in CV
CATEGORY_THRESHOLD = 0.7  # a further category is added only when the model is this sure (CV: 0.5-0.7 alike)


class TrainingError(RuntimeError):
    """Training cannot run (scikit-learn missing, no data)."""


@dataclass(frozen=True)
class Corpus:
    """Feature sets and targets for every training message."""

    features: list[Counter[str]]  # occurrences of each feature, as the scorer counts them
    scales: list[float]
    targets: list[tuple[bool, ...]]  # per output: flag, then each category
    weights: list[float]
    kinds: list[str]  # "labelled", "real" (unlabelled real replies) or "synthetic" (written clean)


def _sklearn() -> tuple[object, object, object]:
    try:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
    except ImportError:
        raise TrainingError("training needs scikit-learn: pip install 'support-coach[train]'") from None
    return DictVectorizer, LogisticRegression, StratifiedKFold


def build_corpus(examples: list[Example], replies: list[str], synthetic: list[str] = ()) -> Corpus:
    """Features of each message as the scorer will compute them."""
    features, scales, targets, weights, kinds = [], [], [], [], []
    rows: list[tuple[str, tuple[bool, ...], float, str]] = [
        (e.text, (e.flag, *(c in e.categories for c in CATEGORIES)), 1.0, "labelled") for e in examples
    ]
    rows += [(text, (False,) * len(OUTPUTS), REAL_REPLY_WEIGHT, "real") for text in replies]
    rows += [(text, (False,) * len(OUTPUTS), SYNTHETIC_WEIGHT, "synthetic") for text in synthetic]
    for text, target, weight, kind in rows:
        tokens = message_tokens(MessageContext(normalize(text)))
        features.append(feature_counts(tokens))
        scales.append(scale(len(tokens)))
        targets.append(target)
        weights.append(weight)
        kinds.append(kind)
    return Corpus(features, scales, targets, weights, kinds)


def _vocabulary(features: list[Counter[str]]) -> list[str]:
    counts = Counter(feature for row in features for feature in row)
    return sorted(feature for feature, count in counts.items() if count >= MIN_DOCUMENTS)


def _fit(corpus: Corpus, indices: list[int]) -> LearnedModel:
    """One logistic regression per output, on unit-length binary rows."""
    dict_vectorizer, logistic_regression, _ = _sklearn()
    import numpy as np
    vocabulary = _vocabulary([corpus.features[i] for i in indices])
    vectorizer = dict_vectorizer(sort=True)  # type: ignore[operator]
    vectorizer.fit([{feature: 1.0 for feature in vocabulary}])
    # Counts times the length scale: the scorer sums matched weights and multiplies by it.
    rows = [{f: n * corpus.scales[i] for f, n in corpus.features[i].items()} for i in indices]
    matrix = vectorizer.transform(rows)
    sample_weight = np.array([corpus.weights[i] for i in indices])
    columns, biases = [], []
    for output in range(len(OUTPUTS)):
        target = np.array([corpus.targets[i][output] for i in indices])
        if target.all() or not target.any():
            columns.append(np.zeros(len(vocabulary)))
            biases.append(8.0 if target.all() else -8.0)
            continue
        classifier = logistic_regression(C=REGULARISATION, max_iter=5000)  # type: ignore[operator]
        classifier.fit(matrix, target, sample_weight=sample_weight)
        columns.append(classifier.coef_[0])
        biases.append(float(classifier.intercept_[0]))
    names = vectorizer.get_feature_names_out()
    weights = {}
    for position, name in enumerate(names):
        row = tuple(float(column[position]) for column in columns)
        if max(abs(v) for v in row) >= MIN_WEIGHT:
            weights[str(name)] = row
    return LearnedModel(weights=weights, bias=tuple(biases), thresholds={"flag": 0.5,
                        "category": CATEGORY_THRESHOLD})


def cross_validated_scores(corpus: Corpus, folds: int = FOLDS) -> list[float]:
    """Out-of-fold flag probabilities for every training message."""
    _, _, stratified_k_fold = _sklearn()
    kind_codes = {"labelled": 0, "real": 1, "synthetic": 2}
    strata = [3 * t[0] + kind_codes[kind] for t, kind in zip(corpus.targets, corpus.kinds, strict=True)]
    splitter = stratified_k_fold(n_splits=folds, shuffle=True, random_state=7)  # type: ignore[operator]
    scores = [0.0] * len(corpus.features)
    for train_index, test_index in splitter.split(strata, strata):
        model = _fit(corpus, [int(i) for i in train_index])
        for i in test_index:
            scores[int(i)] = score_counts(model, corpus.features[int(i)], corpus.scales[int(i)])
    return scores


def score_counts(model: LearnedModel, counts: Counter[str], factor: float) -> float:
    """The flag probability from feature counts, the same sum the automaton computes."""
    total = sum(model.weights[f][0] * n for f, n in counts.items() if f in model.weights)
    return sigmoid(model.bias[0] + total * factor)


@dataclass(frozen=True)
class Figures:
    threshold: float
    precision: float
    recall: float
    real_rate: float
    synthetic_rate: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return {key: round(value, 4) for key, value in self.__dict__.items()}


def _figures(corpus: Corpus, scores: list[float], threshold: float) -> Figures:
    tp = fp = fn = real = real_total = synthetic = synthetic_total = 0
    for score, target, kind in zip(scores, corpus.targets, corpus.kinds, strict=True):
        flagged = score >= threshold
        if kind == "real":
            real_total += 1
            real += flagged
        elif kind == "synthetic":
            synthetic_total += 1
            synthetic += flagged
        elif flagged and target[0]:
            tp += 1
        elif flagged:
            fp += 1
        elif target[0]:
            fn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return Figures(threshold, precision, recall, real / real_total if real_total else 0.0,
                   synthetic / synthetic_total if synthetic_total else 0.0)


def choose_threshold(corpus: Corpus, scores: list[float]) -> Figures:
    """The threshold with the best cross-validated F1 of the model alone whose real-reply rate
    stays low. The model alone, because on the training messages the rules are near perfect
    (they were written there), so "rules or model" would hardly depend on the threshold."""
    best: Figures | None = None
    for step in range(30, 96):
        figures = _figures(corpus, scores, step / 100)
        if figures.real_rate > MAX_REAL_FLAG_RATE:
            continue
        f1 = 2 * figures.precision * figures.recall / (figures.precision + figures.recall or 1)
        best_f1 = 0.0 if best is None else 2 * best.precision * best.recall / (best.precision + best.recall or 1)
        if best is None or f1 > best_f1:
            best = figures
    return best or _figures(corpus, scores, 0.95)


def train(progress: Callable[[str], None] = lambda _m: None) -> LearnedModel:
    """Train on the repository's training split and pick the threshold by cross-validation."""
    examples = labelled("train")
    replies = [text for _id, text in real_replies("train")]
    synthetic = synthetic_clean()
    if not examples:
        raise TrainingError("no labelled training messages")
    progress(f"features for {len(examples)} labelled messages, {len(replies)} real replies and "
             f"{len(synthetic)} written clean messages")
    corpus = build_corpus(examples, replies, synthetic)
    progress(f"{FOLDS}-fold cross-validation")
    scores = cross_validated_scores(corpus)
    chosen = choose_threshold(corpus, scores)
    progress(f"threshold {chosen.threshold:.2f}: the model alone, cross-validated: precision {chosen.precision:.3f}, "
             f"recall {chosen.recall:.3f}, real replies flagged {chosen.real_rate:.2%}")
    model = _fit(corpus, list(range(len(corpus.features))))
    meta = {
        "trained_on": {"labelled": len(examples), "real_replies": len(replies),
                       "synthetic_clean": len(synthetic), "split": "train (bot/dataset.py)",
                       "real_reply_weight": REAL_REPLY_WEIGHT, "synthetic_weight": SYNTHETIC_WEIGHT},
        "features": "word 1-2-gram counts of the author's own text (quotes of others blanked)",
        "cross_validated_model_alone": chosen.to_dict(),
        "feature_version": FEATURE_VERSION,
        "regularisation": REGULARISATION,
    }
    return LearnedModel(weights=model.weights, bias=model.bias,
                        thresholds={"flag": chosen.threshold, "category": CATEGORY_THRESHOLD}, meta=meta)
