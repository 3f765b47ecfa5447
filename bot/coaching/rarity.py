"""How often a string is expected in ordinary support text, for choosing prefilter literals.

Every match of a rule pattern contains one string of each of several literal sets ("ing"
and "pebkac" in one pattern, say); the prefilter may gate on any of them and stays exact.
The best gate is the set least likely to occur in clean messages, which is not the longest:
" on the " is longer than "pebk" and far more common. The estimate is the count of a
string's rarest character trigram in a small sample of ordinary support replies written for
this purpose (no data set, no rule text): a string occurs at most as often as its rarest
trigram. Only speed depends on it, never what is found.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

# Ordinary, clean support-desk English: greetings, updates, logistics, apologies. Written for
# this estimate; edit freely (only the choice of prefilter literals, so speed, changes).
SAMPLE = """
hi there, thanks for getting in touch about your order. i have checked the account and the
payment went through on monday, so the invoice should be in your inbox by the end of the day.
could you let me know the email address you used when you signed up? then i can look for it.
i'm sorry for the trouble with the login page. we are working on a fix and i will update you
as soon as it is ready. in the meantime you can sign in from the mobile app.
hello, your refund has been processed and you should see it on your card within five days.
thank you for your patience while we looked into this. the team found the cause of the error
and the update will be released on thursday.
good morning everyone, reminder that the weekly review is at ten, and the notes are in the
channel. can someone take the tickets from the billing queue while i am in a meeting?
i've escalated the ticket to engineering and added the logs from the customer. they said
they need the request id and the time it happened, so i asked for a screenshot as well.
the export is working again after the restart. please try once more and tell me if the file
is still empty. if it is, i can send it to you by email instead.
we have updated the settings for your workspace, and the new users should get an invite
shortly. let me know if anyone does not receive it and i will resend the link.
that sounds great, thanks for confirming. i will close the ticket for now, but feel free to
reply here if anything else comes up. have a lovely weekend.
does anyone know whether the annual plan includes the reporting module? a customer is asking
about the price for twenty seats and i would like to give them the right answer today.
the courier tried to deliver the parcel this morning but could not access the building, so
they will try again tomorrow between nine and twelve. you can also pick it up from the depot.
i understand how frustrating this must be, and i want to get it sorted for you. i have reset
the password and sent a new link, which should arrive in a few minutes.
our status page shows a delay on the sync service, engineering is on it and expects it to be
back to normal within the hour. i'll post an update in this thread when i hear more.
quick question for the team: do we still offer the discount for nonprofits, or did that end
last year? i could not find it in the knowledge base.
the customer confirmed that clearing the cache fixed the problem, closing the ticket now.
your subscription renews on the first of the month, and you can change the plan at any time
under billing. there is no charge for switching between monthly and yearly.
i have added a note to the account so the next person can see what we tried. the issue seems
to be with the browser extension, and disabling it for our site should help.
shift handover: twelve open, three waiting on the customer, two with the product team, and
one about a missing invoice that needs a call back before noon.
thanks for the screenshot, that helps a lot. it looks like the import is reading the date
column in the wrong format. if you change it to year, month and day it should go through.
sorry for the slow reply, we had a busy morning. i can see the charge on your statement and
i have asked our finance team to reverse it. you will get a confirmation by email.
the new version is out for everyone, with the fix for the calendar and a faster search.
could you try it and let us know how it works for you? we would love to hear your feedback.
lunch is here, and the pizza is in the kitchen if anyone wants some before the call.
"""


@lru_cache(maxsize=1)
def _trigrams() -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in SAMPLE.strip().splitlines():
        padded = f" {line.strip()} "
        counts.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return counts


@lru_cache(maxsize=65536)
def expected_count(string: str) -> float:
    """Roughly how often ``string`` occurs in the sample: its rarest trigram's count (all of
    its length for shorter strings), plus a small term that prefers longer strings on ties."""
    counts = _trigrams()
    if len(string) < 3:
        total = sum(count for gram, count in counts.items() if string in gram)
        return float(total) + 1.0
    rarest = min(counts.get(string[i : i + 3], 0) for i in range(len(string) - 2))
    return rarest + 0.5 ** len(string)


def set_cost(strings: frozenset[str]) -> float:
    """Expected hits of a literal set: one of its strings occurs wherever it matches."""
    return sum(expected_count(string) for string in strings)


def forget_estimates() -> None:
    """Drop the memoised estimates (tens of thousands of strings) once rules are compiled."""
    expected_count.cache_clear()
