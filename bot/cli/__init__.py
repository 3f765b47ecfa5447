"""The support-coach command line: coach a draft, check the rules, and (later) run the bot."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

import click
from dotenv import find_dotenv, load_dotenv

from bot.coach import Coach
from bot.config import ConfigError, Settings, rules_dir_from_env
from bot.console import no_color, table, terminal_width
from bot.dataset import SPLITS, DataError, labelled, read_labelled, read_texts, select
from bot.detect import detect
from bot.digest import digest_text, send_digest
from bot.evaluate import evaluate, flag_rate, render_text
from bot.export import SAMPLE_EXPORT, ExportError, Limits, open_export
from bot.fixes import feedback_fixes
from bot.judge import LLMJudge, comparison_dict, make_judge, render_comparison, run_judged
from bot.llm import make_rewriter
from bot.models import SEVERITIES, Analysis, Flag, Suggestion, severity_rank
from bot.nudge import nudge_text, spotted_line
from bot.redact import KnownNames
from bot.report_format import FORMATS, render, render_rows_csv
from bot.reports import PeriodError, agent_outcomes, build_report, known, parse_days
from bot.rewrite import check_phrasing, load_strategies, rewrite
from bot.rules import RuleError, RuleSet, default_rules, load_rules
from bot.scan import ScanResult, scan_export
from bot.store import DAY, Store, StoreError
from bot.templates import TemplateError
from bot.timezones import team_zone
from bot.topics import load_topics

_SEVERITY_COLOURS = {"high": "red", "medium": "yellow", "low": "cyan"}


class _State:
    """What every command shares. Settings are read on first use, so a malformed variable only
    stops the commands that need it (never ``--help``, ``check`` or ``rules``)."""

    def __init__(self, settings: Settings | None = None, rules_dir: str | None = None,
                 rules_only: bool = False) -> None:
        self._rules_dir_option = rules_dir
        self.rules_only = rules_only  # the folder replaces the bundled rules instead of adding to them
        self._settings: Settings | None = settings  # given: tests and embedders; None: the environment
        self._rules: RuleSet | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = Settings.from_env()
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._settings

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

    def coach(self) -> Coach:
        try:
            topics = load_topics()
        except RuleError as exc:
            raise click.ClickException(f"topics: {exc}") from None
        try:
            llm = make_rewriter(self.settings, self.rules())
            judge = make_judge(self.settings, self.rules())
        except (ConfigError, TemplateError) as exc:
            raise click.ClickException(str(exc)) from None
        return Coach(rules=self.rules(), topics=topics, llm=llm, judge=judge)

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


def load_env_file(env_file: str | None) -> str | None:
    """Load ``--env-file``, else the first ``.env`` in the current folder or its parents.

    ``usecwd=True`` matters: without it python-dotenv searches upwards from the calling
    module, i.e. from site-packages/bot/, and misses the admin's .env (or finds an unrelated
    one above the virtualenv). Variables already in the environment win over the file.
    """
    path = env_file or find_dotenv(usecwd=True)
    if path:
        load_dotenv(path, override=False)
    return path or None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), default=None,
              help="Folder of rule files laid over the bundled ones (default COACH_RULES_DIR): "
                   "same id = override, enabled = false = off.")
@click.option("--rules-only", "rules_only_dir", type=click.Path(file_okay=False), default=None,
              help="Folder of rule files used instead of the bundled ones.")
@click.option("--env-file", "env_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Read settings from this file instead of the first .env in the current folder or its parents.")
@click.version_option(None, "-V", "--version", package_name="support-coach")
@click.pass_context
def cli(ctx: click.Context, rules_dir: str | None, rules_only_dir: str | None, env_file: str | None) -> None:
    """Coach customer-support replies: spot blame, arguing, put-downs and brush-offs."""
    load_env_file(env_file)
    if no_color():
        ctx.color = False  # click.echo then strips every style, on a terminal too
    if rules_dir and rules_only_dir:
        raise click.UsageError("--rules and --rules-only are alternatives: give one")
    ctx.obj = _State(rules_dir=rules_only_dir or rules_dir, rules_only=bool(rules_only_dir))


# --- check -----------------------------------------------------------------------------


@cli.command()
@click.argument("text", required=False)
@click.option("--format", "output_format", type=click.Choice(["text", "json", "jsonl"]), default="text",
              show_default=True,
              help="text: for people. json: one object. jsonl: read JSON lines from stdin, one result each.")
@click.option("--fail-on", "fail_on", type=click.Choice(SEVERITIES), default=None,
              help="Exit 1 when a message is flagged at this severity or above (gate macros and templates in CI).")
@click.pass_obj
def check(state: _State, text: str | None, output_format: str, fail_on: str | None) -> None:
    """Coach one TEXT (or stdin): what was spotted, why, and a calmer version."""
    rules = state.rules()
    if output_format == "jsonl":
        if text is not None:
            raise click.UsageError("--format jsonl reads stdin; pass no TEXT argument")
        worst = _check_jsonl(rules)
        _gate(worst, fail_on)
        return
    if text is None:
        if sys.stdin is None or sys.stdin.isatty():
            raise click.UsageError('give a TEXT to check, e.g. support-coach check "as I said, ..."')
        text = _stdin().read()
    analysis = detect(text, rules)
    suggestion = rewrite(text, analysis, rules)
    if output_format == "json":
        click.echo(json.dumps(_result(None, analysis, suggestion), ensure_ascii=False))
    else:
        _echo_human(analysis, suggestion)
    _gate(analysis.severity if analysis.flagged else None, fail_on)


def _gate(worst: str | None, fail_on: str | None) -> None:
    """``check --fail-on``: exit 1 (after all output) when the worst flag reaches the bar."""
    if fail_on and worst and severity_rank(worst) >= severity_rank(fail_on):
        click.echo(f"flagged at severity {worst} (--fail-on {fail_on})", err=True)
        sys.exit(1)


def _stdin() -> TextIO:
    """stdin as UTF-8 text that never fails on bad bytes (they become U+FFFD)."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace")


def _result(item_id: object, analysis: Analysis, suggestion: Suggestion | None) -> dict[str, object]:
    return {
        "id": item_id,
        "flagged": analysis.flagged,
        "categories": list(analysis.categories),
        "severity": analysis.severity,
        "findings": [finding.to_dict() for finding in analysis.findings],
        "suggestion": suggestion.text if suggestion else None,
    }


