"""What every command shares: settings, the rules, the topics, the store and the one Coach.

Settings are read on first use, so a malformed variable only stops the commands that need
it (never ``--help``, ``check`` or ``rules``). The rules and the topics are loaded once per
run, and every command that coaches (``check``, ``scan``, ``demo``, ``eval --rewrites``,
``run``) gets its Coach from here.
"""

from __future__ import annotations

import click

from bot.coaching.coach import Coach
from bot.coaching.judge import LLMJudge, make_judge
from bot.coaching.llm import make_rewriter
from bot.coaching.rules import RuleError, RuleSet, default_rules, load_rules
from bot.coaching.templates import TemplateError
from bot.coaching.topics import Topic, load_topics
from bot.config import ConfigError, Settings, rules_dir_from_env
from bot.store import Store, StoreError


class State:
    """The run's shared values, each built on first use."""

    def __init__(
        self, settings: Settings | None = None, rules_dir: str | None = None, rules_only: bool = False
    ) -> None:
        self._rules_dir_option = rules_dir
        self.rules_only = rules_only  # the folder replaces the bundled rules instead of adding to them
        self._settings: Settings | None = settings  # given: tests and embedders; None: the environment
        self._rules: RuleSet | None = None
        self._topics: tuple[Topic, ...] | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = Settings.from_env()
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._settings

    def require(self, *names: str) -> None:
        """Settings.require as a one-line error (a missing or malformed token)."""
        try:
            self.settings.require(*names)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None

    @property
    def rules_dir(self) -> str | None:
        if self._rules_dir_option:
            return self._rules_dir_option
        configured = self._settings.rules_dir if self._settings else rules_dir_from_env()
        return str(configured) if configured else None

    def store(self, path: str | None = None) -> Store:
        if self._store is None:
            try:
                self._store = Store(path or self.settings.db_path)
            except StoreError as exc:
                raise click.ClickException(str(exc)) from None
        return self._store

    def topics(self) -> tuple[Topic, ...]:
        """prompts/topics.toml, read once per run."""
        if self._topics is None:
            try:
                self._topics = load_topics()
            except RuleError as exc:
                raise click.ClickException(f"topics: {exc}") from None
        return self._topics

    def coach(self, *, llm: bool = True) -> Coach:
        """The Coach: rules, topics, and the configured rewriter and judge (this reads the settings).
        ``llm=False`` (check, scan, demo): rules and topics only, so nothing reads the environment
        and nothing leaves the machine."""
        if not llm:
            return Coach(rules=self.rules(), topics=self.topics())
        try:
            rewriter = make_rewriter(self.settings, self.rules())
            judge = make_judge(self.settings, self.rules())
        except (ConfigError, TemplateError) as exc:
            raise click.ClickException(str(exc)) from None
        return Coach(rules=self.rules(), topics=self.topics(), llm=rewriter, judge=judge)

    def eval_judge(self) -> LLMJudge:
        """The judge for eval --llm, even with COACH_LLM_JUDGE=0; exit 2 when no model is configured."""
        try:
            judge = make_judge(self.settings, self.rules(), force=True)
        except ConfigError as exc:
            click.echo(f"error: eval --llm: {exc}", err=True)
            raise SystemExit(2) from None
        except TemplateError as exc:
            raise click.ClickException(str(exc)) from None
        if judge is None:
            click.echo(
                "error: eval --llm needs a model, and none is configured: set COACH_LLM_BASE_URL and "
                "COACH_LLM_MODEL (and COACH_LLM_API_KEY if the server needs one; see .env.example)",
                err=True,
            )
            raise SystemExit(2)
        return judge

    def load_rules(self) -> RuleSet:
        """The bundled rules, with the rules folder laid over them (or instead, with --rules-only)."""
        if not self.rules_dir:
            return default_rules()
        return load_rules(self.rules_dir) if self.rules_only else load_rules(overlay=self.rules_dir)

    def rules(self) -> RuleSet:
        if self._rules is None:
            try:
                self._rules = self.load_rules()
            except RuleError as exc:
                raise click.ClickException(f"rules: {exc}") from None
        return self._rules
