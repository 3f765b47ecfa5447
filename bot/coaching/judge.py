"""Optional LLM judge: a second opinion on the messages the learned stage is unsure about.

Rules are precise and the learned stage is fast, but near its threshold the learned stage is
often wrong (near-misses flagged, free wording missed). Teams that configure an LLM
(``COACH_LLM_*``) can have those messages, and only those, read by the model against the
labelling rules (``prompts/templates/judge_*.txt``), so the cost stays a few percent of the
traffic. The model's answer is evidence, not authority: it must be strict JSON naming known
categories and quoting words that are really in the message, and it must arrive within the
judge's time budget. Anything else is ignored and the local decision stands. Reasons are
logged; message text never is.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.coaching.context import addressed_to_customer
from bot.coaching.learned import category_tips, is_learned
from bot.coaching.llm import ChatClient, LLMUnavailable, OpenAIChatClient, require_model
from bot.coaching.model import ModelError, default_model
from bot.coaching.rules import RuleSet
from bot.coaching.templates import PromptTemplate, load_template
from bot.config import Settings
from bot.models import CATEGORIES, SEVERITIES, Analysis, Finding, severity_rank

log = logging.getLogger(__name__)

RULE_ID = "llm-judge"
TEMPLATE_VARIABLES = frozenset({"message"})
MAX_MESSAGE_FOR_JUDGE = 4000
MAX_IN_FLIGHT = 16  # calls still running (abandoned after a timeout count too) before we stop asking

_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?\s*```$", re.DOTALL)
_THINKING = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL | re.IGNORECASE)
_QUOTE_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_QUOTE_EDGES = " \t\r\n\"'“”‘’.,;:!?…"


class JudgeClient(OpenAIChatClient):
    """The rewrite client, asked for a short deterministic answer (a verdict, not prose)."""

    temperature = 0
    max_tokens = 300


@dataclass(frozen=True)
class Verdict:
    """A validated answer: the flag, its categories, the quote's span in the original text."""

    flag: bool
    categories: tuple[str, ...] = ()
    span: tuple[int, int] | None = None
    severity: str | None = None


def _folded(text: str) -> tuple[str, list[int]]:
    """Case- and whitespace-folded text, with the original index of every folded character."""
    out: list[str] = []
    where: list[int] = []
    in_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if out and not in_space:
                out.append(" ")
                where.append(index)
            in_space = True
            continue
        in_space = False
        for folded in char.translate(_QUOTE_FOLD).casefold():
            out.append(folded)
            where.append(index)
    return "".join(out), where


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """The span of ``quote`` in ``text``, ignoring case, runs of whitespace, curly quotes and
    the punctuation at its edges; None when the model quoted words the message lacks."""
    needle = _folded(quote.strip(_QUOTE_EDGES))[0].strip()
    if not any(char.isalnum() for char in needle):
        return None
    haystack, where = _folded(text)
    found = haystack.find(needle)
    if found < 0:
        return None
    return where[found], where[found + len(needle) - 1] + 1


def _json_of(answer: str) -> object:
    text = _THINKING.sub("", answer).strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    return json.loads(text)


def read_verdict(answer: str, text: str) -> tuple[Verdict | None, str]:
    """(verdict, "") for a usable answer, else (None, why it was rejected).

    The reasons are fixed phrases (counted by ``eval --llm``, logged), never the answer.
    """
    try:
        data = _json_of(answer)
    except (json.JSONDecodeError, ValueError):
        return None, "malformed JSON"
    if not isinstance(data, dict):
        return None, "answer is not a JSON object"
    flag = data.get("flag")
    if not isinstance(flag, bool):
        return None, "'flag' is not true or false"
    categories = data.get("categories") or []
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        return None, "'categories' is not a list of names"
    wanted = {c.strip().lower() for c in categories}
    if wanted - set(CATEGORIES):
        return None, "unknown category"
    if not flag:
        return Verdict(False), ""
    if not wanted:
        return None, "flag without a category"
    quote = data.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        return None, "flag without a quote"
    span = find_quote(text, quote)
    if span is None:
        return None, "quote not in message"
    severity = data.get("severity")
    return Verdict(
        True, tuple(c for c in CATEGORIES if c in wanted), span, severity if severity in SEVERITIES else None
    ), ""


@dataclass
class JudgeStats:
    """What the judge did, for ``eval --llm`` and for anyone wondering what it costs."""

    sent: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)  # added / removed / confirmed flag / confirmed clean
    rejected: Counter[str] = field(default_factory=Counter)  # the answer came back and failed validation
    unavailable: Counter[str] = field(default_factory=Counter)  # no answer: timeout, HTTP error, busy
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def note(self, bucket: str, key: str = "") -> None:
        with self._lock:
            if bucket == "sent":
                self.sent += 1
            else:
                getattr(self, bucket)[key] += 1

    def to_dict(self) -> dict[str, object]:
        return {
            "sent": self.sent,
            "outcomes": dict(self.outcomes),
            "rejected": dict(self.rejected),
            "unavailable": dict(self.unavailable),
        }


