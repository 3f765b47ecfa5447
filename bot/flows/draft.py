"""Coach a draft: analyse it, suggest a calmer version, and say what to show. Never stored.

One path for ``/coach``, a DM, an @mention, the *Coach this reply* shortcut and
``support-coach check``, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.coaching.coach import Coach
from bot.models import Analysis, Suggestion
from bot.workspace import WorkspaceSettings


@dataclass(frozen=True)
class Draft:
    """A coached draft: what was spotted and the suggestion (None when it reads fine)."""

    analysis: Analysis
    suggestion: Suggestion | None

    @property
    def worst(self) -> str | None:
        """The severity ``check --fail-on`` gates on: None when nothing was flagged."""
        return self.analysis.severity if self.analysis.flagged else None

    def to_dict(self, item_id: object = None) -> dict[str, object]:
        """The ``check --format json/jsonl`` record (a shape scripts rely on: docs/architecture.md §3)."""
        analysis = self.analysis
        return {
            "id": item_id,
            "flagged": analysis.flagged,
            "categories": list(analysis.categories),
            "severity": analysis.severity,
            "findings": [finding.to_dict() for finding in analysis.findings],
            "suggestion": self.suggestion.text if self.suggestion else None,
        }


def coach_draft(
    coach: Coach,
    text: str,
    *,
    use_llm: bool = True,
    workspace: WorkspaceSettings | None = None,
) -> Draft:
    """The draft's analysis and suggestion; ``use_llm=False`` keeps to the rule rewrite
    (``check``: no settings, no network)."""
    analysis = coach.analyse(text, workspace)
    return Draft(analysis, coach.suggest(text, analysis, use_llm=use_llm, workspace=workspace))
