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


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number of days, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, not {value}")
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
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    rules_dir: Path | None = None

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
            retention_days=_positive_int(env, "COACH_RETENTION_DAYS", 90),
            llm_base_url=env.get("COACH_LLM_BASE_URL", "").strip(),
            llm_model=env.get("COACH_LLM_MODEL", "").strip(),
            llm_api_key=env.get("COACH_LLM_API_KEY", "").strip(),
            rules_dir=Path(rules_dir) if rules_dir else None,
        )