@dataclass
class LLMJudge:
    """Reviews messages in the learned stage's uncertain band; a checked answer may add a
    flag to a clean message or remove a learned-only one. Rule findings are never reviewed."""

    client: ChatClient
    rules: RuleSet
    system: PromptTemplate
    user: PromptTemplate
    band: tuple[float, float] = (0.15, 0.75)
    timeout: float = 2.0
    stats: JudgeStats = field(default_factory=JudgeStats)
    max_in_flight: int = MAX_IN_FLIGHT

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.max_in_flight)

    def wants(self, analysis: Analysis) -> bool:
        """Only uncertain messages: a learned score inside the band and no rule finding."""
        score = analysis.model_score
        if score is None or not self.band[0] <= score <= self.band[1]:
            return False
        return all(is_learned(f.rule) for f in analysis.findings)

    def review(self, analysis: Analysis) -> Analysis:
        """The judged analysis, or ``analysis`` itself when the judge is not asked or not usable."""
        if not self.wants(analysis):
            return analysis
        text = analysis.text[:MAX_MESSAGE_FOR_JUDGE]
        try:
            answer = self._ask(self.system.render(message=text), self.user.render(message=text))
        except LLMUnavailable as exc:
            return self._unused(analysis, "unavailable", str(exc))
        except Exception as exc:  # a client bug must never cost a nudge
            return self._unused(analysis, "unavailable", type(exc).__name__)
        verdict, reason = read_verdict(answer, text)
        if verdict is None:
            return self._unused(analysis, "rejected", reason)
        judged = self._apply(analysis, verdict)
        self.stats.note("outcomes", _outcome(analysis.flagged, judged.flagged))
        return judged

    def _unused(self, analysis: Analysis, bucket: str, reason: str) -> Analysis:
        """Count and log why (a fixed phrase, never message text); the local decision stands."""
        self.stats.note(bucket, reason)
        log.warning("LLM judge not used (%s): %s; the local decision stands", bucket, reason)
        return analysis

    def _ask(self, system: str, user: str) -> str:
        """The model's answer within the time budget, whatever the client's own timeouts do."""
        if not self._slots.acquire(blocking=False):
            raise LLMUnavailable("too many calls in flight")
        box: dict[str, object] = {}
        done = threading.Event()

        def call() -> None:
            try:
                box["answer"] = self.client.complete(system, user)
            except Exception as exc:
                box["error"] = exc
            finally:
                done.set()
                self._slots.release()

        self.stats.note("sent")
        try:
            threading.Thread(target=call, name="coach-llm-judge", daemon=True).start()
        except RuntimeError:
            self._slots.release()
            raise LLMUnavailable("could not start a thread") from None
        if not done.wait(self.timeout):
            raise LLMUnavailable("timeout")
        error = box.get("error")
        if isinstance(error, Exception):
            raise error
        return str(box["answer"])

    def _apply(self, analysis: Analysis, verdict: Verdict) -> Analysis:
        addressed = analysis.addressed_to_customer if analysis.flagged else addressed_to_customer(analysis.text)
        if not verdict.flag:
            if not analysis.flagged:
                return analysis
            return Analysis(text=analysis.text, addressed_to_customer=addressed, model_score=analysis.model_score)
        assert verdict.span is not None
        findings = tuple(self._finding(analysis.text, c, verdict, addressed) for c in verdict.categories)
        severity = verdict.severity or max(findings, key=lambda f: severity_rank(f.severity)).severity
        return Analysis(
            text=analysis.text,
            findings=findings,
            categories=verdict.categories,
            severity=severity,
            addressed_to_customer=addressed,
            model_score=analysis.model_score,
        )

    def _finding(self, text: str, category: str, verdict: Verdict, addressed: bool) -> Finding:
        start, end = verdict.span or (0, len(text))
        tip = category_tips()[category]
        severity = verdict.severity or tip.severity
        if not verdict.severity and addressed and tip.severity_when_addressed:
            severity = tip.severity_when_addressed
        info = self.rules.categories.get(category)
        return Finding(
            rule=RULE_ID,
            category=category,
            severity=severity,
            start=start,
            end=end,
            match=text[start:end],
            tip=tip.tip,
            principle=info.principle if info else "",
        )


def _outcome(before: bool, after: bool) -> str:
    if before == after:
        return "confirmed flag" if after else "confirmed clean"
    return "added a flag" if after else "removed a flag"


def make_judge(
    settings: Settings,
    rules: RuleSet,
    client: ChatClient | None = None,
    templates_dir: Path | None = None,
    force: bool = False,
) -> LLMJudge | None:
    """An LLMJudge when an LLM is configured and COACH_LLM_JUDGE is on (``force``: even if off).

    Templates are loaded and checked here, so a broken template fails at start-up.
    """
    if not settings.llm_base_url or not (settings.llm_judge or force):
        return None
    require_model(settings)
    system = load_template("judge_system.txt", TEMPLATE_VARIABLES, templates_dir)
    user = load_template("judge_user.txt", TEMPLATE_VARIABLES, templates_dir)
    if client is None:
        client = JudgeClient(
            settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_judge_timeout
        )
    _check_band(settings.llm_judge_band)
    log.info(
        "LLM judge on: learned scores in [%.2f, %.2f] without a rule finding go to %s, %.1f s budget",
        *settings.llm_judge_band,
        settings.llm_model,
        settings.llm_judge_timeout,
    )
    return LLMJudge(
        client=client,
        rules=rules,
        system=system,
        user=user,
        band=settings.llm_judge_band,
        timeout=settings.llm_judge_timeout,
    )


def _check_band(band: tuple[float, float]) -> None:
    """A band that misses the bundled model's threshold reviews only one side of the decision."""
    try:
        model = default_model()
    except ModelError:
        return
    if model is None:
        log.warning("LLM judge: no learned model is bundled, so no message has a score and none is judged")
        return
    threshold = model.flag_threshold
    if not band[0] <= threshold <= band[1]:
        log.warning(
            "COACH_LLM_JUDGE_BAND %.2f,%.2f does not contain the learned threshold %.2f: the judge "
            "will only ever %s flags",
            *band,
            threshold,
            "remove" if band[0] > threshold else "add",
        )
