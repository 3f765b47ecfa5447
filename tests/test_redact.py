from __future__ import annotations

from bot.redact import MAX_EXCERPT, excerpt, redact


def test_redacts_personal_data_and_secrets() -> None:
    text = ("Mail jane.doe+vip@example.co.uk or call +44 20 7946 0958, card 4111 1111 1111 1111, "
            "token xoxb-123456789-abcdefghijkl and password: hunter2 <@U012ABC> in <#C01|support>")
    out = redact(text)
    for secret in ("jane.doe", "7946", "4111", "xoxb-", "hunter2", "U012ABC"):
        assert secret not in out
    assert "[email]" in out and "[phone]" in out and "[card]" in out and "[token]" in out
    assert "#support" in out


def test_excerpt_is_short_and_centred() -> None:
    text = "a" * 5000 + " you should have read the manual " + "b" * 5000
    start = text.index("you should")
    out = excerpt(text, start, start + 15)
    assert len(out) <= MAX_EXCERPT
    assert "you should have read" in out
    assert out.startswith("…") and out.endswith("…")


def test_excerpt_of_odd_unicode() -> None:
    out = excerpt("ｐｅｂｋａｃ \u200b 🙃 \U0001F600" * 100, 0, 6)
    assert 0 < len(out) <= MAX_EXCERPT
