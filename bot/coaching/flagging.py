"""What is stored about a flagged message: a redacted excerpt (never the text), the phrase, the
topic and where it was said.

A part of the Coach (``Coach`` inherits it, as the Store inherits its parts): the Coach analyses
and suggests, this describes a flag for the store, with the topics it names and the
workspace's people it redacts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.coaching.topics import Topic, default_topics, topic_of
from bot.models import Analysis, Flag
from bot.redact import KnownNames, excerpt


@dataclass
class FlagDescriber:
    """Describes a flag: ``flag_for``, with the topics and the names it redacts."""

    topics: tuple[Topic, ...] = field(default_factory=default_topics)
    # The workspace's people, redacted from excerpts wherever they appear: a scan sets them
    # from the export's users.json, the bot from the names already in the store.
    known_names: KnownNames = field(default_factory=KnownNames)

    def flag_for(
        self,
        analysis: Analysis,
        *,
        team: str,
        channel: str,
        ts: str,
        agent: str,
        channel_name: str = "",
        agent_name: str = "",
        thread_ts: str = "",
        permalink: str = "",
        source: str = "live",
        known_names: Iterable[str] = (),
    ) -> Flag:
        """What is stored about a flagged message: never the whole text, only a redacted excerpt.

        The excerpt loses the names the coach knows, the author's, and ``known_names`` (say,
        the people a message mentions, from users.info).
        """
        first = analysis.findings[0]
        rules = tuple(dict.fromkeys(f.rule for f in analysis.findings))
        return Flag(
            team=team,
            channel=channel,
            ts=ts,
            agent=agent,
            categories=analysis.categories,
            rules=rules,
            severity=analysis.severity or first.severity,
            excerpt=excerpt(
                analysis.text,
                first.start,
                first.end,
                known_names=self.known_names.with_names([agent_name, *known_names]),
            ),
            phrase=" ".join(first.match.lower().split())[:60],
            topic=topic_of(analysis.text, self.topics),
            channel_name=channel_name,
            agent_name=agent_name,
            thread_ts=thread_ts,
            permalink=permalink,
            source=source,
        )