def _jsonl_inputs(stream: Iterator[str]) -> Iterator[tuple[object, str, str | None]]:
    """(id, text, error) per non-blank line: JSON {"id", "text"} or a plain line of text."""
    for number, raw in enumerate(stream, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        stripped = line.lstrip()
        if stripped.startswith("{"):
            try:
                item = json.loads(stripped)
            except json.JSONDecodeError as exc:
                yield number, "", f"line {number}: not valid JSON ({exc.msg})"
                continue
            if not isinstance(item, dict):
                yield number, "", f"line {number}: expected a JSON object"
                continue
            text = item.get("text")
            item_id = item.get("id", number)
            if not isinstance(text, str):
                yield item_id, "", f"line {number}: 'text' must be a string"
                continue
            yield item_id, text, None
        else:
            yield number, line, None


def _check_jsonl(rules: RuleSet) -> str | None:
    """One JSON line per input line; the worst severity flagged (None when nothing was)."""
    worst: str | None = None
    for item_id, text, error in _jsonl_inputs(_stdin()):
        if error:
            click.echo(error, err=True)
            result = _result(item_id, Analysis(text=""), None)
            result["error"] = error
        else:
            analysis = detect(text, rules)
            result = _result(item_id, analysis, rewrite(text, analysis, rules))
            if analysis.flagged and severity_rank(analysis.severity) > severity_rank(worst):
                worst = analysis.severity
        click.echo(json.dumps(result, ensure_ascii=False))
    return worst


def _highlight(analysis: Analysis) -> str:
    text = analysis.text
    pieces: list[str] = []
    cursor = 0
    for finding in analysis.findings:
        if finding.start < cursor:
            continue
        pieces.append(text[cursor:finding.start])
        colour = _SEVERITY_COLOURS.get(finding.severity, "red")
        pieces.append(click.style(text[finding.start:finding.end], fg=colour, bold=True, underline=True))
        cursor = finding.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _echo_human(analysis: Analysis, suggestion: Suggestion | None) -> None:
    if not analysis.flagged:
        click.echo(click.style("✓ Nothing to coach: this reads fine.", fg="green"))
        return
    headline = f"{', '.join(analysis.categories)} · severity {analysis.severity}"
    click.echo(click.style(f"Spotted: {headline}", bold=True))
    click.echo()
    click.echo("  " + _highlight(analysis).replace("\n", "\n  "))
    click.echo()
    for finding in analysis.findings:
        click.echo(click.style(f"• “{finding.match}”", bold=True) + f"  ({finding.category}, {finding.severity})")
        click.echo(f"  Why: {finding.principle}")
        click.echo(f"  Tip: {finding.tip}")
    if suggestion is not None:
        click.echo()
        label = "Try instead:" if suggestion.kind == "rewrite" else "Something to reflect on:"
        click.echo(click.style(label, fg="green", bold=True))
        click.echo("  " + suggestion.text.replace("\n", "\n  "))


# --- rules -----------------------------------------------------------------------------


@cli.group()
def rules() -> None:
    """Inspect and validate the coaching rules."""


@rules.command("check")
@click.pass_obj
def rules_check(state: _State) -> None:
    """Validate the rule files, and run every rule's examples and counter-examples."""
    try:
        ruleset = state.load_rules()
    except RuleError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    problems = list(_rule_self_test(ruleset))
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        sys.exit(1)
    examples = sum(len(r.examples) + len(r.counter_examples) for r in ruleset.rules)
    click.echo(f"ok: {len(ruleset.rules)} rules in {len(ruleset.categories)} categories, "
               f"{examples} examples pass")


def _rule_self_test(ruleset: RuleSet) -> Iterator[str]:
    # Examples test the rule itself, so the rules judge them alone: the learned stage may add a
    # finding to a counter-example or veto a short example, and neither says the rule is wrong.
    for rule in ruleset.rules:
        for example in rule.examples:
            if rule.id not in {f.rule for f in detect(example, ruleset, model=None).findings}:
                yield f"{rule.source}: rule {rule.id!r}: example not flagged: {example!r}"
        for example in rule.counter_examples:
            if rule.id in {f.rule for f in detect(example, ruleset, model=None).findings}:
                yield f"{rule.source}: rule {rule.id!r}: counter-example flagged: {example!r}"
        # Rewrites are fragments spliced into a sentence: the rules judge them here; the whole
        # suggestion they end up in is judged by the full engine (learned stage too) in bot.rewrite.
        for text in (rule.rewrite_sentence, rule.rewrite):
            if text and detect(text, ruleset, model=None).flagged:
                yield f"{rule.source}: rule {rule.id!r}: its rewrite is itself flagged: {text!r}"
    for name, info in ruleset.categories.items():
        for key in ("next_step", "fallback"):
            if detect(getattr(info, key), ruleset, model=None).flagged:
                yield f"{name}: '{key}' is itself flagged by the rules"
    try:  # the coach's own last resorts: rewrites.toml and the topics' next steps
        yield from (f"rewrites: {problem}" for problem in check_phrasing(ruleset, load_strategies(), load_topics()))
    except RuleError as exc:
        yield str(exc)


_DB_OPTION = click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
                          help="Database holding the workspace settings (default COACH_DB).")
_TEAM_OPTION = click.option("--team", default="", help="Only this workspace (team ID); default: every workspace.")
_BY_OPTION = click.option("--by", "actor", default=None,
                          help="Who makes the change, for the audit (default cli:$USER).")


def _actor(actor: str | None) -> str:
    import getpass

    if actor:
        return actor
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
        return "cli"


def _settings_store(state: _State, db_path: str | None) -> Store:
    """The database to edit settings in: created when missing, so a team can set up before the first run."""
    return state.store(db_path)


def _known_rule_ids(state: _State, store: Store, team: str) -> set[str]:
    """Ids a mute may name: the rules, the workspace's custom terms, learned-<category> and llm-judge."""
    from bot.workspace import known_rule_ids

    return known_rule_ids(state.rules(), store.workspace_settings(team))


@rules.command("list")
@click.option("--category", type=click.Choice(["disparaging", "blame", "argumentative", "dismissive"]))
@click.option("--source", "show_source", is_flag=True,
              help="Say where each rule and setting comes from: bundled, overlay file or workspace (--db).")
