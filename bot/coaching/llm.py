"""Optional LLM rewrites through any OpenAI-compatible chat-completions server.

The rule rewrite is always computed first and is what the agent gets unless the model's
answer passes every guard: it arrives in time, is not empty, is not itself flagged by the
coach, keeps the draft's facts (the same ``bot.coaching.facts`` check the rule rewriter uses: numbers,
names, links, Slack markup, noun phrases such as "the yellow notice"), and introduces no splice
defects. The prompt lists those facts and shows a few hand-written before/after pairs
(prompts/rewrite_pairs.jsonl) of the same audience and category. Failures are logged with a
reason and never with message text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from bot.coaching import facts as fact_check
from bot.coaching.audience import audience
from bot.coaching.detect import detect
from bot.coaching.rules import RuleSet
from bot.coaching.suggestion_checks import defects
from bot.coaching.templates import PromptTemplate, few_shot, load_pairs, load_template
from bot.config import ConfigError, Settings
from bot.models import Analysis, Suggestion

log = logging.getLogger(__name__)

TEMPLATE_VARIABLES = frozenset(
    {"draft", "findings", "principles", "tone", "rule_rewrite", "facts", "examples", "audience"}
)
AUDIENCE_NOTES = {
    "customer": "a reply to a customer: keep it customer-facing and end with a concrete next step",
    "colleague": "a note to colleagues: the same note without the put-down, no customer-facing tail",
}
DEFAULT_TONE = "warm, plain and professional; short sentences; no jargon"
MAX_DRAFT_FOR_LLM = 4000


class ChatClient(Protocol):
    """What we need from a chat-completions client: one prompt in, one text out."""

    def complete(self, system: str, user: str) -> str: ...


class LLMUnavailable(RuntimeError):
    """The model did not give a usable answer (timeout, HTTP error, empty)."""


class OpenAIChatClient:
    """The official openai client, pointed at COACH_LLM_BASE_URL, no retries, short timeout."""

    def __init__(self, base_url: str, model: str, api_key: str, timeout: float) -> None:
        try:
            import openai
        except ImportError:  # pragma: no cover - exercised only without the extra installed
            raise ConfigError(
                "COACH_LLM_BASE_URL is set but the openai client is missing: pip install 'support-coach[llm]'"
            ) from None
        self._openai = openai
        self.model = model
        self.client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0)

    temperature = 0.3  # a rewrite may vary a little
    max_tokens = 600

    def complete(self, system: str, user: str) -> str:
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                temperature=self.temperature,
                max_tokens=self.max_tokens,
            )
        except self._openai.APITimeoutError:
            raise LLMUnavailable("timeout") from None
        except self._openai.APIStatusError as exc:
            raise LLMUnavailable(f"HTTP {exc.status_code}") from None
        except self._openai.APIError as exc:
            raise LLMUnavailable(type(exc).__name__) from None
        try:
            content = response.choices[0].message.content
        except (AttributeError, IndexError, TypeError):
            raise LLMUnavailable("malformed response") from None
        if not isinstance(content, str):
            raise LLMUnavailable("no text in response")
        return content


def facts(text: str, analysis: Analysis | None = None) -> set[str]:
    """What a rewrite must keep (see ``bot.coaching.facts``); words inside a finding are not facts."""
    return {fact.text for fact in fact_check.extract(text, analysis)}


def missing_facts(draft: str, answer: str, analysis: Analysis | None = None) -> list[str]:
    return sorted(fact.text for fact in fact_check.missing(fact_check.extract(draft, analysis), answer))


def _clean_answer(text: str) -> str:
    text = text.strip()
    text = re.sub(r"^```\w*\n?|\n?```$", "", text).strip()
    text = re.sub(
        r"^(?:here(?:'s| is) (?:a |the )?(?:rewrite|rewritten reply|suggestion)[^:\n]*:)\s*",
        "",
        text,
        flags=re.IGNORECASE,
    )
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'“”":
        text = text[1:-1].strip()
    return text.strip()


@dataclass
class LLMRewriter:
    """Asks the model for a rewrite and only lets a checked one through."""

    client: ChatClient
    rules: RuleSet
    system: PromptTemplate
    user: PromptTemplate
    tone: str = DEFAULT_TONE
    pairs: tuple[dict[str, object], ...] = field(default_factory=load_pairs)

    def prompt(self, draft: str, analysis: Analysis, rule_rewrite: str) -> tuple[str, str]:
        who = audience(draft, analysis)
        values = {
            "facts": fact_check.listing(fact_check.extract(draft, analysis)),
            "examples": few_shot(self.pairs, who, analysis.categories),
            "audience": AUDIENCE_NOTES.get(who, AUDIENCE_NOTES["customer"]),
            "draft": draft[:MAX_DRAFT_FOR_LLM],
            "findings": "\n".join(f"- “{f.match}” ({f.category}): {f.tip}" for f in analysis.findings) or "- none",
            "principles": "\n".join(f"- {p}" for p in analysis.principles) or "- Focus on the solution",
            "tone": self.tone,
            "rule_rewrite": rule_rewrite,
        }
        return self.system.render(**values), self.user.render(**values)

    def improve(self, draft: str, analysis: Analysis, fallback: Suggestion) -> Suggestion:
        """The model's rewrite when it passes every guard, else ``fallback`` (the rule rewrite)."""
        system, user = self.prompt(draft, analysis, fallback.text)
        try:
            answer = _clean_answer(self.client.complete(system, user))
        except LLMUnavailable as exc:
            log.warning("LLM rewrite not used: %s; using the rule rewrite", exc)
            return fallback
        except Exception as exc:
            log.warning("LLM rewrite not used: %s; using the rule rewrite", type(exc).__name__)
            return fallback
        reason = self.rejection(draft, analysis, answer)
        if reason:
            log.warning("LLM rewrite not used: %s; using the rule rewrite", reason)
            return fallback
        return replace(fallback, text=answer, source="llm")

    def rejection(self, draft: str, analysis: Analysis, answer: str) -> str:
        """Why an answer cannot be offered ('' when it can)."""
        if len(answer.split()) < 3:
            return "empty or too short answer"
        if len(answer) > max(2000, 3 * len(draft)):
            return "answer far longer than the draft"
        lost = missing_facts(draft, answer, analysis)  # before the detector: cheaper, and a sharper reason
        if lost:
            return f"answer dropped {len(lost)} fact(s) of the draft"
        if detect(answer, self.rules).flagged:
            return "answer itself flagged by the coach"
        broken = defects(draft, answer)
        if broken:
            return f"answer reads broken ({', '.join(broken)})"
        return ""


def require_model(settings: Settings) -> str:
    """The configured model name; a base URL without one is a configuration error."""
    if not settings.llm_model:
        raise ConfigError("COACH_LLM_MODEL is not set: name the model to use with COACH_LLM_BASE_URL")
    return settings.llm_model


def make_rewriter(
    settings: Settings, rules: RuleSet, client: ChatClient | None = None, templates_dir: Path | None = None
) -> LLMRewriter | None:
    """An LLMRewriter when COACH_LLM_BASE_URL and COACH_LLM_MODEL are set, else None.

    Templates are loaded and checked here, so a broken template fails at start-up.
    """
    if not settings.llm_base_url:
        return None
    require_model(settings)
    system = load_template("rewrite_system.txt", TEMPLATE_VARIABLES, templates_dir)
    user = load_template("rewrite_user.txt", TEMPLATE_VARIABLES, templates_dir)
    if client is None:
        client = OpenAIChatClient(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout)
    return LLMRewriter(client=client, rules=rules, system=system, user=user)
