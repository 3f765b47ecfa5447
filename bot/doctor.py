"""``support-coach doctor``: what is wrong with this installation, one line per check.

A new admin otherwise meets a raw ``invalid_auth`` from Bolt at start-up, and finds a
missing scope, a channel the bot was never invited to, or an unwritable database only when
a nudge silently fails days later. Every check here says what it found and what to do.

Slack is called over plain HTTP (urllib) at ``SLACK_API_URL``: the core never imports
slack_sdk, and the doctor needs only three read-only methods. Nothing here writes to
Slack, and the database is only probed inside a transaction that is rolled back.
"""

from __future__ import annotations

import json
import os
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings

OK, FAIL, SKIP = "ok", "fail", "skip"
MANIFEST = Path(__file__).resolve().parent / "manifest.yaml"  # in the wheel (force-included)
if not MANIFEST.exists():  # a checkout: the repository's own manifest
    MANIFEST = Path(__file__).resolve().parent.parent / "manifest.yaml"

_SLACK_HINTS = {
    "invalid_auth": "Slack does not accept this token: copy it again from the app's settings",
    "not_authed": "no token reached Slack",
    "account_inactive": "the token belongs to a deleted user or an uninstalled app: reinstall the app",
    "token_revoked": "the token was revoked: reinstall the app and copy the new token",
    "not_allowed_token_type": "wrong kind of token for this call",
    "missing_scope": "the token lacks a scope this call needs",
    "channel_not_found": "no such channel, or a private one the bot was never invited to: check the ID",
    "ratelimited": "Slack is rate limiting this token: try again in a minute",
}


@dataclass(frozen=True)
class Check:
    """One line of the doctor's answer."""

    name: str
    status: str  # OK, FAIL or SKIP (not applicable: not a failure)
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == FAIL


class SlackCallError(RuntimeError):
    """A Web API call that did not return ``ok``; the message says why in an admin's words."""