@_DB_OPTION
@_TEAM_OPTION
@click.pass_obj
def rules_list(state: _State, category: str | None, show_source: bool, db_path: str | None, team: str) -> None:
    """List the rules: id, category, severity and tip (with --source: where each comes from)."""
    if not show_source:
        rows: list[tuple[str, ...]] = [(rule.id, rule.category, rule.severity, rule.tip) for rule in state.rules().rules
                if not category or rule.category == category]
        click.echo(table(rows, headers=("rule", "category", "severity", "tip"), width=terminal_width()))
        return
    from bot.workspace import WorkspaceSettings

    path = Path(db_path) if db_path else state.settings.db_path
    workspace = state.store(str(path)).workspace_settings(team) if path.expanduser().is_file() \
        else WorkspaceSettings()
    where = "workspace"
    ruleset = workspace.ruleset(state.rules())
    rows = []
    for rule in ruleset.rules:
        if category and rule.category != category:
            continue
        muted = sorted(m.channel or "everywhere" for m in workspace.mutes if m.rule == rule.id)
        state_text = f"muted ({', '.join(muted)})" if muted else "on"
        rows.append((rule.id, rule.category, rule.severity, _rule_source(state, rule.source, where), state_text))
    click.echo(table(rows, headers=("rule", "category", "severity", "source", "state"), width=terminal_width(),
                     wrap=4))
    settings_rows: list[tuple[str, str, str]] = []
    for mute in sorted(workspace.mutes, key=lambda m: (m.rule, m.channel)):
        if ruleset.get(mute.rule) is None:  # learned-*, llm-judge: not in the table above
            settings_rows.append(("mute", f"{mute.rule}" + (f" in {mute.channel}" if mute.channel else ""), where))
    for allow in workspace.allows:
        kind = "allow regex" if allow.is_pattern else "allow"
        settings_rows.append((kind, allow.phrase + (f" (rule {allow.rule})" if allow.rule else ""), where))
    for channel in sorted(workspace.watched):
        settings_rows.append(("watch", channel, where))
    for channel in sorted(workspace.ignored):
        settings_rows.append(("ignore", channel, where))
    env_channels = state.settings.channels
    if env_channels and not workspace.watched:
        settings_rows.append(("watch", ", ".join(sorted(env_channels)), "environment (COACH_CHANNELS)"))
    if workspace.threshold:
        settings_rows.append(("threshold", f"{workspace.threshold} (everywhere)", where))
    for channel, severity in workspace.channel_thresholds:
        settings_rows.append(("threshold", f"{severity} in {channel}", where))
    from bot.workspace_options import resolve

    for key, resolved in resolve(workspace, state.settings).items():
        value = resolved.value
        shown = ", ".join(sorted(value)) if isinstance(value, frozenset | list) else str(value)
        source = {"workspace": where, "environment": f"environment ({resolved.env})"}.get(resolved.origin,
                                                                                          "built-in default")
        settings_rows.append((key.replace("_", " "), shown or "(none)", source))
    if settings_rows:
        click.echo("")
        click.echo(table(settings_rows, headers=("setting", "value", "source"), width=terminal_width(), wrap=1))
    click.echo(f"\nworkspace: the settings in {path}" + ("" if path.expanduser().is_file() else " (none yet)"))


def _rule_source(state: _State, source: str, workspace: str) -> str:
    from bot.workspace import WORKSPACE_SOURCE

    if source == WORKSPACE_SOURCE:
        return workspace
    if state.rules_only:
        return f"file {Path(state.rules_dir or '') / source}"
    if Path(source).is_absolute():
        return f"overlay {source}"
    return f"bundled {source}"


@rules.command("add")
@click.argument("phrase")
@click.option("--category", required=True, type=click.Choice(["disparaging", "blame", "argumentative", "dismissive"]))
@click.option("--severity", required=True, type=click.Choice(SEVERITIES))
@click.option("--tip", required=True, help="What to do instead, shown to the agent.")
@click.option("--rewrite", "rewrite_text", default=None, help="Replacement for the phrase in suggestions.")
@click.option("--id", "rule_id", default=None, help="Rule id (default custom-<phrase>).")
@click.option("--regex", "is_pattern", is_flag=True, help="PHRASE is a regular expression (needs --anchor, --example).")
@click.option("--anchor", "anchors", multiple=True, help="With --regex: a word one of which must appear.")
@click.option("--example", "examples", multiple=True, help="A text the term must flag (default: the phrase).")
@_DB_OPTION
@_TEAM_OPTION
@_BY_OPTION
@click.pass_obj
def rules_add(state: _State, phrase: str, category: str, severity: str, tip: str, rewrite_text: str | None,
              rule_id: str | None, is_pattern: bool, anchors: tuple[str, ...], examples: tuple[str, ...],
              db_path: str | None, team: str, actor: str | None) -> None:
    """Add the team's own term, checked like a rule file (it compiles, its examples are flagged)."""
    from bot.workspace import CustomTerm, SettingsError, default_term_id, validate_term

    if rule_id is None:
        rule_id = default_term_id(phrase)
    term = CustomTerm(rule_id, phrase, category, severity, tip, rewrite_text, is_pattern, anchors, examples)
    try:
        validate_term(term, state.rules())
    except SettingsError as exc:
        raise click.ClickException(f"not added: {exc}") from None
    store = _settings_store(state, db_path)
    store.put_term(term, team=team, actor=_actor(actor))
    click.echo(f"added {rule_id} ({category}, {severity}) to {store.path}")


@rules.command("allow")
@click.argument("phrase")
@click.option("--regex", "is_pattern", is_flag=True, help="PHRASE is a regular expression (case-insensitive).")
@click.option("--rule", "rule", default="", help="Only silence this rule's findings (default: any rule's).")
@click.option("--remove", is_flag=True, help="Take the phrase off the allow list.")
@_DB_OPTION
@_TEAM_OPTION
@_BY_OPTION
@click.pass_obj
def rules_allow(state: _State, phrase: str, is_pattern: bool, rule: str, remove: bool, db_path: str | None,
                team: str, actor: str | None) -> None:
    """Allow a phrase the team uses innocently: findings inside it are silenced."""
    from bot.workspace import SettingsError

    store = _settings_store(state, db_path)
    if rule and rule not in _known_rule_ids(state, store, team):
        raise click.ClickException(f"unknown rule {rule!r} (support-coach rules list shows them)")
    if remove:
        done = store.disallow_phrase(phrase, is_pattern, rule, team=team, actor=_actor(actor))
        click.echo(f"removed {phrase!r} from the allow list" if done else f"{phrase!r} was not on the allow list")
        return
    try:
        done = store.allow_phrase(phrase, is_pattern, rule, team=team, actor=_actor(actor))
    except SettingsError as exc:
        raise click.ClickException(f"not allowed: {exc}") from None
    click.echo(f"allowed {phrase!r}" + (f" for {rule}" if rule else "") if done else f"{phrase!r} was already allowed")


