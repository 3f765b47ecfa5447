"""Settings from the environment: the one module that reads os.environ.

Everything else receives a ``Settings`` value, so tests build one directly instead of
patching the environment. ``.env`` is loaded by the CLI entry point, not here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.schedule import Schedule

SLACK_DEFAULT_API_URL = "https://slack.com/api/"
JUDGE_BAND_DEFAULT = (0.15, 0.75)  # learned flag probabilities the LLM judge reviews (threshold ~0.41)


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _ids(raw: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in (raw or "").replace(";", ",").split(",") if part.strip())


def _schedule(raw: str) -> str:
    try:
        Schedule.parse(raw)
    except ValueError as exc:
        raise ConfigError(f"COACH_DIGEST_SCHEDULE: {exc}") from None
    return raw


def _zone(raw: str) -> str:
    from bot.timezones import ZoneError, check_zone

    try:
        return check_zone(raw)
    except ZoneError as exc:
        raise ConfigError(f"COACH_TZ: {exc}") from None


def _whole(env: Mapping[str, str], name: str, default: int, unit: str, minimum: int = 0) -> int:
    """A whole number from the environment, or a ConfigError that names the variable."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number of {unit}, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    """An on/off setting: 1/true/yes/on or 0/false/no/off; empty means the default."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0 (on or off), not {raw!r}")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of a few words (case aside); empty means the first."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return choices[0]
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def _port(env: Mapping[str, str], name: str) -> int:
    """A TCP port, or 0 (the default) for none."""
    port = _whole(env, name, 0, "(a TCP port)")
    if port > 65535:
        raise ConfigError(f"{name} must be a TCP port (1-65535) or empty, not {port}")
    return port


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds (decimals allowed: a judge budget of 1.5 s is reasonable)."""
    return _number(env, name, default, 0, 60, "seconds")


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float, unit: str) -> float:
    """A number within (low, high]: retry timings and scan limits, where decimals make sense."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of {unit}, not {raw!r}") from None
    if not low < value <= high:
        raise ConfigError(f"{name} must be more than {low:g} and at most {high:g} {unit}, not {raw}")
    return value


