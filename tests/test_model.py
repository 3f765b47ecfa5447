"""The learned stage: scorer and trainer agree, files round-trip, findings explain themselves."""

from __future__ import annotations

import gzip
import json
import math
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import cli
from bot.coaching.context import MessageContext
from bot.coaching.detect import detect
from bot.coaching.features import own_text
from bot.coaching.learned import RULE_PREFIX, category_tips, learned_findings
from bot.coaching.model import (
    FEATURE_VERSION,
    MODEL_FILE,
    OUTPUTS,
    LearnedModel,
    ModelError,
    _normalised,
    char_grams,
    default_model,
    feature_counts,
    load_model,
    save_model,
    sigmoid,
    token_spans,
    tokens_of,
    word_grams,
)
from bot.coaching.rules import RuleSet, default_rules
from bot.coaching.text import normalize
from bot.coaching.word_classes import WordClasses
from bot.models import CATEGORIES
from bot.train import inverse_document_frequency, score_counts, weighted_row

WIDTH = len(OUTPUTS)


def _toy_model(harsh: dict[str, float], threshold: float = 0.5) -> LearnedModel:
    """A hand-made model: the given words push towards 'flag' and 'dismissive'."""
    weights = {
        word: tuple(weight if name in ("flag", "dismissive") else 0.0 for name in OUTPUTS)
        for word, weight in harsh.items()
    }
    return LearnedModel(weights=weights, bias=(-3.0,) * len(OUTPUTS), thresholds={"flag": threshold, "category": 0.5})


def test_tokens_fold_punctuation_and_apostrophes() -> None:
    assert tokens_of("don't, re-try: it's <#c1|x> ok!") == ["dont", "re", "try", "its", "c1", "x", "ok"]
    assert tokens_of("naïve café") == ["naïve", "café"]  # non-ASCII letters stay in their word
    assert len(tokens_of("word " * 10_000)) == 400


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_token_spans_are_the_tokens_with_their_place(text: str) -> None:
    text = text.lower()
    spans = token_spans(text)
    assert [token for token, _a, _b in spans] == tokens_of(text)[: len(spans)] == tokens_of(text)
    for token, start, end in spans:
        assert text[start:end].replace("'", "") == token


def _random_model(rng: random.Random, vocabulary: list[str]) -> LearnedModel:
    """Weights on some words, pairs and character grams; an idf for more features than are weighted."""
    weights: dict[str, tuple[float, ...]] = {}
    idf: dict[str, float] = {}
    for word in vocabulary:
        idf[word] = rng.uniform(1, 5)
        for gram in char_grams(word):
            idf[gram] = rng.uniform(1, 5)
            if rng.random() < 0.5:
                weights[gram] = tuple(rng.uniform(-2, 2) for _ in range(WIDTH))
        if rng.random() < 0.7:
            weights[word] = tuple(rng.uniform(-2, 2) for _ in range(WIDTH))
    for _ in range(60):
        a, b = rng.sample(vocabulary, 2)
        idf[f"{a} {b}"] = rng.uniform(1, 5)
        weights[f"{a} {b}"] = tuple(rng.uniform(-2, 2) for _ in range(WIDTH))
    # a class-read view: one- and two-word items, and weights on some of the grams they make
    classes = WordClasses({"AA": ["w1x|w2x", "w3x w4x"], "BB": ["ab", "w5x (?:w6x|w7x)"]})
    for _ in range(80):
        for gram in classes.grams([rng.choice([*vocabulary, "w1x", "w3x", "w4x", "ab"]) for _ in range(8)]):
            idf[gram] = rng.uniform(1, 5)
            if rng.random() < 0.6:
                weights[gram] = tuple(rng.uniform(-2, 2) for _ in range(WIDTH))
    return LearnedModel(
        weights=weights,
        bias=tuple(rng.uniform(-1, 1) for _ in range(WIDTH)),
        thresholds={"flag": 0.5},
        idf=idf,
        word_classes=classes,
    )