@rules.command("mute")
@click.argument("rule")
@click.option("--channel", default="", help="Only in this channel (ID); default: everywhere.")
@_DB_OPTION
@_TEAM_OPTION
@_BY_OPTION
@click.pass_obj
def rules_mute(state: _State, rule: str, channel: str, db_path: str | None, team: str, actor: str | None) -> None:
    """Switch a rule off everywhere or in one channel (learned-<category> mutes the learned stage's)."""
    store = _settings_store(state, db_path)
    if rule not in _known_rule_ids(state, store, team):
        raise click.ClickException(f"unknown rule {rule!r} (support-coach rules list shows them)")
    done = store.mute_rule(rule, channel, team=team, actor=_actor(actor))
    where = f"in {channel}" if channel else "everywhere"
    click.echo(f"muted {rule} {where}" if done else f"{rule} was already muted {where}")


@rules.command("unmute")
@click.argument("rule")
@click.option("--channel", default="", help="The channel it was muted in; default: the everywhere mute.")
@_DB_OPTION
@_TEAM_OPTION
@_BY_OPTION
@click.pass_obj
def rules_unmute(state: _State, rule: str, channel: str, db_path: str | None, team: str, actor: str | None) -> None:
    """Switch a muted rule back on."""
    store = _settings_store(state, db_path)
    done = store.unmute_rule(rule, channel, team=team, actor=_actor(actor))
    where = f"in {channel}" if channel else "everywhere"
    if not done:
        raise click.ClickException(f"{rule} is not muted {where}")
    click.echo(f"unmuted {rule} {where}")


@rules.command("channel")
@click.argument("channel")
@click.option("--watch", "mode", flag_value="watch",
              help="Coach this channel (the watched list replaces COACH_CHANNELS).")
@click.option("--ignore", "mode", flag_value="ignore", help="Never coach or store anything from this channel.")
@click.option("--forget", "mode", flag_value="forget", help="Back to the default (COACH_CHANNELS).")
@_DB_OPTION
@_TEAM_OPTION
@_BY_OPTION
@click.pass_obj
def rules_channel(state: _State, channel: str, mode: str | None, db_path: str | None, team: str,
                  actor: str | None) -> None:
    """Watch or ignore a channel (by ID)."""
    if mode is None:
        raise click.UsageError("say --watch, --ignore or --forget")
    _settings_store(state, db_path).set_channel_mode(channel, None if mode == "forget" else mode, team=team,
                                                     actor=_actor(actor))
    click.echo(f"{channel}: {mode}")


@rules.command("threshold")
@click.argument("severity", type=click.Choice([*SEVERITIES, "none"]))
@click.option("--channel", default="", help="Only in this channel (ID); default: everywhere.")
@_DB_OPTION
@_TEAM_OPTION
@_BY_OPTION
@click.pass_obj
def rules_threshold(state: _State, severity: str, channel: str, db_path: str | None, team: str,
                    actor: str | None) -> None:
    """The lowest severity that is flagged and nudged ("none": every severity)."""
    _settings_store(state, db_path).set_threshold(None if severity == "none" else severity, channel, team=team,
                                                  actor=_actor(actor))
    click.echo(f"threshold {severity} " + (f"in {channel}" if channel else "everywhere"))


# --- eval --------------------------------------------------------------------------------


@cli.command("eval")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--split", type=click.Choice(SPLITS), default="all", show_default=True,
              help="Which part of the files: the repository's held-out split, the training part, or all.")
@click.option("--real", "real_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Unlabelled JSONL of replies assumed clean: report the share flagged (repeatable).")
@click.option("--min-precision", type=float, default=None, help="Exit 1 if precision is lower.")
@click.option("--min-recall", type=float, default=None, help="Exit 1 if recall is lower.")
@click.option("--max-hard-negatives", type=float, default=None, help="Exit 1 if more of the near-misses are flagged.")
@click.option("--show-misses", type=int, default=0, show_default=True, help="Print the first N mistakes.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rewrites", is_flag=True,
              help="Score the suggestions instead (facts kept, stock text, repeats, next steps, defects).")
@click.option("--llm", "use_llm", is_flag=True,
              help="Also run with the LLM judge (COACH_LLM_*) in the loop; gates then apply to the judged figures.")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Use this learned-stage file (say, a workspace model from train --with-feedback) and show "
                   "the figures before (bundled model) and after.")
@click.pass_obj
def eval_command(state: _State, files: tuple[str, ...], split: str, real_files: tuple[str, ...],
                 min_precision: float | None, min_recall: float | None, max_hard_negatives: float | None,
                 show_misses: int, output_format: str, rewrites: bool, use_llm: bool, model_path: str | None) -> None:
    """Measure the coach on labelled FILES (JSONL: text, flag, categories, severity, notes).

    Without FILES, the repository's own labelled data (a checkout's data/ folder) is used.
    """
    rules = state.rules()
    if model_path:
        _eval_model(state, files, split, model_path, output_format)
        return
    judge = _eval_judge(state) if use_llm else None
    try:
        examples = select([e for path in files for e in read_labelled(path)], split) if files else labelled(split)
    except DataError as exc:
        raise click.ClickException(str(exc)) from None
    if not examples:
        raise click.ClickException("no labelled messages to evaluate")
    if rewrites:
        _eval_rewrites(state, examples, show_misses, output_format)
        return
    result = evaluate(examples, lambda text: detect(text, rules))
    real: dict[str, dict[str, float | int]] = {}
    real_texts: dict[str, list[str]] = {}
    for path in real_files:
        with open(path, encoding="utf-8") as handle:
            try:
                texts = real_texts[path] = [text for _id, text in read_texts(handle)]
            except (ValueError, KeyError) as exc:
                raise click.ClickException(f"{path}: each line needs a JSON object with 'text': {exc}") from None
        flagged, total = flag_rate(texts, lambda text: detect(text, rules))
        real[path] = {"flagged": flagged, "total": total, "rate": round(flagged / total, 5) if total else 0.0}
    judged = run_judged(judge, examples, lambda text: detect(text, rules), real_texts) if judge else None
    if output_format == "json":
        extra = {"llm_judge": comparison_dict(judged, state.settings.llm_model)} if judged else {}
        click.echo(json.dumps({**result.to_dict(), "real_replies": real, **extra}, indent=2))
    else:
        click.echo(render_text(result, show_misses))
        for path, figures in real.items():
            click.echo(f"real replies flagged ({path}): {figures['flagged']}/{figures['total']}"
                       f" ({figures['rate']:.2%})")
        if judged:
            click.echo("\n" + render_comparison(judged, state.settings.llm_model))
    result = judged.judged if judged else result  # with --llm, the gates judge the judged figures
    failed = []
    if min_precision is not None and result.flags.precision < min_precision:
        failed.append(f"precision {result.flags.precision:.3f} < {min_precision}")
    if min_recall is not None and result.flags.recall < min_recall:
        failed.append(f"recall {result.flags.recall:.3f} < {min_recall}")
    if max_hard_negatives is not None and result.hard_rate > max_hard_negatives:
        failed.append(f"hard negatives {result.hard_rate:.3f} > {max_hard_negatives}")
    if failed:
        click.echo("below target: " + "; ".join(failed), err=True)
        sys.exit(1)


