"""The learned stage's class-read view: words read as classes, the grams made from them, and
the classes travelling inside the model file."""

from __future__ import annotations

import gzip
import json
import random
import re
import string
from pathlib import Path

import pytest

from bot.coaching.model import ModelError, default_model, load_model, save_model, tokens_of
from bot.coaching.word_classes import CLASS_MARK, SKIP_DISTANCE, WordClasses, _any_of, load_word_classes
from bot.prompts import RuleError

TOY = WordClasses(
    {
        "CAUSE": ["because", "due to", "which is why"],
        "YOU": ["you", "you guys"],
        "VBD": [r"\w{2,}ed", "broke"],
    }
)


def test_class_words_and_phrases_become_tags_and_the_longest_phrase_wins() -> None:
    read = TOY.read(tokens_of("the sync stopped due to you guys renaming the folder"))
    assert read == ["the", "sync", "@VBD", "@CAUSE", "@YOU", "renaming", "the", "folder"]
    # "which is why" is one class word, not "which" + "is" + "why"
    assert TOY.read(tokens_of("which is why it broke")) == ["@CAUSE", "it", "@VBD"]
    # a phrase only counts when all of it is there
    assert TOY.read(tokens_of("due diligence")) == ["due", "diligence"]


def test_grams_hold_a_class_and_pairs_stay_close() -> None:
    grams = TOY.grams(tokens_of("it broke because you moved it"))
    assert grams, "a blame frame must give class features"
    assert all(g.startswith(CLASS_MARK) for g in grams)
    ngrams = [g for g in grams if "~" not in g]
    assert all(any(word.startswith(CLASS_MARK) for word in g[1:].split()) for g in ngrams)
    assert f"{CLASS_MARK}@CAUSE @YOU @VBD" in grams
    assert f"{CLASS_MARK}@CAUSE~@YOU" in grams
    far = ["you", *["word"] * SKIP_DISTANCE, "because"]
    assert not [g for g in TOY.grams(far) if "~" in g], "classes further apart than SKIP_DISTANCE pair up"
    assert TOY.grams(tokens_of("thanks, the parcel is on its way")) == []


def test_every_gram_is_made_once_in_order() -> None:
    """The grams are every 2-gram, then every 3-gram, of the class-read words that holds a class,
    left to right (the plain definition, against the shortcut that only looks near tags)."""
    for text in (
        "you failed because you ignored it and you deleted it",
        "because",
        "you you you",
        "all of this started because of the update",
    ):
        tokens = tokens_of(text)
        read = TOY.read(tokens)
        expected = [
            CLASS_MARK + " ".join(read[i : i + n])
            for n in (2, 3)
            for i in range(len(read) - n + 1)
            if any(w.startswith(CLASS_MARK) for w in read[i : i + n])
        ]
        grams = TOY.grams(tokens)
        assert [g for g in grams if "~" not in g] == expected
        assert TOY.grams(tokens) == grams  # the memo changes nothing


def test_the_combined_check_agrees_with_each_pattern_on_generated_words() -> None:
    """A new word skips the per-tag and per-phrase matches only when one combined match says
    none of them matches it whole: on the shipped classes, for class words, their misspellings
    and random ids, the memo's answers are the per-pattern loop's."""
    classes = load_word_classes()
    singles, firsts = classes._single, [first for first, _phrase in classes._phrases]
    assert classes._any_single is not None and classes._any_first is not None
    rng = random.Random(5)
    items = [w for its in classes.classes.values() for item in its for w in item.split() if w.isalnum()]
    words = items + [w[:i] + w[i + 1 :] for w in items for i in range(len(w))] + [w + "ed" for w in items]
    words += [
        "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randint(1, 9)))
        for _ in range(3000)
    ]
    for word in words:
        tag = next((CLASS_MARK + tag for tag, pattern in singles if pattern.fullmatch(word)), word)
        assert classes._as_read[word] == tag, word
        opens = any(first.fullmatch(word) for first in firsts)
        assert (classes._starts[word] is not None) == opens, word
        assert (classes._any_single.fullmatch(word) is not None) == any(p.fullmatch(word) for _t, p in singles)


def test_no_combined_check_for_patterns_it_would_change() -> None:
    assert _any_of([]) is None
    assert _any_of([re.compile(r"(a)\1"), re.compile("b")]) is None  # a group number would shift
    assert _any_of([re.compile("a"), re.compile("b", re.IGNORECASE)]) is None
    joined = _any_of([re.compile("ab|c"), re.compile(r"\w+ed")])
    assert joined is not None and joined.fullmatch("c") and joined.fullmatch("moved") and not joined.fullmatch("abc")


def test_the_shipped_classes_come_from_vocab_and_travel_in_the_model() -> None:
    classes = load_word_classes()
    assert {"CAUSE", "YOU", "YOUR", "NEG"} <= set(classes.classes)
    # {class} references are expanded: "your" reaches YOUR through vocab.toml's classes
    read = classes.read(tokens_of("the import failed since your admin revoked the token"))
    assert read[3:6] == ["@CAUSE", "@YOUR", "revoked"]  # no class for past forms (word_classes.toml says why)
    model = default_model()
    assert model is not None and model.word_classes is not None


def test_a_model_file_keeps_its_classes(tmp_path: Path) -> None:
    model = default_model()
    assert model is not None
    path = tmp_path / "m.json.gz"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded.word_classes == model.word_classes
    tokens = tokens_of("the export is empty because you picked the archived workspace")
    assert loaded.flag_score(tokens) == model.flag_score(tokens)


def test_a_broken_class_in_a_model_file_names_the_file(tmp_path: Path) -> None:
    model = default_model()
    assert model is not None
    data = model.to_json()
    data["word_classes"] = {"CAUSE": ["(unclosed"]}
    path = tmp_path / "bad.json.gz"
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    with pytest.raises(ModelError, match=r"bad\.json\.gz"):
        load_model(path)
    data["word_classes"] = ["not", "a", "table"]
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    with pytest.raises(ModelError, match="word_classes"):
        load_model(path)


def test_a_classes_file_naming_an_unknown_class_is_refused(tmp_path: Path) -> None:
    vocab = tmp_path / "vocab.toml"
    vocab.write_text('[you]\nitems = ["you"]\n', encoding="utf-8")
    spec = tmp_path / "word_classes.toml"
    spec.write_text('[[tag]]\nname = "YOU"\nclasses = ["you", "nobody"]\n', encoding="utf-8")
    with pytest.raises(RuleError, match="nobody"):
        load_word_classes(spec, vocab)
    spec.write_text('[[tag]]\nname = "lower"\nclasses = ["you"]\n', encoding="utf-8")
    with pytest.raises(RuleError, match="upper-case"):
        load_word_classes(spec, vocab)
