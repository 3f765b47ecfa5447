"""The coach: one object the Slack layer, the scanner and the CLI share.

It ties the pure pieces together (detect, rewrite, the optional LLM, topics, redaction) so
that every surface coaches the same way, and so the Slack layer never has to know how. What a
flag stores about a message (the redacted excerpt, the topic) is its part
``bot.coaching.flagging.FlagDescriber``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.coaching.detect import detect
from bot.coaching.flagging import FlagDescriber
from bot.coaching.model import LearnedModel, default_model
from bot.coaching.rewrite import rewrite
from bot.coaching.rules import RuleSet, default_rules
from bot.coaching.team import apply_settings, team_ruleset
from bot.models import Analysis, Suggestion
from bot.workspace import WorkspaceSettings

log = logging.getLogger(__name__)


@dataclass
class Coach(FlagDescriber):
    """Detect, suggest and describe a flag; the LLM (if any) only ever improves a rewrite."""

    rules: RuleSet = field(default_factory=default_rules)
    llm: object | None = None  # an bot.coaching.llm.LLMRewriter; typed loosely to keep the core import-light
    judge: object | None = None  # a bot.coaching.judge.LLMJudge: a second opinion on uncertain messages only
    # The learned stage: the bundled model, or a workspace's own (`train --with-feedback`); None: rules only.
    model: LearnedModel | None = field(default_factory=default_model)
    # Told how long each analysis took, in seconds (the bot's detect-latency histogram), as the
    # store tells its write_observer about writes.
    analyse_observer: Callable[[float], None] | None = None

    def analyse(self, text: str, workspace: WorkspaceSettings | None = None, channel: str = "") -> Analysis:
        """Rules and the learned stage; with a judge configured, the learned stage's uncertain
        messages also get the model's checked verdict (within the judge's time budget).

        ``workspace`` adds the team's custom terms to the rules and then drops what it mutes,
        allows or ranks below its threshold in ``channel``: after the judge, so a judged
        finding (rule id ``llm-judge``) is muted like any other.
        """
        started = time.perf_counter()
        try:
            rules = team_ruleset(workspace, self.rules) if workspace is not None else self.rules
            analysis = detect(text, rules, self.model)
            if self.judge is not None:
                analysis = self.judge.review(analysis)  # type: ignore[attr-defined]
            return apply_settings(workspace, analysis, channel) if workspace is not None else analysis
        finally:
            if self.analyse_observer is not None:
                self.analyse_observer(time.perf_counter() - started)

    def prepare(self, workspace: WorkspaceSettings) -> None:
        """Build the team's rule set now: its custom terms make one of their own, which takes
        seconds, and the next message should not wait for it (kept by bot.workspace, by terms)."""
        team_ruleset(workspace, self.rules)

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