def test_scorer_equals_the_trainers_count_sum() -> None:
    """The cached per-word sums give what the trainer computes from whole-message counts."""
    rng = random.Random(3)
    vocabulary = [f"w{i}x" for i in range(40)] + ["ab", "abc", "b"]
    model = _random_model(rng, vocabulary)
    for _ in range(200):
        tokens = [rng.choice([*vocabulary, "unknown", "w1"]) for _ in range(rng.randint(1, 30))]
        expected = score_counts(model, feature_counts(tokens, model.word_classes))
        assert model.flag_score(tokens) == pytest.approx(expected, abs=1e-9)
        assert model.flag_score(tokens) == pytest.approx(expected, abs=1e-9)  # again, from the word cache
        assert model.scores(tokens)["flag"] == pytest.approx(expected, abs=1e-9)


def _plain_flag_score(model: LearnedModel, tokens: list[str]) -> float:
    """The flag score with no cache or index: per word its grams' sums (from zero), added to
    the totals word by word, then each pair's terms (the order the scorer has always used;
    the cached scorer must equal it bit for bit, not just approximately)."""
    char_weighted = char_squared = word_weighted = word_squared = 0.0
    rows = model._flag_rows
    for token in tokens:
        weighted = squared = 0.0
        for gram in char_grams(token):
            row = rows.get(gram)
            if row is not None:
                weighted += row[0]
                squared += row[1]
        char_weighted += weighted
        char_squared += squared
        own = rows.get(token, (0.0, 0.0))
        word_weighted += own[0]
        word_squared += own[1]
    classes = model.word_classes.grams(tokens) if model.word_classes is not None else []
    for pair in [*word_grams(tokens)[len(tokens) :], *classes]:
        row = rows.get(pair)
        if row is not None:
            word_weighted += row[0]
            word_squared += row[1]
    total = _normalised(char_weighted, char_squared) + _normalised(word_weighted, word_squared)
    return sigmoid(model.bias[0] + total)


def _plain_scores(model: LearnedModel, tokens: list[str]) -> dict[str, float]:
    """Every output's probability as one loop per view over its features, in order."""
    totals = [0.0] * WIDTH
    classes = model.word_classes.grams(tokens) if model.word_classes is not None else []
    for features in ([g for t in tokens for g in char_grams(t)], [*word_grams(tokens), *classes]):
        weighted = [0.0] * WIDTH
        squared = 0.0
        for feature in features:
            known = model._flag_rows.get(feature)
            if known is None:
                continue
            squared += known[1]
            row = model.weights.get(feature)
            if row is not None:
                for index in range(WIDTH):
                    weighted[index] += row[index] * model.idf.get(feature, 1.0)
        for index in range(WIDTH):
            totals[index] += _normalised(weighted[index], squared)
    return {name: sigmoid(bias + total) for name, bias, total in zip(OUTPUTS, model.bias, totals, strict=True)}


def test_cached_scoring_equals_the_plain_loops_exactly() -> None:
    """The word caches and pair index change no score, not even in the last bit: a learned
    decision at the threshold must not move because scoring got faster."""
    rng = random.Random(11)
    vocabulary = [f"w{i}x" for i in range(40)] + ["ab", "abc", "b"]
    model = _random_model(rng, vocabulary)
    for _ in range(300):
        tokens = [rng.choice([*vocabulary, "unknown", "w1", "ab"]) for _ in range(rng.randint(1, 40))]
        outputs = tuple(rng.sample(OUTPUTS, rng.randint(1, WIDTH)))
        for _ in range(2):  # cold, then from the caches
            assert model.flag_score(tokens) == _plain_flag_score(model, tokens)
            assert model.scores(tokens) == _plain_scores(model, tokens)
            # only the outputs asked for, each the same float as in the full set
            assert model.scores(tokens, outputs) == {o: _plain_scores(model, tokens)[o] for o in outputs}


def test_class_grams_passed_in_give_the_same_scores() -> None:
    """learned_findings reads the word classes once and hands the grams to both scorers."""
    rng = random.Random(13)
    vocabulary = [f"w{i}x" for i in range(40)] + ["ab", "abc", "b"]
    model = _random_model(rng, vocabulary)
    assert model.word_classes is not None
    for _ in range(200):
        tokens = [rng.choice([*vocabulary, "w1x", "w3x", "w4x", "w5x", "w6x", "ab"]) for _ in range(rng.randint(1, 30))]
        grams = model.word_classes.grams(tokens)
        assert model.flag_score(tokens, grams) == model.flag_score(tokens)
        assert model.scores(tokens, OUTPUTS, grams) == model.scores(tokens)


