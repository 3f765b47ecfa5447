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
            rules_dir=Path(rules_dir) if rules_dir else None,
        )