def _band(env: Mapping[str, str], name: str, default: tuple[float, float]) -> tuple[float, float]:
    """Two probabilities "low,high" with 0 <= low < high <= 1."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    parts = [part.strip() for part in raw.split(",")]
    try:
        low, high = (float(part) for part in parts)
    except ValueError:
        raise ConfigError(f"{name} must be two probabilities 'low,high' such as 0.15,0.75, not {raw!r}") from None
    if not 0 <= low < high <= 1:
        raise ConfigError(f"{name} needs 0 <= low < high <= 1, not {raw!r}")
    return low, high


def rules_dir_from_env(env: Mapping[str, str] | None = None) -> Path | None:
    """COACH_RULES_DIR alone, so ``check`` and ``rules`` work while another variable is malformed."""
    env = os.environ if env is None else env
    raw = env.get("COACH_RULES_DIR", "").strip()
    return Path(raw) if raw else None


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the defaults a newcomer needs (nothing set = works)."""

    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = SLACK_DEFAULT_API_URL
    db_path: Path = Path("coach.db")
    channels: frozenset[str] = field(default_factory=frozenset)
    managers: frozenset[str] = field(default_factory=frozenset)
    digest_channel: str = ""
    retention_days: int = 90
    digest_schedule: str = "mon 09:00"
    agent_pause: bool = False  # may agents pause their low-severity nudges (managers can change it in Slack)
    nudge_cooldown: int = 120
    llm_timeout: float = 4.0
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_judge: bool = False  # opt-in: it sends live channel messages to the model's server
    llm_judge_band: tuple[float, float] = JUDGE_BAND_DEFAULT
    llm_judge_timeout: float = 2.0
    rules_dir: Path | None = None
    # A live flag the database refuses (locked, full) is retried in the background, first after
    # write_retry_delay seconds, doubling up to 10 s, for write_retry_seconds; then it is spooled
    # next to COACH_DB (COACH_DB-spool.jsonl) and replayed at the next start.
    write_retry_delay: float = 0.5
    write_retry_seconds: float = 120.0
    # What `scan` lets an export expand to (see bot.ingest.export.Limits).
    scan_max_member_mb: int = 512
    scan_max_total_mb: int = 20 * 1024
    scan_max_ratio: float = 200.0
    # HTTP mode (issue 13): a bot behind a proxy needs many cheap idle connections, not waitress'
    # 100, and closes silent ones quickly; Slack's payloads are small, so big bodies are refused.
    http_connection_limit: int = 1000
    http_channel_timeout: int = 15
    http_cleanup_interval: int = 5
    http_max_body: int = 1_048_576
    # Outbound pacing of chat.postEphemeral per workspace (Slack's Tier 4 is about 100 a minute).
    nudge_rate: int = 100
    nudge_burst: int = 10
    nudge_max_delay: int = 120
    # Operations: log lines as text or one JSON object each; metrics on a port of their own (0: off;
    # HTTP mode also serves them at GET /metrics on its own port).
    log_format: str = "text"
    metrics_port: int = 0
    metrics_host: str = "127.0.0.1"
    port: int = 3000  # PORT: run --http's port unless --port says otherwise (the container's convention)
    # Manager views: the zone whose days periods, the digest's schedule and "today" use (a
    # workspace's own setting wins when it has one), and the chart uploaded with the digest
    # (needs the [charts] extra and the files:write scope).
    time_zone: str = "UTC"
    digest_chart: bool = False

    def require(self, *names: str) -> None:
        """Fail with one line naming the variable when a needed token is missing or malformed."""
        checks = {
            "SLACK_BOT_TOKEN": (self.slack_bot_token, "xoxb-", "the bot token from OAuth & Permissions"),
            "SLACK_APP_TOKEN": (self.slack_app_token, "xapp-", "an app-level token with connections:write"),
            "SLACK_SIGNING_SECRET": (self.slack_signing_secret, "", "the signing secret from Basic Information"),
        }
        for name in names:
            value, prefix, what = checks[name]
            if not value:
                raise ConfigError(f"{name} is not set: it needs {what} (see .env.example)")
            if prefix and not value.startswith(prefix):
                raise ConfigError(f"{name} looks wrong: it should start with {prefix!r} ({what})")
            if not prefix and (len(value) < 16 or not value.isalnum()):
                raise ConfigError(f"{name} looks wrong: expected the hexadecimal secret ({what})")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        api_url = env.get("SLACK_API_URL", "").strip() or SLACK_DEFAULT_API_URL
        if not api_url.endswith("/"):
            api_url += "/"
        rules_dir = env.get("COACH_RULES_DIR", "").strip()
        return cls(
            slack_bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
            slack_app_token=env.get("SLACK_APP_TOKEN", "").strip(),
            slack_api_url=api_url,
            db_path=Path(env.get("COACH_DB", "").strip() or "coach.db"),
            channels=_ids(env.get("COACH_CHANNELS")),
            managers=_ids(env.get("COACH_MANAGERS")),
            digest_channel=env.get("COACH_DIGEST_CHANNEL", "").strip(),
            retention_days=_whole(env, "COACH_RETENTION_DAYS", 90, "days", minimum=1),
            digest_schedule=_schedule(env.get("COACH_DIGEST_SCHEDULE", "").strip() or "mon 09:00"),
            agent_pause=_switch(env, "COACH_AGENT_PAUSE", False),
            nudge_cooldown=_whole(env, "COACH_NUDGE_COOLDOWN", 120, "seconds"),
            llm_timeout=float(_whole(env, "COACH_LLM_TIMEOUT", 4, "seconds")),
            llm_base_url=env.get("COACH_LLM_BASE_URL", "").strip(),
            llm_model=env.get("COACH_LLM_MODEL", "").strip(),
            llm_api_key=env.get("COACH_LLM_API_KEY", "").strip(),
            llm_judge=_switch(env, "COACH_LLM_JUDGE", False),
            llm_judge_band=_band(env, "COACH_LLM_JUDGE_BAND", JUDGE_BAND_DEFAULT),
            llm_judge_timeout=_seconds(env, "COACH_LLM_JUDGE_TIMEOUT", 2.0),
            rules_dir=Path(rules_dir) if rules_dir else None,
            write_retry_delay=_number(env, "COACH_WRITE_RETRY_DELAY", 0.5, 0, 60, "seconds"),
            write_retry_seconds=_number(env, "COACH_WRITE_RETRY_SECONDS", 120.0, 0, 86400, "seconds"),
            scan_max_member_mb=_whole(env, "COACH_SCAN_MAX_MEMBER_MB", 512, "MB", minimum=1),
            scan_max_total_mb=_whole(env, "COACH_SCAN_MAX_TOTAL_MB", 20 * 1024, "MB", minimum=1),
            scan_max_ratio=_number(env, "COACH_SCAN_MAX_RATIO", 200.0, 1, 10**9, "(uncompressed:compressed)"),
            http_connection_limit=_whole(env, "COACH_HTTP_CONNECTION_LIMIT", 1000, "connections", minimum=10),
            http_channel_timeout=_whole(env, "COACH_HTTP_CHANNEL_TIMEOUT", 15, "seconds", minimum=1),
            http_cleanup_interval=_whole(env, "COACH_HTTP_CLEANUP_INTERVAL", 5, "seconds", minimum=1),
            http_max_body=_whole(env, "COACH_HTTP_MAX_BODY", 1_048_576, "bytes", minimum=16_384),
            nudge_rate=_whole(env, "COACH_NUDGE_RATE", 100, "nudges a minute", minimum=1),
            nudge_burst=_whole(env, "COACH_NUDGE_BURST", 10, "nudges", minimum=1),
            nudge_max_delay=_whole(env, "COACH_NUDGE_MAX_DELAY", 120, "seconds"),
            log_format=_choice(env, "COACH_LOG_FORMAT", ("text", "json")),
            metrics_port=_port(env, "COACH_METRICS_PORT"),
            metrics_host=env.get("COACH_METRICS_HOST", "").strip() or "127.0.0.1",
            port=_port(env, "PORT") or 3000,
            time_zone=_zone(env.get("COACH_TZ", "").strip() or "UTC"),
            digest_chart=_switch(env, "COACH_DIGEST_CHART", False),
        )