def test_cached_scoring_equals_the_plain_loops_on_the_bundled_model() -> None:
    model = default_model()
    assert model is not None
    rules = default_rules()
    texts = [t for rule in rules.rules for t in (*rule.examples, *rule.counter_examples)]
    for text in texts:
        tokens = tokens_of(text.lower())
        assert model.flag_score(tokens) == _plain_flag_score(model, tokens)
    for text in texts[:40]:
        tokens = tokens_of(text.lower())
        assert model.scores(tokens) == _plain_scores(model, tokens)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_byte_tokeniser_equals_the_character_table(text: str) -> None:
    import string

    from bot.coaching.model import _all_tokens

    keep = set(string.ascii_lowercase + string.digits)  # the reference: the plain character table
    _TEXT_TABLE = str.maketrans({chr(c): " " for c in range(128) if chr(c) not in keep and c != 39} | {"'": None})

    assert _all_tokens(text) == text.translate(_TEXT_TABLE).split()


def test_character_grams_stay_inside_a_word() -> None:
    grams = char_grams("rtfm")
    assert "# r" in grams and "#fm " in grams and "# rtf" in grams and "#rtfm " in grams
    assert all(gram.startswith("#") and " " not in gram.strip("# ")[1:-1] for gram in grams)
    assert len(grams) == 5 + 4 + 3 + 2  # " rtfm " has 6 characters: 5 pairs, 4 triples...
    assert char_grams("a") == ["# a", "#a ", "# a "]


def test_scores_match_scikit_learn_on_the_same_rows() -> None:
    np = pytest.importorskip("numpy")
    linear_model = pytest.importorskip("sklearn.linear_model")
    feature_extraction = pytest.importorskip("sklearn.feature_extraction")
    rng = random.Random(5)
    words = ["refund", "sorry", "never", "again", "blame", "fixed", "today", "wrong", "thanks", "wrongly"]
    docs = [[rng.choice(words) for _ in range(rng.randint(2, 12))] for _ in range(120)]
    target = np.array([("never" in d) or ("wrong" in d and "sorry" not in d) for d in docs])
    counts = [feature_counts(d) for d in docs]
    idf = inverse_document_frequency(counts)
    rows = [weighted_row(c, idf) for c in counts]
    vectorizer = feature_extraction.DictVectorizer(sort=True)
    matrix = vectorizer.fit_transform(rows)
    classifier = linear_model.LogisticRegression(C=10, max_iter=2000).fit(matrix, target)
    names = vectorizer.get_feature_names_out()
    weights = {
        str(name): (float(w),) + (0.0,) * (WIDTH - 1) for name, w in zip(names, classifier.coef_[0], strict=True)
    }
    model = LearnedModel(
        weights=weights,
        bias=(float(classifier.intercept_[0]),) + (0.0,) * (WIDTH - 1),
        thresholds={"flag": 0.5},
        idf=idf,
    )
    expected = classifier.predict_proba(matrix)[:, 1]
    for doc, probability in zip(docs, expected, strict=True):
        assert model.flag_score(doc) == pytest.approx(probability, abs=1e-9)


def test_the_training_matrix_is_dict_vectorizers_entry_for_entry() -> None:
    """train builds its sparse matrix itself (DictVectorizer's type checks cost a third of the
    training time): the same columns, entries and order, so the fit cannot tell them apart."""
    np = pytest.importorskip("numpy")
    feature_extraction = pytest.importorskip("sklearn.feature_extraction")
    from bot.train import _matrix

    rng = random.Random(11)
    words = ["refund", "sorry", "never", "again", "blame", "fixed", "today", "wrong", "thanks", "wrongly"]
    counts = [feature_counts([rng.choice(words) for _ in range(rng.randint(1, 12))]) for _ in range(80)]
    idf = inverse_document_frequency(counts)
    rows = [weighted_row(c, idf) for c in counts]
    vectorizer = feature_extraction.DictVectorizer(sort=True)
    vectorizer.fit([{feature: 1.0 for feature in idf}])
    expected, built = vectorizer.transform(rows), _matrix(rows, sorted(idf))
    assert list(vectorizer.get_feature_names_out()) == sorted(idf)
    assert built.shape == expected.shape and built.dtype == expected.dtype
    for part in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(built, part), getattr(expected, part)), part


