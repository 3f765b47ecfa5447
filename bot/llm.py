"""Optional LLM rewrites through any OpenAI-compatible chat-completions server.

The rule rewrite is always computed first and is what the agent gets unless the model's
answer passes every guard: it arrives in time, is not empty, is not itself flagged by the
coach, and keeps the draft's facts (numbers, names, links, ids). Failures are logged with a
reason and never with message text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from bot.config import ConfigError, Settings
from bot.detect import detect
from bot.models import Analysis, Suggestion
from bot.rules import RuleSet
from bot.templates import PromptTemplate, load_template

log = logging.getLogger(__name__)

TEMPLATE_VARIABLES = frozenset({"draft", "findings", "principles", "tone", "rule_rewrite"})
DEFAULT_TONE = "warm, plain and professional; short sentences; no jargon"
MAX_DRAFT_FOR_LLM = 4000

_URL = re.compile(r"<?(https?://[^\s|>]+)")
_SLACK_ENTITY = re.compile(r"<[@#!][A-Z0-9^]+(?:\|[^>]*)?>")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBERISH = re.compile(r"(?<![\w])[#$€£]?[A-Za-z-]*\d[\w./:-]*")
_CAPITALISED = re.compile(r"\b[A-Z][a-z][\w'-]*")
_GREETING = re.compile(r"\b(?:hi|hey|hello|dear|thanks|thank you)\s+$", re.IGNORECASE)
_SENTENCE_START = re.compile(r"(?:^|[.!?\n:>*_\"“]\s*)$")


def _names(text: str) -> set[str]:
    """Capitalised words mid-sentence ("the Stripe setup"), after a greeting ("Hi Raj"), or
    addressed ("Sam, ..."); a capital at a sentence start is just grammar."""
    names = set()
    for match in _CAPITALISED.finditer(text):
        before = text[max(0, match.start() - 12):match.start()]
        mid_sentence = not _SENTENCE_START.search(before)
        addressed = text[match.end():match.end() + 1] == ","
        if mid_sentence or addressed or _GREETING.search(before):
            names.add(match.group(0))
    return names


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
            raise ConfigError("COACH_LLM_BASE_URL is set but the openai client is missing: "
                              "pip install 'support-coach[llm]'") from None
        self._openai = openai
        self.model = model
        self.client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout,
                                    max_retries=0)

    def complete(self, system: str, user: str) -> str:
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                temperature=0.3,
                max_tokens=600,
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
    """What a rewrite must keep: links, mentions, e-mails, numbers and ids, and names.

    Words inside a finding (the put-down itself) are not facts to keep.
    """
    spans = [(f.start, f.end) for f in analysis.findings] if analysis else []

    def outside(match: re.Match[str]) -> bool:
        return not any(s < match.end() and match.start() < e for s, e in spans)

    found: set[str] = set()
    for pattern in (_URL, _SLACK_ENTITY, _EMAIL):
        found |= {m.group(m.lastindex or 0).rstrip(".,") for m in pattern.finditer(text) if outside(m)}
    for match in _NUMBERISH.finditer(text):
        if outside(match) and not _URL.match(text, match.start()) and not match.group(0).startswith("http"):
            token = match.group(0).rstrip(".,:;!?")
            if token and not any(token in other for other in found):
                found.add(token)
    found |= {name for name in _names(text) if not any(s <= text.find(name) < e for s, e in spans)}
    return {f for f in found if f}


def missing_facts(draft: str, answer: str, analysis: Analysis | None = None) -> list[str]:
    answer_folded = answer.casefold()
    return sorted(f for f in facts(draft, analysis) if f.casefold() not in answer_folded)


def _clean_answer(text: str) -> str:
    text = text.strip()
    text = re.sub(r"^```\w*\n?|\n?```$", "", text).strip()
    text = re.sub(r"^(?:here(?:'s| is) (?:a |the )?(?:rewrite|rewritten reply|suggestion)[^:\n]*:)\s*", "", text,
                  flags=re.IGNORECASE)
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

    def prompt(self, draft: str, analysis: Analysis, rule_rewrite: str) -> tuple[str, str]:
        values = {
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
        if detect(answer, self.rules).flagged:
            return "answer itself flagged by the coach"
        lost = missing_facts(draft, answer, analysis)
        if lost:
            return f"answer dropped {len(lost)} fact(s) of the draft"
        return ""


def make_rewriter(settings: Settings, rules: RuleSet, client: ChatClient | None = None,
                  templates_dir: Path | None = None) -> LLMRewriter | None:
    """An LLMRewriter when COACH_LLM_BASE_URL and COACH_LLM_MODEL are set, else None.

    Templates are loaded and checked here, so a broken template fails at start-up.
    """
    if not settings.llm_base_url:
        return None
    if not settings.llm_model:
        raise ConfigError("COACH_LLM_MODEL is not set: name the model to use with COACH_LLM_BASE_URL")
    system = load_template("rewrite_system.txt", TEMPLATE_VARIABLES, templates_dir)
    user = load_template("rewrite_user.txt", TEMPLATE_VARIABLES, templates_dir)
    if client is None:
        client = OpenAIChatClient(settings.llm_base_url, settings.llm_model, settings.llm_api_key,
                                  settings.llm_timeout)
    return LLMRewriter(client=client, rules=rules, system=system, user=user)