def _eval_model(state: _State, files: tuple[str, ...], split: str, model_path: str, output_format: str) -> None:
    """eval --model: the engine with the bundled model, then with MODEL, on the same messages."""
    from bot.feedback_training import comparison, engine_figures
    from bot.model import ModelError, default_model, load_model

    try:
        model = load_model(model_path)
        examples = select([e for path in files for e in read_labelled(path)], split) if files else labelled(split)
    except (ModelError, DataError) as exc:
        raise click.ClickException(str(exc)) from None
    before = engine_figures(state.rules(), default_model(), examples)
    after = engine_figures(state.rules(), model, examples)
    if output_format == "json":
        click.echo(json.dumps({"split": split, "before": before.__dict__, "after": after.__dict__}, indent=2))
        return
    where = "held-out split" if split == "holdout" and not files else f"{split} split of {len(examples)} messages"
    click.echo(comparison(before, after, "bundled model", model_path, where))


def _eval_rewrites(state: _State, examples: list, show: int, output_format: str) -> None:
    """support-coach eval --rewrites: the rule suggestions scored over the flagged messages."""
    from bot.rewrite_eval import render as render_rewrites
    from bot.rewrite_eval import score_examples

    coach = state.coach()
    report = score_examples(examples, lambda text, analysis: coach.suggest(text, analysis, use_llm=False),
                            coach.rules)
    if output_format == "json":
        click.echo(json.dumps(report.figures(), indent=2))
    else:
        click.echo(render_rewrites(report, show))


def _eval_judge(state: _State) -> LLMJudge:
    """The judge for eval --llm, even with COACH_LLM_JUDGE=0; exit 2 when no model is configured."""
    try:
        judge = make_judge(state.settings, state.rules(), force=True)
    except ConfigError as exc:
        click.echo(f"error: eval --llm: {exc}", err=True)
        sys.exit(2)
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    if judge is None:
        click.echo("error: eval --llm needs a model, and none is configured: set COACH_LLM_BASE_URL and "
                   "COACH_LLM_MODEL (and COACH_LLM_API_KEY if the server needs one; see .env.example)", err=True)
        sys.exit(2)
    return judge


# --- train --------------------------------------------------------------------------------


@cli.command("train")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              help="Where to write the model (default: the package's prompts/model/coach-model.json.gz; "
                   "with --with-feedback, the workspace model next to the database).")