def test_save_and_load_round_trip_deterministically(tmp_path: Path) -> None:
    model = _toy_model({"brush": 1.25, "off": 0.5})
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    save_model(model, first)
    save_model(model, second)
    assert first.read_bytes() == second.read_bytes()
    loaded = load_model(first)
    assert loaded.weights == model.weights and loaded.bias == model.bias
    assert loaded.flag_score(["brush", "off"]) == pytest.approx(model.flag_score(["brush", "off"]))


@pytest.mark.parametrize("content", [b"\x1f\x8bnot really gzip", b"{not json", b"[1, 2]"])
def test_unreadable_model_files_name_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.json.gz"
    path.write_bytes(content)
    with pytest.raises(ModelError, match=r"broken\.json\.gz"):
        load_model(path)


def test_a_model_from_another_feature_version_is_refused(tmp_path: Path) -> None:
    data = _toy_model({"x": 1.0}).to_json()
    data["feature_version"] = FEATURE_VERSION + 1
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="support-coach train"):
        load_model(path)
    data["feature_version"] = FEATURE_VERSION
    data["weights"] = {"x": [1.0, "a", 0, 0, 0]}
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="numbers"):
        load_model(path)


def test_learned_finding_points_at_the_sentence_and_explains(rules: RuleSet) -> None:
    model = _toy_model({"brushed": 10.0, "aside": 10.0, "brushed aside": 10.0})
    text = "Hi Ola, thanks for the logs. Your request gets brushed aside here. Have a good day."
    analysis = detect(text, rules, model=model)
    (finding,) = [f for f in analysis.findings if f.rule.startswith(RULE_PREFIX)]
    assert finding.category == "dismissive"
    assert text[finding.start : finding.end] == finding.match == "Your request gets brushed aside here."
    assert finding.tip == category_tips()["dismissive"].tip
    assert finding.principle == rules.categories["dismissive"].principle
    assert analysis.model_score is not None and analysis.model_score >= model.flag_threshold
    assert detect(text, rules, model=None).flagged is False


def test_the_model_never_scores_a_quoted_customer(rules: RuleSet) -> None:
    model = _toy_model({"brushed": 4.0, "aside": 4.0})
    quoted = "&gt; you always get brushed aside\nI'm sorry it felt that way, Ola. I've moved your ticket up."
    context = MessageContext(normalize(quoted))
    assert "brushed" not in own_text(context)
    assert learned_findings(context, [], rules, model)[0] == []
    assert not detect(quoted, rules, model=model).flagged


def test_own_text_keeps_offsets() -> None:
    text = 'She wrote "this is rubbish" and I replied politely'
    context = MessageContext(normalize(text))
    blanked = own_text(context)
    assert len(blanked) == len(context.text)


def test_short_and_clean_messages_stay_silent(rules: RuleSet) -> None:
    model = _toy_model({"ok": -1.0})
    for text in ("ok", "Thanks!", "Shipped today, tracking to follow."):
        assert not detect(text, rules, model=model).flagged


def test_bundled_model_loads_and_says_what_it_was_trained_on() -> None:
    model = default_model()
    assert model is not None, f"{MODEL_FILE} is missing: run `support-coach train`"
    trained_on = model.meta["trained_on"]
    assert trained_on["split"].startswith("train")
    assert 0.2 <= model.flag_threshold <= 0.95
    figures = model.meta["cross_validated_model_alone"]
    assert 0.0 < figures["precision"] <= 1.0 and 0.0 < figures["recall"] <= 1.0
    with gzip.open(MODEL_FILE) as handle:
        assert json.load(handle)["feature_version"] == FEATURE_VERSION
    # "a small data file": it grows with the data (2.1 MB at 13,300 labelled messages, 3.1 MB at
    # 27,700 and 123,000 features, 4.2 MB at 31,900 with the word-class view). Most of it is the idf
    # table (every feature seen twice, weighted or not): pruning weights (train.MIN_WEIGHT 0.1 ->
    # 0.15) saves only 6%; past 5 MB, raise MIN_DOCUMENTS rather than this.
    assert MODEL_FILE.stat().st_size < 5_000_000


