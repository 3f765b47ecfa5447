"""Facts: what a rewrite must keep, found outside the flagged words."""

from __future__ import annotations

from bot.coaching.detect import detect
from bot.coaching.facts import extract, kept, listing, missing, retention


def kinds(text: str) -> dict[str, str]:
    return {fact.text: fact.kind for fact in extract(text)}


def test_markup_links_code_mentions_and_emails_are_kept_whole() -> None:
    found = kinds(
        "Hey <@U0XY12>, see <https://kb.example.com/a|the article>, run `cache --clear` or mail "
        "ops@example.com, cc @dmitri"
    )
    assert found["<@U0XY12>"] == "markup"
    assert found["<https://kb.example.com/a|the article>"] == "markup"
    assert found["`cache --clear`"] == "code"
    assert found["ops@example.com"] == "email"
    assert found["@dmitri"] == "mention"


def test_numbers_ids_amounts_and_dates() -> None:
    found = kinds("Invoice INV-2207 for $1,240.50 (15% off) is due on the 3rd at 17:30, ticket #8812.")
    for value in ("INV-2207", "$1,240.50", "15%", "3rd", "17:30", "#8812"):
        assert found.get(value) == "number", (value, found)


def test_names_mid_sentence_after_greeting_and_addressed() -> None:
    found = kinds("Hi Zofia, the Zendesk macro is fine. Priya, can you check the Stripe log?")
    assert {"Zofia", "Zendesk", "Priya", "Stripe"} <= set(found)
    assert "The" not in found and "Hi" not in found


def test_noun_phrases_stop_at_verbs_and_function_words() -> None:
    found = kinds("Did you read the green banner at the top of the billing page? Your direct debit bounced.")
    assert "the green banner" in found and "the billing page" in found
    assert "Your direct debit" in found
    assert not any(text.endswith("bounced") for text in found)


def test_words_inside_a_finding_are_not_facts() -> None:
    text = "PEBKAC again, Omar. Ticket 4410 is closed."
    found = {fact.text for fact in extract(text, detect(text))}
    assert {"Omar", "4410"} <= found
    assert "PEBKAC" not in found


def test_kept_is_case_insensitive_and_allows_another_determiner() -> None:
    fact = next(f for f in extract("Please check your invoice settings today") if f.kind == "phrase")
    assert kept(fact, "Could you check the invoice settings?")
    assert not kept(fact, "Could you check the settings?")
    number = next(f for f in extract("Order 12 shipped") if f.kind == "number")
    assert not kept(number, "Order 123 shipped")  # 12 is not in 123


def test_markup_must_survive_exactly() -> None:
    fact = extract("see <https://x.example.com|the guide>")[0]
    assert not kept(fact, "see the guide at https://x.example.com")


def test_missing_retention_and_listing() -> None:
    facts = extract("Hi Rosa, order 7731 is in the blue box.")
    assert retention(facts, "Hi Rosa, order 7731 is in the blue box.") == 1.0
    lost = missing(facts, "Hi Rosa, your order is on its way.")
    assert {f.text for f in lost} == {"7731", "the blue box"}
    assert 0 < retention(facts, "Hi Rosa, your order is on its way.") < 1
    assert "- 7731" in listing(facts)
    assert listing([]) == "- none"