@dataclass
class SlackWeb:
    """The few Web API calls the doctor makes, as Slack documents them: form POST, Bearer token."""

    base_url: str
    timeout: float = 10.0

    def call(self, method: str, token: str, **params: str) -> tuple[dict[str, Any], dict[str, str]]:
        """(body, lower-cased headers) of a successful call; SlackCallError otherwise."""
        request = urllib.request.Request(
            urllib.parse.urljoin(self.base_url, method),
            data=urllib.parse.urlencode(params).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw, headers = response.read(), {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as exc:
            raise SlackCallError(_explain("ratelimited" if exc.code == 429 else f"HTTP {exc.code}")) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SlackCallError(f"cannot reach {self.base_url} ({reason})") from None
        try:
            body = json.loads(raw)
        except ValueError:
            raise SlackCallError(f"{method} did not answer JSON: is SLACK_API_URL ({self.base_url}) right?") from None
        if not isinstance(body, dict) or not body.get("ok"):
            error = str(body.get("error", "unknown_error")) if isinstance(body, dict) else "unknown_error"
            needed = body.get("needed") if isinstance(body, dict) else None
            raise SlackCallError(_explain(error) + (f" (needs {needed})" if needed else ""))
        return body, headers


def _explain(error: str) -> str:
    hint = _SLACK_HINTS.get(error)
    return f"{error}: {hint}" if hint else error


def manifest_scopes(path: Path = MANIFEST) -> frozenset[str]:
    """``oauth_config.scopes.bot`` of manifest.yaml, without a YAML dependency.

    The manifest is ours and plain block style, so an indentation walk is enough; a test
    compares it with a real YAML parser.
    """
    stack: list[tuple[int, str]] = []
    scopes: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        text = line.strip()
        if text.startswith("- "):
            if [key for _, key in stack] == ["oauth_config", "scopes", "bot"]:
                scopes.append(text[2:].strip().strip("'\""))
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if text.endswith(":"):
            stack.append((indent, text[:-1].strip()))
    return frozenset(scopes)


def run_checks(
    settings: Settings,
    http_mode: bool = False,
    rules_dir: str | None = None,
    slack: SlackWeb | None = None,
    rules_only: bool = False,
) -> Iterator[Check]:
    """Every check, in the order an admin fixes things; yielded as they finish (Slack is slow)."""
    slack = slack or SlackWeb(settings.slack_api_url)
    socket_mode = bool(settings.slack_app_token) and not http_mode
    yield from _slack_checks(settings, slack, socket_mode)
    yield from database_checks(settings.db_path)
    yield from _coaching_checks(rules_dir, rules_only)
    yield _llm_check(settings)


def _token(settings: Settings, name: str, label: str) -> Check:
    try:
        settings.require(name)
    except ConfigError as exc:
        return Check(label, FAIL, str(exc))
    value = {"SLACK_BOT_TOKEN": settings.slack_bot_token, "SLACK_APP_TOKEN": settings.slack_app_token}.get(name)
    shown = f"{value[:5]}… ({len(value)} characters)" if value else "set"
    return Check(label, OK, f"{name} {shown}")


def _slack_checks(settings: Settings, slack: SlackWeb, socket_mode: bool) -> Iterator[Check]:
    bot_token = _token(settings, "SLACK_BOT_TOKEN", "bot token")
    yield bot_token
    if socket_mode:
        app_token = _token(settings, "SLACK_APP_TOKEN", "app token")
        yield app_token
    else:
        secret = _token(settings, "SLACK_SIGNING_SECRET", "signing secret")
        yield Check(
            secret.name,
            secret.status,
            "set: HTTP mode, Slack's requests are verified with it"
            if secret.status == OK
            else secret.detail + " (HTTP mode needs it; Socket Mode needs SLACK_APP_TOKEN instead)",
        )
    auth: dict[str, Any] | None = None
    if bot_token.failed:
        yield Check("auth.test", SKIP, "needs a well-formed SLACK_BOT_TOKEN")
        yield Check("scopes", SKIP, "needs a well-formed SLACK_BOT_TOKEN")
    else:
        try:
            auth, headers = slack.call("auth.test", settings.slack_bot_token)
        except SlackCallError as exc:
            yield Check("auth.test", FAIL, str(exc))
            yield Check("scopes", SKIP, "needs a bot token Slack accepts")
        else:
            yield Check(
                "auth.test",
                OK,
                f"team {auth.get('team', '?')} ({auth.get('team_id', '?')}), "
                f"bot user @{auth.get('user', '?')} ({auth.get('user_id', '?')})",
            )
            yield _scopes_check(headers.get("x-oauth-scopes"), settings.digest_chart)
    if socket_mode:
        if app_token.failed:
            yield Check("Socket Mode", SKIP, "needs a well-formed SLACK_APP_TOKEN")
        else:
            try:
                slack.call("apps.connections.open", settings.slack_app_token)
            except SlackCallError as exc:
                yield Check(
                    "Socket Mode",
                    FAIL,
                    f"apps.connections.open: {exc} (the app-level token needs "
                    "connections:write, and Socket Mode must be on)",
                )
            else:
                yield Check("Socket Mode", OK, "apps.connections.open gave a websocket URL")
    yield from _channel_checks(settings, slack, auth is not None)


CHART_SCOPE = "files:write"  # COACH_DIGEST_CHART uploads the chart; manifest.yaml leaves it out


def _scopes_check(header: str | None, digest_chart: bool = False) -> Check:
    if header is None:
        return Check("scopes", FAIL, "auth.test sent no x-oauth-scopes header: cannot tell what was granted")
    granted = {scope.strip() for scope in header.split(",") if scope.strip()}
    wanted = manifest_scopes() | ({CHART_SCOPE} if digest_chart else set())
    missing = sorted(wanted - granted)
    if missing == [CHART_SCOPE]:
        return Check(
            "scopes",
            FAIL,
            f"missing {CHART_SCOPE}, which COACH_DIGEST_CHART=1 needs to upload the "
            "chart: add it to manifest.yaml's bot scopes and reinstall the app, or set "
            "COACH_DIGEST_CHART=0",
        )
    if missing:
        return Check(
            "scopes",
            FAIL,
            f"missing {', '.join(missing)}: add them under OAuth & Permissions (or "
            "re-create the app from manifest.yaml), then reinstall the app",
        )
    extra = sorted(granted - wanted)
    return Check(
        "scopes",
        OK,
        f"all {len(wanted)} of manifest.yaml{' and the chart' if digest_chart else ''} granted"
        + (f" (also: {', '.join(extra)})" if extra else ""),
    )


def _channel_checks(settings: Settings, slack: SlackWeb, authed: bool) -> Iterator[Check]:
    wanted = [(f"channel {channel}", channel) for channel in sorted(settings.channels)]
    if settings.digest_channel:
        wanted.append((f"digest channel {settings.digest_channel}", settings.digest_channel))
    if not settings.channels:
        yield _joined_channels(settings, slack, authed)
    if not settings.digest_channel:
        yield Check("digest channel", SKIP, "COACH_DIGEST_CHANNEL is empty: no digest")
    elif settings.digest_chart:
        from bot.review.charts import ChartsUnavailable, require

        try:
            require()
            yield Check("digest chart", OK, "matplotlib is installed: the chart goes up with the digest")
        except ChartsUnavailable as exc:
            yield Check("digest chart", FAIL, str(exc))
    for label, channel in wanted:
        if not authed:
            yield Check(label, SKIP, "needs a bot token Slack accepts")
            continue
        try:
            body, _headers = slack.call("conversations.info", settings.slack_bot_token, channel=channel)
        except SlackCallError as exc:
            yield Check(label, FAIL, f"conversations.info: {exc}")
            continue
        info = body.get("channel") or {}
        name = f"#{info['name']}" if info.get("name") else channel
        if info.get("is_archived"):
            yield Check(label, FAIL, f"{name} is archived")
        elif info.get("is_member"):
            yield Check(label, OK, f"the bot is a member of {name}")
        else:
            yield Check(label, FAIL, f"the bot is not a member of {name}: type /invite @support-coach there")


def _joined_channels(settings: Settings, slack: SlackWeb, authed: bool) -> Check:
    """With COACH_CHANNELS empty the bot watches wherever it was invited: say where that is."""
    if not authed:
        return Check(
            "channels",
            SKIP,
            "COACH_CHANNELS is empty (every channel the bot is in); needs a bot token Slack accepts to list them",
        )
    try:
        body, _headers = slack.call(
            "users.conversations",
            settings.slack_bot_token,
            types="public_channel,private_channel",
            exclude_archived="true",
            limit="200",
        )
    except SlackCallError as exc:
        return Check("channels", FAIL, f"users.conversations: {exc}")
    names = sorted(f"#{c.get('name') or c.get('id')}" for c in body.get("channels") or [] if isinstance(c, dict))
    if not names:
        return Check(
            "channels",
            SKIP,
            "COACH_CHANNELS is empty and the bot is in no channel yet: /invite @support-coach in your support channels",
        )
    more = "" if len(names) <= 8 else f" and {len(names) - 8} more"
    return Check(
        "channels",
        OK,
        f"COACH_CHANNELS is empty: watching the {len(names)} channels the bot is in ({', '.join(names[:8])}{more})",
    )


def database_checks(path: Path) -> Iterator[Check]:
    """Opens, passes quick_check, is writable, is migrated; a missing file only needs a writable folder."""
    from sqlite_utils import Database

    from bot.store import migrations

    path = Path(path).expanduser()
    if not path.exists():
        folder = next((p for p in [path.parent, *path.parent.parents] if p.exists()), Path("/"))
        if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
            yield Check("database", OK, f"{path} does not exist yet; the bot creates it in {folder}")
        else:
            yield Check("database", FAIL, f"{path} does not exist and {folder} is not a writable folder")
        return
    if not path.is_file():
        yield Check("database", FAIL, f"{path} is not a file")
        return
    try:
        conn = sqlite3.connect(f"file:{urllib.parse.quote(str(path))}?mode=rw", uri=True, timeout=2.0)
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        yield Check("database", FAIL, f"{path} cannot be opened as a database ({exc})")
        return
    try:
        yield Check("database", OK, f"{path} opens")
        problems = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
        if problems == ["ok"]:
            yield Check("database integrity", OK, "PRAGMA quick_check: ok")
        else:
            yield Check(
                "database integrity",
                FAIL,
                f"PRAGMA quick_check: {'; '.join(problems[:3])} (restore a "
                "backup, or move the file away and let the bot start afresh)",
            )
        yield _writable(conn, path)
        applied = migrations.applied(Database(conn))
        pending = [m.name for m in migrations.pending(Database(conn))]
        if pending:
            yield Check(
                "database schema",
                FAIL,
                f"not migrated ({', '.join(pending)} pending): the bot applies "
                "them when it opens the file; is this support-coach's database?",
            )
        else:
            yield Check("database schema", OK, f"migrated ({len(applied)} migrations)")
    except sqlite3.DatabaseError as exc:
        yield Check("database integrity", FAIL, f"{path}: {exc}")
    finally:
        conn.close()


def _writable(conn: sqlite3.Connection, path: Path) -> Check:
    """Take the write lock and write inside a transaction that is rolled back."""
    if not os.access(path, os.W_OK):
        return Check("database writable", FAIL, f"{path} is read-only for this user (uid {os.getuid()})")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE _doctor_probe (x)")
        finally:
            conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        return Check("database writable", FAIL, f"{path}: {exc}")
    return Check("database writable", OK, "a write transaction succeeds (rolled back)")


def _coaching_checks(rules_dir: str | None, rules_only: bool = False) -> Iterator[Check]:
    from bot.coaching import judge, llm
    from bot.coaching.rules import RuleError, default_rules, load_rules
    from bot.coaching.templates import TemplateError, load_template
    from bot.coaching.topics import load_topics

    try:
        if not rules_dir:
            ruleset = default_rules()  # bundled: loaded once
        else:
            ruleset = load_rules(rules_dir) if rules_only else load_rules(overlay=rules_dir)
    except RuleError as exc:
        yield Check("rules", FAIL, str(exc))
    else:
        where = (
            (rules_dir if rules_only else f"the bundled prompts/rules and {rules_dir}")
            if rules_dir
            else "the bundled prompts/rules"
        )
        yield Check("rules", OK, f"{len(ruleset.rules)} rules in {len(ruleset.categories)} categories from {where}")
    try:
        topics = load_topics()
    except RuleError as exc:
        yield Check("topics", FAIL, str(exc))
    else:
        yield Check("topics", OK, f"{len(topics)} topics")
    names: list[tuple[str, frozenset[str]]] = [
        ("rewrite_system.txt", llm.TEMPLATE_VARIABLES),
        ("rewrite_user.txt", llm.TEMPLATE_VARIABLES),
        ("judge_system.txt", judge.TEMPLATE_VARIABLES),
        ("judge_user.txt", judge.TEMPLATE_VARIABLES),
    ]
    try:
        for name, variables in names:
            load_template(name, variables)
    except TemplateError as exc:
        yield Check("templates", FAIL, str(exc))
    else:
        yield Check("templates", OK, f"{len(names)} LLM templates, every $variable known")


def _llm_check(settings: Settings, opener: Callable[..., Any] = urllib.request.urlopen) -> Check:
    """The model's server answers and serves the model (GET /models, the OpenAI-compatible listing)."""
    if not settings.llm_base_url:
        return Check("LLM", SKIP, "not configured (COACH_LLM_BASE_URL is empty): rewrites come from the rules")
    if not settings.llm_model:
        return Check("LLM", FAIL, "COACH_LLM_MODEL is not set: name the model to use with COACH_LLM_BASE_URL")
    base = settings.llm_base_url.rstrip("/") + "/"
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
    try:
        with opener(urllib.request.Request(base + "models", headers=headers), timeout=settings.llm_timeout) as reply:
            listing = json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return Check(
            "LLM",
            FAIL,
            f"GET {base}models answered HTTP {exc.code}"
            + (": check COACH_LLM_API_KEY" if exc.code in (401, 403) else ""),
        )
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Check(
            "LLM", FAIL, f"no answer from {base} within {settings.llm_timeout:g} s ({getattr(exc, 'reason', exc)})"
        )
    served = (
        [str(item.get("id")) for item in listing.get("data", []) if isinstance(item, dict)]
        if isinstance(listing, dict)
        else []
    )
    if settings.llm_model not in served:
        return Check(
            "LLM",
            FAIL,
            f"{base} answers but does not serve {settings.llm_model!r} "
            f"(it serves: {', '.join(served[:8]) or 'nothing'})",
        )
    return Check("LLM", OK, f"{base} answers and serves {settings.llm_model}")