def test_train_reproduces_the_shipped_model(tmp_path: Path) -> None:
    """Training is deterministic and the committed weights are what the command writes."""
    pytest.importorskip("sklearn")
    out = tmp_path / "model.json.gz"
    result = CliRunner().invoke(cli, ["train", "--out", str(out)])
    assert result.exit_code == 0, result.output
    fresh, shipped = load_model(out), default_model()
    assert shipped is not None
    assert abs(fresh.flag_threshold - shipped.flag_threshold) <= 0.02, "retrain: support-coach train"
    common = set(fresh.weights) & set(shipped.weights)
    assert len(common) >= 0.95 * max(len(fresh.weights), len(shipped.weights)), "retrain: support-coach train"
    worst = max(abs(a - b) for key in common for a, b in zip(fresh.weights[key], shipped.weights[key], strict=True))
    assert worst < 0.05, "the shipped model is stale: run `support-coach train`"
    assert all(math.isfinite(b) for b in fresh.bias)


def test_every_category_has_a_tip() -> None:
    tips = category_tips()
    assert set(tips) == set(CATEGORIES)
    assert all(tip.tip and tip.severity in {"low", "medium", "high"} for tip in tips.values())


def _one_word_model(low: float, high: float, flags: bool = True) -> LearnedModel:
    """A model that knows one word, "zorp": it flags it as argumentative (unless not ``flags``),
    with the given pushes towards the low and high severity outputs."""
    from bot.coaching.model import OUTPUTS

    row = {"flag": 6.0 if flags else 0.0, "argumentative": 6.0 if flags else 0.0, "low": low, "high": high}
    return LearnedModel(
        weights={"zorp": tuple(row.get(name, 0.0) for name in OUTPUTS)},
        bias=(-2.0,) * len(OUTPUTS),
        idf={"zorp": 1.0},
        thresholds={
            "flag": 0.5,
            "evidence": 0.0,
            "category": 0.7,
            "veto": 0.0,
            "severity_low": 0.4,
            "severity_high": 0.5,
        },
    )


@pytest.mark.parametrize(("low", "high", "expected"), [(-6.0, 6.0, "high"), (6.0, -6.0, "low"), (-6.0, -6.0, "medium")])
def test_a_learned_finding_takes_its_severity_from_the_model(
    rules: RuleSet, low: float, high: float, expected: str
) -> None:
    analysis = detect("zorp blip", rules, model=_one_word_model(low, high))
    assert [f.rule for f in analysis.findings] == ["learned-argumentative"]
    assert analysis.severity == expected


def test_severity_targets_come_from_the_labels() -> None:
    """The low and high outputs learn from each flagged message's severity; clean messages
    carry neither (the trainer fits those outputs on flagged messages only)."""
    pytest.importorskip("sklearn")
    from bot.dataset import Example
    from bot.train import _fit, build_corpus

    harsh = [
        Example(
            id=f"h{i}",
            text=f"you never read the {w} do you",
            flag=True,
            categories=("argumentative",),
            severity="low" if i % 2 else "high",
            notes="",
            source="t",
        )
        for i, w in enumerate(["guide", "email", "invoice", "manual", "notice", "page"] * 3)
    ]
    clean = [
        Example(
            id=f"c{i}",
            text=f"thanks, the {w} is attached",
            flag=False,
            categories=(),
            severity=None,
            notes="",
            source="t",
        )
        for i, w in enumerate(["guide", "email", "invoice"] * 4)
    ]
    corpus = build_corpus(harsh + clean, [])
    low_targets = [t[-2] for t in corpus.targets]
    assert sum(low_targets) == 9 and not any(low_targets[len(harsh) :])
    model = _fit(corpus, list(range(len(harsh) + len(clean))))
    assert len(model.bias) == len(corpus.targets[0])


