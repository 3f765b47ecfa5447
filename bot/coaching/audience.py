"""Who a flagged message is for: a customer (a reply or draft), a colleague (a note about a
case) or the team's chatter (a put-down, which gets a reflection rather than a rewrite).

The rewriter, its scorer and the LLM prompt all ask the same question, so it lives here,
beneath all three, rather than in the rewriter the scorer checks.
"""

from __future__ import annotations

import re

from bot.models import Analysis

_THIRD_PERSON = re.compile(
    r"\b(?:she|he|her|him|they|them|their|the customer|customers?|clients?|the guy|the lady|the user|users"
    r"|fyi|eod|heads up|team|guys|folks|anyone|ticket|tickets|told (?:the|him|her|them))\b",
    re.IGNORECASE,
)
# A note about a case, not a reply: "FYI told the Hartley account ...", "handover notes: ...".
_NOTE = re.compile(
    r"^\s*(?:fyi|heads up|note for the team|notes? to self|handover|eod|for the team|team)\b"
    r"|\btold (?:him|her|them|the (?:customer|client|\w+ (?:account|team|guy|lady)))\b",
    re.IGNORECASE,
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|you're|you'll|you've|you'd|u|ur)\b", re.IGNORECASE)
# Team talk: a laugh, an emoji, a shrug in words ("lol", ":facepalm:", "😂", "felt good").
_CHAT_MARK = re.compile(
    r"\b(?:lol|lmao|rofl|haha\w*|smh|ffs|omg|tbh|fml)\b|:[a-z_+-]+:|[\U0001F300-\U0001FAFF]"
    r"|\bfelt good\b|\bi can'?t with\b",
    re.IGNORECASE,
)
# Someone talked about, not to: "with him", "her essay", "the discount guy".
_ABOUT_SOMEONE = re.compile(
    r"\b(?:he|she|him|her|his|he's|she's)\b|\bthe\s+(?:\S+\s+){0,5}?(?:guy|lady|bloke|dude|woman|man)\b", re.IGNORECASE
)
# A person named by title ("told Ms Osei"), not addressed (", Mr Tan.", "calm down Mr Patel,",
# "sorry Ms Park"); and a reply that opens
# by addressing one ("Mr Varga, ...").
_TITLED_NAME = re.compile(r"(?<!,\s)(?<!,)\b(?:Mr|Mrs|Ms|Mx|Dr)\.?\s+[A-Z][\w'-]*\b(?!\s*[,:.!?]|\s*$)")
_VOCATIVE_START = re.compile(r"^\W*(?:(?:Mr|Mrs|Ms|Mx|Dr)\.?\s+)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?,")
# A reply in a Slack thread to a colleague ("replying to <@U…>:"), not a draft for a customer.
TO_COLLEAGUE = re.compile(r"^\W*(?:thread\s+)?(?:repl(?:y|ying|ied)|answer(?:ing)?)\s+to\s+<@", re.IGNORECASE)
# Its greetings stay narrower than bot.coaching.greetings.GREETING_WORDS (which adds hiya,
# greetings and howdy): with the shared list a note to the team ("hiya team, Morris ticket: ...
# lol") reads as a reply and gets a customer rewrite instead of a reflection. It opens a reply
# when it greets someone other than the team; until this check can tell, the subset stands.
_OPENS_REPLY = re.compile(r"^\W*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b", re.IGNORECASE)

# "sending to the customer:", "reply:", "fyi, draft for #4410:": what the agent is about to send
# follows, and the prefix (the agent's own label) stays exactly as written.
DRAFT_PREFIX = re.compile(
    r"^\s*(?:[*_>]+\s*)?(?:(?:fyi|ok|so)\b,?\s+)?(?:(?:i'?m|i am|about to|going to)\s+)?"
    r"(?:sending|sent|send|reply|replying|replied|responded|response|draft(?:ed)?|macro|answer)\b[^:\n]{0,60}?:[ \t]*",
    re.IGNORECASE,
)


def audience(text: str, analysis: Analysis) -> str:
    """Who the message is for: "customer" (a reply or draft), "colleague" (a note about a
    case) or "chatter" (a put-down in team talk, which gets a reflection, not a rewrite)."""
    note = _NOTE.search(text) and not re.search(r"\b(?:sending|replying|reply|draft)\b\s*[:\-]", text, re.IGNORECASE)
    # a laugh about someone named in the third person, to no "you" and under no greeting, is
    # team talk even when it names the customer ("Mr Park emailed in all caps lol")
    gossip = (
        not _SECOND_PERSON.search(text)
        and not _OPENS_REPLY.match(text)
        and not DRAFT_PREFIX.match(text)
        and _CHAT_MARK.search(text) is not None
        and _ABOUT_SOMEONE.search(text) is not None
    )
    if gossip:
        return "chatter"
    # someone talked about, to no "you", under no greeting or draft label: a note or team talk
    # however the detector read it ("calling him Mr Caps Lock", "told Mrs Ito the rules again")
    about = (
        not _SECOND_PERSON.search(text)
        and not _OPENS_REPLY.match(text)
        and not _VOCATIVE_START.match(text)
        and not DRAFT_PREFIX.match(text)
        and (_ABOUT_SOMEONE.search(text) is not None or _TITLED_NAME.search(text) is not None)
    )
    if note or about or TO_COLLEAGUE.match(text):
        return "chatter" if set(analysis.categories) == {"disparaging"} else "colleague"
    if analysis.addressed_to_customer:
        return "customer"
    if set(analysis.categories) == {"disparaging"}:
        return "chatter"
    if _THIRD_PERSON.search(text) and not _SECOND_PERSON.search(text):
        return "colleague"
    return "customer"