@click.option("--with-feedback", "with_feedback", is_flag=True,
              help="Also learn from the workspace's confirmed votes (Not helpful: negatives, Helpful: positives) "
                   "into a workspace model the bot loads; refused if held-out precision or recall drop > 1 point.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="With --with-feedback: the database holding the votes (default COACH_DB).")
@click.option("--team", default=None, help="With --with-feedback: only this workspace's votes (team ID).")
@click.option("--sample", type=click.IntRange(min=0), default=0,
              help="Train on about this many labelled messages (every n-th): a check in seconds, not a model to keep.")
@click.pass_obj
def train_command(state: _State, out_path: str | None, with_feedback: bool, db_path: str | None,
                  team: str | None, sample: int) -> None:
    """Train the learned stage on the repository's training split (needs the [train] extra)."""
    from bot.model import MODEL_FILE, save_model
    from bot.train import TrainingError, train

    progress = lambda message: click.echo(message, err=True)  # noqa: E731
    if sample and not (with_feedback or out_path):
        raise click.UsageError("--sample trains a model not to keep: give --out (or --with-feedback, whose "
                               "held-out check decides)")
    if with_feedback:
        _train_with_feedback(state, out_path, db_path, team, sample, progress)
        return
    try:
        model = train(progress=progress, sample=sample)
    except (TrainingError, DataError) as exc:
        raise click.ClickException(str(exc)) from None
    target = out_path or str(MODEL_FILE)
    save_model(model, target)
    click.echo(f"wrote {target}: {len(model.weights)} weighted features, "
               f"flag threshold {model.flag_threshold:.2f}")


def _train_with_feedback(state: _State, out_path: str | None, db_path: str | None, team: str | None, sample: int,
                         progress: Callable[[str], None]) -> None:
    """train --with-feedback: retrain with the votes, compare on the held-out split, keep or refuse."""
    from bot.feedback_training import (
        comparison,
        current_model,
        engine_figures,
        feedback_examples,
        refusal,
        workspace_model_path,
    )
    from bot.model import ModelError, save_model
    from bot.train import TrainingError, train

    store = _existing_store(state, db_path)
    examples = feedback_examples(store, team)
    if not examples:
        raise click.ClickException(f"{store.path}: no confirmed feedback yet (votes by the flag's own agent on "
                                   "flags whose excerpt is kept)")
    positives = sum(e.flag for e in examples)
    progress(f"workspace feedback: {positives} helpful (positives), {len(examples) - positives} not helpful "
             "(negatives)")
    try:
        before_model, before_name = current_model(store.path)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        model = train(progress=progress, feedback=examples, sample=sample)
        holdout = labelled("holdout")
    except (TrainingError, DataError) as exc:
        raise click.ClickException(str(exc)) from None
    rules = state.rules()
    before = engine_figures(rules, before_model, holdout)
    after = engine_figures(rules, model, holdout)
    click.echo(comparison(before, after, before_name, "retrained with feedback"))
    refused = refusal(before, after)
    if refused:
        click.echo(f"refused: {refused} (more than 1 point); nothing written, the {before_name} stays", err=True)
        sys.exit(1)
    target = out_path or str(workspace_model_path(store.path))
    save_model(model, target)
    click.echo(f"wrote {target}: {len(model.weights)} weighted features, flag threshold "
               f"{model.flag_threshold:.2f}; `support-coach run` loads it")


# --- run ---------------------------------------------------------------------------------


@cli.command()
@click.option("--http", "http_mode", is_flag=True, help="Serve HTTP even when SLACK_APP_TOKEN is set.")
@click.option("--port", type=int, default=None, help="HTTP port (default PORT or 3000).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="HTTP address to listen on: loopback for a proxy on this machine; 0.0.0.0 to expose it.")
@click.pass_obj
def run(state: _State, http_mode: bool, port: int | None, host: str) -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP at POST /slack/events."""
    import os

    from bot.slack.logs import configure_logging

    settings = state.settings
    configure_logging(settings.log_format)  # COACH_LOG_FORMAT: text (default) or json
    socket_mode = bool(settings.slack_app_token) and not http_mode
    try:
        settings.require("SLACK_BOT_TOKEN", *(["SLACK_APP_TOKEN"] if socket_mode else ["SLACK_SIGNING_SECRET"]))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    coach = state.coach()
    store = state.store()
    _workspace_model(coach, settings.db_path)
    # Names the store already knows (from scans) leave excerpts; see bot/redact.py for users.info.
    coach.known_names = KnownNames(store.names("agent").values())
    from bot.scheduler import Scheduler
    from bot.slack.app import create_app
    from bot.slack.digest_post import post_digest
    from bot.slack.server import HttpServer, run_socket_mode

    try:
        app, deps = create_app(settings, store, coach)
    except Exception as exc:  # e.g. invalid_auth from auth.test: one line, no traceback
        raise click.ClickException(f"could not start the Slack app: {exc}") from None
    Scheduler(settings, store,
              lambda channel, digest: post_digest(deps.client, channel, digest, settings.digest_chart),
              team=deps.team_id).start()
    # A flag still waiting for a locked or full database goes to the spool on the way out, even on
    # SIGTERM (a deploy, a restart), instead of vanishing with the process.
    import atexit
    import signal

    if deps.writer is not None:
        atexit.register(deps.writer.close)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if settings.metrics_port:  # the only way to scrape Socket Mode; HTTP mode also has GET /metrics
        try:
            metrics_port, _stop = deps.metrics.serve(settings.metrics_port, settings.metrics_host)
        except OSError as exc:
            raise click.ClickException(f"COACH_METRICS_PORT {settings.metrics_port}: {exc.strerror}") from None
        click.echo(f"support-coach: metrics on {settings.metrics_host}:{metrics_port} (GET /metrics)")
    if socket_mode:
        click.echo("support-coach: Socket Mode, connecting to Slack…")
        run_socket_mode(app, settings.slack_app_token)
        return
    port = port or int(os.environ.get("PORT") or 3000)
    server = HttpServer(app, deps, host=host, port=port)
    click.echo(f"support-coach: HTTP on {host}:{server.port} (POST /slack/events, GET /healthz, GET /metrics)")
    server.serve_forever()


def _workspace_model(coach: Coach, db_path: Path) -> None:
    """The workspace's own learned stage (train --with-feedback), when its file is there."""
    from bot.feedback_training import workspace_model_path
    from bot.model import ModelError, load_model

    path = workspace_model_path(db_path)
    if path is None or not path.is_file():
        return
    try:
        coach.model = load_model(path)
    except ModelError as exc:  # a broken file must not stop the bot: the bundled model stays
        click.echo(f"support-coach: workspace model not used ({exc}); the bundled model stays", err=True)
        return
    click.echo(f"support-coach: learned stage from the workspace model {path}")


# --- doctor ------------------------------------------------------------------------------

_STATUS_STYLE = {"ok": ("  ok", "green"), "fail": ("FAIL", "red"), "skip": ("  --", "yellow")}


@cli.command()
@click.option("--http", "http_mode", is_flag=True,
              help="Check HTTP mode even when SLACK_APP_TOKEN is set (as run --http).")
@click.pass_obj
def doctor(state: _State, http_mode: bool) -> None:
    """Check the setup, one line each: tokens, Slack access and scopes, channels, database, rules, LLM.

    Exits 1 when any check fails; "--" marks a check that does not apply to this setup.
    """
    from bot.doctor import FAIL, Check, run_checks

    try:
        checks = run_checks(Settings.from_env(), http_mode=http_mode, rules_dir=state.rules_dir,
                            rules_only=state.rules_only)
    except ConfigError as exc:
        checks = iter([Check("settings", FAIL, str(exc))])
    failed = total = 0
    for item in checks:
        label, colour = _STATUS_STYLE[item.status]
        click.echo(f"{click.style(label, fg=colour, bold=item.failed)}  {item.name:<26} {item.detail}")
        total += 1
        failed += item.failed
    if failed:
        click.echo(click.style(f"{failed} of {total} checks failed.", fg="red", bold=True))
        sys.exit(1)
    click.echo(click.style("Everything checks out.", fg="green", bold=True))


# --- report, digest, purge ------------------------------------------------------------


def _options_team(store: Store) -> str:
    """The workspace whose settings the CLI reads: the one that set options in Slack, else "" (everyone's)."""
    teams = store.option_teams()
    return teams[0] if len(teams) == 1 else ""


def _days(value: str, option: str) -> int:
    try:
        return parse_days(value)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


@cli.command()
@click.option("--since", default="7d", show_default=True,
              help="Period: whole days ending today, in the team's zone (set in Slack, else COACH_TZ): 7d, 30d, 2w.")
@click.option("--channel", default=None, help="Only this channel (ID or name).")
@click.option("--agent", default=None, help="Only this agent (user ID, or display name).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=None,
              help="table (the default), csv, json or markdown.")
@click.option("--rows", is_flag=True, help="CSV with one row per flag (the JSON report's flag fields) instead.")
@click.option("--chart", "chart_path", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write the period's chart as a PNG (needs the [charts] extra).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None, help="Database (default COACH_DB).")
@click.pass_obj
def report(state: _State, since: str, channel: str | None, agent: str | None, output_format: str | None,
           rows: bool, chart_path: str | None, db_path: str | None) -> None:
    """What was flagged: totals and trend, by category, channel, agent; outcomes; struggles."""
    days = _days(since, "--since")
    if rows and output_format not in (None, "csv"):
        raise click.BadParameter("--rows writes CSV; leave out --format or use --format csv", param_hint="--rows")
    output_format = "csv" if rows else output_format or "table"
    if chart_path:  # before any work: without the [charts] extra, say so and what to install
        from bot.charts import ChartsUnavailable, require

        try:
            require()
        except ChartsUnavailable as exc:
            raise click.ClickException(str(exc)) from None
    store = _existing_store(state, db_path)
    channel = _known_channel(store, channel)
    agent = _known_agent(store, agent)
    tz = team_zone(state.settings.time_zone, store.workspace_settings(_options_team(store)))
    data = build_report(store, days, channel=channel, agent=agent, include_flags=output_format == "json", tz=tz)
    store.audit("cli", "export" if output_format in ("csv", "json") else "report", days=days, channel=channel,
                agent=agent, format="rows" if rows else output_format)
    if rows:
        for line in render_rows_csv(store.iter_flags(data.period.start, data.period.end, channel, agent)):
            click.echo(line, nl=False)
    else:
        agents = agent_outcomes(store, data) if output_format in ("table", "markdown") else None
        click.echo(render(data, output_format, width=terminal_width(), agents=agents))
    if chart_path:
        from bot.charts import render_png

        Path(chart_path).write_bytes(render_png(data))
        click.echo(f"chart written to {chart_path}", err=True)


@cli.command()
@click.option("--post", is_flag=True, help="Post it to the digest channel: the one set in Slack, else "
                                           "COACH_DIGEST_CHANNEL (needs SLACK_BOT_TOKEN); with COACH_DIGEST_CHART=1 "
                                           "its chart too.")
@click.option("--since", default="7d", show_default=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None)
@click.option("--team", default=None, help="Whose digest settings (team ID); default: the one workspace that "
                                           "has set any in Slack.")
@click.pass_obj
def digest(state: _State, post: bool, since: str, db_path: str | None, team: str | None) -> None:
    """Print the digest (weekly or daily when the schedule is and --since matches), or post it with --post."""
    from bot.workspace_options import digest_plan

    days = _days(since, "--since")
    settings = state.settings
    if post:
        try:
            settings.require("SLACK_BOT_TOKEN")
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    store = _existing_store(state, db_path)
    team = _options_team(store) if team is None else team
    workspace = store.workspace_settings(team)
    channel, schedule, tz = digest_plan(workspace, settings)
    if post and not channel:
        raise click.ClickException("no digest channel: set COACH_DIGEST_CHANNEL, or pick one in Slack "
                                   "(App Home → Settings → Digest and time zone)")
    data = build_report(store, days, tz=tz)
    cadence = schedule.cadence if schedule.days == days else None
    fixes = feedback_fixes(store, data, workspace, team or None)  # the same as App Home's
    if not post:
        click.echo(digest_text(data, cadence, fixes))
        return
    from bot.slack.client import web_client  # only the Slack layer imports slack_sdk
    from bot.slack.digest_post import post_digest

    client = web_client(settings)
    try:
        send_digest(data, channel, lambda to, message: post_digest(client, to, message, settings.digest_chart),
                    cadence, fixes)
    except Exception as exc:
        raise click.ClickException(f"could not post the digest: {exc}") from None
    store.audit("cli", "digest", team=team, channel=channel, days=days)
    click.echo(f"Digest posted to {channel}.")


@cli.command()
@click.option("--older-than", "older_than", default=None, help="Age to keep (default COACH_RETENTION_DAYS, 90d).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None)
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Do not ask for confirmation (scripts, cron).")
@click.pass_obj
def purge(state: _State, older_than: str | None, db_path: str | None, dry_run: bool, assume_yes: bool) -> None:
    """Delete flags, feedback and nudge records older than the retention period."""
    days = _days(older_than, "--older-than") if older_than else state.settings.retention_days
    store = _existing_store(state, db_path)
    cutoff = time.time() - days * DAY
    preview = _purge_preview(store, cutoff)
    what = f"{preview['flags']} flags, {preview['feedback']} feedback, {preview['nudges']} nudge records"
    if dry_run:
        click.echo(f"Would purge data older than {days} days from {store.path}: {what}. Nothing deleted.")
        return
    if not assume_yes:
        click.confirm(f"Delete data older than {days} days from {store.path} ({what})?", abort=True, err=True)
    counts = store.purge(cutoff)
    store.audit("cli", "purge", days=days, **counts)  # type: ignore[arg-type]  # table names, never "team"
    click.echo(f"Purged data older than {days} days: {counts['flags']} flags, {counts['feedback']} feedback, "
               f"{counts['nudges']} nudge records.")


def _purge_preview(store: Store, cutoff: float) -> dict[str, int]:
    """What ``Store.purge`` would delete, counted with the same cut-off (read only)."""
    return {table: int(store.db.execute(f"SELECT COUNT(*) FROM {table} WHERE created_at < ?", [cutoff]).fetchone()[0])
            for table in ("flags", "feedback", "nudges")}


def _existing_store(state: _State, db_path: str | None) -> Store:
    """The database of a review; one that does not exist is an error, not a new empty file.

    Opening a mistyped path used to create it and print a report of zeros, which reads as
    "a calm week" rather than "wrong file".
    """
    path = Path(db_path) if db_path else state.settings.db_path
    if not path.expanduser().is_file():
        source = "--db" if db_path else "COACH_DB"
        raise click.ClickException(
            f"no database at {path} ({source}): nothing was ever stored there. Scan an export first "
            f"(support-coach scan EXPORT --db {path}), run the bot, or point --db at the right file.")
    return state.store(str(path))


def _listing(known: dict[str, str], prefix: str = "", limit: int = 20) -> str:
    items = sorted(known.items(), key=lambda item: item[1].lower())
    shown = [f"{prefix}{name} ({key})" if name != key else f"{prefix}{key}" for key, name in items[:limit]]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(shown) + more if shown else "none (nothing flagged yet)"


def _known_channel(store: Store, channel: str | None) -> str | None:
    """The channel as given (ID or name, with or without '#'), if the database knows it."""
    if not channel:
        return None
    channels = known(store, "channel")
    if channel in channels or channel.lstrip("#") in channels.values():
        return channel
    raise click.ClickException(f"no channel {channel!r} in {store.path}. Known channels: "
                               f"{_listing(channels, '#')}")


def _known_agent(store: Store, agent: str | None) -> str | None:
    """The agent's user ID; a display name is accepted too (case aside) when it is unique."""
    if not agent:
        return None
    agents = known(store, "agent")
    if agent in agents:
        return agent
    by_name = [key for key, name in agents.items() if name.casefold() == agent.casefold()]
    if len(by_name) == 1:
        return by_name[0]
    raise click.ClickException(f"no agent {agent!r} in {store.path}. Known agents: {_listing(agents)}")


# --- scan and demo ----------------------------------------------------------------------


@cli.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--channel", "channels", multiple=True, help="Only this channel name (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the findings; store nothing.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None, help="Database (default COACH_DB).")
@click.option("--max-member-mb", type=click.IntRange(min=1), default=None,
              help="Refuse a file that expands beyond this (default COACH_SCAN_MAX_MEMBER_MB or 512).")
@click.option("--max-total-mb", type=click.IntRange(min=1), default=None,
              help="Stop when the export expands beyond this (default COACH_SCAN_MAX_TOTAL_MB or 20480).")
@click.option("--max-ratio", type=click.FloatRange(min=1), default=None,
              help="Refuse a zip member compressed more than this, a zip bomb (default COACH_SCAN_MAX_RATIO or 200).")
@click.pass_obj
def scan(state: _State, path: str, channels: tuple[str, ...], dry_run: bool, db_path: str | None,
         max_member_mb: int | None, max_total_mb: int | None, max_ratio: float | None) -> None:
    """Coach every message of a Slack export (.zip or folder) and store the flags."""
    settings = state.settings
    limits = Limits(max_member_mb=max_member_mb or settings.scan_max_member_mb,
                    max_total_mb=max_total_mb or settings.scan_max_total_mb,
                    max_ratio=max_ratio or settings.scan_max_ratio)
    coach = Coach(rules=state.rules(), topics=_topics())
    store = None if dry_run else state.store(db_path)
    try:
        result = _run_scan(path, channels, coach, store, dry_run, limits=limits)
    except sqlite3.DatabaseError as exc:  # locked by another process past the busy timeout, or full
        where = store.path if store is not None else "the database"
        raise click.ClickException(f"{where}: the database refused the flags ({exc}); the batches before "
                                   "were stored, run the scan again to add the rest (it skips what is stored)") \
            from None
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    click.echo(result.summary(dry_run))
    if store is not None:
        store.audit("cli", "scan", path=str(path), messages=result.messages, added=result.added)
    if result.stopped:
        raise click.ClickException(result.stopped)


def _topics() -> tuple:
    try:
        return load_topics()
    except RuleError as exc:
        raise click.ClickException(f"topics: {exc}") from None


def _run_scan(path: str, channels: tuple[str, ...], coach: Coach, store: Store | None, dry_run: bool,
              quiet: bool = False, limits: Limits | None = None) -> ScanResult:
    try:
        export = open_export(path, channels, limits)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None

    def show(flag: Flag, analysis: Analysis) -> None:
        where = f"#{flag.channel_name} {flag.ts} {flag.agent_name}"
        click.echo(f"{where}: {', '.join(flag.categories)} ({flag.severity}) · {spotted_line(analysis)}")

    on_finding = show if dry_run and not quiet else None
    # users.json's real and display names: redacted from excerpts
    coach.known_names = coach.known_names.with_names([*export.users.values(), *export.people])
    with export:
        interactive = not quiet and sys.stderr.isatty()
        if interactive:
            with click.progressbar(length=len(export.day_files), label="Scanning", file=sys.stderr) as bar:
                return scan_export(export, coach, store, on_file=lambda _name: bar.update(1), on_finding=on_finding)
        return scan_export(export, coach, store, on_finding=on_finding)


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default="support-coach-demo.db",
              show_default=True, help="Where the demo keeps its database.")
@click.pass_obj
def demo(state: _State, db_path: str) -> None:
    """See it work with nothing configured: scan the bundled sample team, show the review and nudges."""
    coach = Coach(rules=state.rules(), topics=_topics())
    store = state.store(db_path)
    nudges: dict[str, list[tuple[Flag, Analysis]]] = {}
    with open_export(SAMPLE_EXPORT) as export:
        click.echo(click.style("support-coach demo", bold=True)
                   + f": a fictional support team's Slack export ({len(export.channels)} channels, "
                   f"{len(export.users)} people, {len(export.day_files)} channel-days), no Slack or network needed.")
        coach.known_names = coach.known_names.with_names([*export.users.values(), *export.people])
        result = scan_export(export, coach, store,
                             on_finding=lambda f, a: nudges.setdefault(f.agent_name, []).append((f, a)))
    click.echo(result.summary() + "\n")
    last = max((f.created_at for f in store.flags(limit=1)), default=0.0)
    first = min((float(f.ts) for items in nudges.values() for f, _ in items), default=last)
    days = max(1, int(last // DAY) - int(first // DAY) + 1)
    data = build_report(store, days, now=last or None, tz=state.settings.time_zone)
    click.echo(click.style("What a manager sees", bold=True, underline=True))
    click.echo(render(data, "table", width=terminal_width(), agents=agent_outcomes(store, data)))
    click.echo()
    click.echo(click.style("What agents were told, privately", bold=True, underline=True))
    for name, flag, analysis in _demo_examples(nudges):
        click.echo()
        click.echo(click.style(f"{name} wrote in #{flag.channel_name}:", bold=True) + f" {analysis.text}")
        click.echo("  " + nudge_text(analysis, coach.suggest(analysis.text, analysis)).replace("\n", "\n  "))
    click.echo()
    since_today = max(days, int(time.time() // DAY) - int(first // DAY) + 1)
    click.echo(f"The flags are in {db_path}; explore them with:\n"
               f"  support-coach report --db {db_path} --since {since_today}d --format markdown")


def _demo_examples(nudges: dict[str, list[tuple[Flag, Analysis]]]) -> list[tuple[str, Flag, Analysis]]:
    """Three agents, each with a different kind of slip, so the demo shows the range."""
    picked: list[tuple[str, Flag, Analysis]] = []
    seen_categories: set[str] = set()
    for name in sorted(nudges, key=lambda n: -len(nudges[n])):
        for flag, analysis in sorted(nudges[name], key=lambda item: len(item[1].categories)):
            if analysis.categories[0] not in seen_categories:
                seen_categories.add(analysis.categories[0])
                picked.append((name, flag, analysis))
                break
        if len(picked) == 3:
            break
    return picked


def main() -> None:  # pragma: no cover - console entry point
    cli()