def test_the_threshold_keeps_near_misses_and_real_replies_rare() -> None:
    """choose_threshold takes the best F1 only among thresholds that flag few labelled near
    misses: a lower threshold that catches ten more harsh messages by also flagging three near
    misses in twenty has the better F1, and still loses."""
    from bot.dataset import Example
    from bot.train import MAX_HARD_NEGATIVE_RATE, Corpus, choose_threshold

    def example(i: int, flag: bool, notes: str) -> Example:
        return Example(
            id=f"e{i}",
            text="x",
            flag=flag,
            categories=("blame",) if flag else (),
            severity="medium" if flag else None,
            notes=notes,
            source="t",
        )

    examples = [example(i, True, "") for i in range(20)]
    examples += [example(20 + i, False, "HARD-NEG[polite]: fine") for i in range(20)]
    examples += [example(40 + i, False, "plain") for i in range(60)]
    # ten harsh messages score 0.9, ten 0.5; three near misses 0.5, the rest and plain ones 0.1
    scores = [(0.9 if i < 10 else 0.5, 0.9) for i in range(20)]
    scores += [(0.5, 0.9)] * 3 + [(0.1, 0.1)] * 17 + [(0.1, 0.1)] * 60
    targets = [(e.flag,) for e in examples]
    marked = Corpus(
        [{}] * len(examples),
        targets,
        [1.0] * len(examples),
        ["labelled"] * len(examples),
        [e.hard_negative_kind is not None for e in examples],
    )
    chosen = choose_threshold(marked, scores)
    assert chosen.hard_rate <= MAX_HARD_NEGATIVE_RATE and chosen.threshold > 0.5 and chosen.recall == 0.5
    blind = Corpus(marked.features, targets, marked.weights, marked.kinds)  # no near-miss marks: F1 alone
    assert choose_threshold(blind, scores).threshold <= 0.5


@pytest.mark.parametrize(("low", "high", "expected"), [(-6.0, 6.0, "high"), (6.0, -6.0, "low"), (-6.0, -6.0, "medium")])
def test_a_rule_flagged_message_takes_its_severity_from_the_models_reading(
    rules: RuleSet, low: float, high: float, expected: str
) -> None:
    """The labels grade the message; the rule's own severity is only its phrase's usual weight."""
    text = "zorp, as I already told you the invoice went out on Monday"
    assert detect(text, rules, model=None).flagged, "the case needs a bundled rule that fires"
    analysis = detect(text, rules, model=_one_word_model(low, high))
    assert any(not f.rule.startswith("learned-") for f in analysis.findings)
    assert analysis.severity == expected


def test_a_put_down_said_to_the_customer_stays_high_whatever_the_model_reads(rules: RuleSet) -> None:
    mild = _one_word_model(low=6.0, high=-6.0, flags=False)  # reads "zorp" as mild, adds nothing
    assert detect("zorp, classic layer 8 issue on the Wexford ticket", rules, model=mild).severity == "low"
    assert detect("Hi Wexford team, zorp, this is a layer 8 issue.", rules, model=mild).severity == "high"


def test_a_teams_own_severity_is_a_floor_under_the_models_reading(tmp_path: Path) -> None:
    from bot.coaching.rules import load_rules

    (tmp_path / "dismissive.toml").write_text(
        'category = "dismissive"\nprinciple = "Offer a way forward."\nnext_step = "I\'ll check."\n'
        'reflection = "What would help?"\nfallback = "Let\'s sort it out."\n'
        "[[rule]]\nid='not-our-circus'\nseverity='high'\ntip='Offer a way forward.'\n"
        "patterns=['''\\bnot our circus\\b''']\nanchors=['circus']\n",
        encoding="utf-8",
    )
    analysis = detect("zorp, that one is not our circus.", load_rules(tmp_path), model=_one_word_model(6.0, -6.0))
    assert "not-our-circus" in [f.rule for f in analysis.findings]
    assert analysis.severity == "high"
