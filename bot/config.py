"""Settings from the environment: the one module that reads os.environ.

Everything else receives a ``Settings`` value, so tests build one directly instead of
patching the environment. ``.env`` is loaded by the CLI entry point, not here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SLACK_DEFAULT_API_URL = "https://slack.com/api/"
JUDGE_BAND_DEFAULT = (0.15, 0.75)  # learned flag probabilities the LLM judge reviews (threshold ~0.41)


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _ids(raw: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in (raw or "").replace(";", ",").split(",") if part.strip())


def _schedule(raw: str) -> str:
    from bot.digest import Schedule  # local: digest imports reports, which needs nothing from here

    try:
        Schedule.parse(raw)
    except ValueError as exc:
        raise ConfigError(f"COACH_DIGEST_SCHEDULE: {exc}") from None
    return raw


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


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds (decimals allowed: a judge budget of 1.5 s is reasonable)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0 < value <= 60:
        raise ConfigError(f"{name} must be more than 0 and at most 60 seconds, not {raw}")
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
    nudge_cooldown: int = 120
    llm_timeout: float = 4.0
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_judge: bool = False  # opt-in: it sends live channel messages to the model's server
    llm_judge_band: tuple[float, float] = JUDGE_BAND_DEFAULT
    llm_judge_timeout: float = 2.0
    rules_dir: Path | None = None

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
            nudge_cooldown=_whole(env, "COACH_NUDGE_COOLDOWN", 120, "seconds"),
            llm_timeout=float(_whole(env, "COACH_LLM_TIMEOUT", 4, "seconds")),
            llm_base_url=env.get("COACH_LLM_BASE_URL", "").strip(),
            llm_model=env.get("COACH_LLM_MODEL", "").strip(),
            llm_api_key=env.get("COACH_LLM_API_KEY", "").strip(),
            llm_judge=_switch(env, "COACH_LLM_JUDGE", False),
            llm_judge_band=_band(env, "COACH_LLM_JUDGE_BAND", JUDGE_BAND_DEFAULT),
            llm_judge_timeout=_seconds(env, "COACH_LLM_JUDGE_TIMEOUT", 2.0),
            rules_dir=Path(rules_dir) if rules_dir else None,
        )
