"""The coach: one object the Slack layer, the scanner and the CLI share.

It ties the pure pieces together (detect, rewrite, the optional LLM, topics, redaction) so
that every surface coaches the same way, and so the Slack layer never has to know how.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.coaching.detect import detect
from bot.coaching.model import LearnedModel, default_model
from bot.coaching.rewrite import rewrite
from bot.coaching.rules import RuleSet, default_rules
from bot.coaching.team import apply_settings, team_ruleset
from bot.coaching.topics import Topic, default_topics, topic_of
from bot.models import Analysis, Flag, Suggestion
from bot.redact import KnownNames, excerpt
from bot.workspace import WorkspaceSettings

log = logging.getLogger(__name__)


@dataclass
class Coach:
    """Detect, suggest and describe a flag; the LLM (if any) only ever improves a rewrite."""

    rules: RuleSet = field(default_factory=default_rules)
    topics: tuple[Topic, ...] = field(default_factory=default_topics)
    llm: object | None = None  # an bot.coaching.llm.LLMRewriter; typed loosely to keep the core import-light
    judge: object | None = None  # a bot.coaching.judge.LLMJudge: a second opinion on uncertain messages only
    # The workspace's people, redacted from excerpts wherever they appear: a scan sets them
    # from the export's users.json, the bot from the names already in the store.
    known_names: KnownNames = field(default_factory=KnownNames)
    # The learned stage: the bundled model, or a workspace's own (`train --with-feedback`); None: rules only.
    model: LearnedModel | None = field(default_factory=default_model)

    def analyse(self, text: str, workspace: WorkspaceSettings | None = None, channel: str = "") -> Analysis:
        """Rules and the learned stage; with a judge configured, the learned stage's uncertain
        messages also get the model's checked verdict (within the judge's time budget).

        ``workspace`` adds the team's custom terms to the rules and then drops what it mutes,
        allows or ranks below its threshold in ``channel``: after the judge, so a judged
        finding (rule id ``llm-judge``) is muted like any other.
        """
        rules = team_ruleset(workspace, self.rules) if workspace is not None else self.rules
        analysis = detect(text, rules, self.model)
        if self.judge is not None:
            analysis = self.judge.review(analysis)  # type: ignore[attr-defined]
        return apply_settings(workspace, analysis, channel) if workspace is not None else analysis

    def suggest(
        self,
        text: str,
        analysis: Analysis | None = None,
        use_llm: bool = True,
        workspace: WorkspaceSettings | None = None,
    ) -> Suggestion | None:
        """The rule rewrite, or a checked LLM rewrite when one is configured and asked for.

        ``workspace`` is needed when the analysis may hold custom terms: their rewrites live
        in the workspace's rule set.
        """
        rules = team_ruleset(workspace, self.rules) if workspace is not None else self.rules
        analysis = analysis if analysis is not None else self.analyse(text, workspace)
        suggestion = rewrite(text, analysis, rules, topics=self.topics)
        if suggestion is None or not use_llm or self.llm is None or suggestion.kind != "rewrite":
            return suggestion
        return self.llm.improve(text, analysis, suggestion)  # type: ignore[attr-defined]

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
