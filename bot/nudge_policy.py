"""Whether a live flag's nudge is held back, and why: the policy, apart from the SQL that reads
its facts and records the outcome.

The store reads the facts (the agent's snooze, their last nudge sent) and writes the flag and
the nudge in one transaction (``Store.add_flag_to_nudge``), so two harsh lines a second apart
still get one nudge; what the facts mean is decided here, as a pure function that can be
tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass

SNOOZED = "snoozed"
COOLDOWN = "cooldown"


@dataclass(frozen=True)
class NudgeFacts:
    """What is known about the agent when their flag is stored."""

    now: float
    cooldown: float  # seconds after a sent nudge in which no other is sent (0: none)
    hold: str = ""  # a reason the caller already has ("paused": low-severity nudges paused)
    snoozed_until: float | None = None  # when the agent's snooze ends, if they have one
    last_sent: float | None = None  # the agent's last nudge sent within the cooldown, if any


def hold_back(facts: NudgeFacts) -> str:
    """The reason the nudge is held back ("" sends it): the caller's own reason first, then a
    snooze still running, then a nudge sent within the cooldown."""
    if facts.hold:
        return facts.hold
    if facts.snoozed_until is not None and facts.snoozed_until > facts.now:
        return SNOOZED
    if facts.cooldown > 0 and facts.last_sent is not None and facts.last_sent > facts.now - facts.cooldown:
        return COOLDOWN
    return ""
