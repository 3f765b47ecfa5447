"""users.info, cached: the names a live excerpt must not keep, and who is a workspace admin.

A scan knows the workspace's people from the export's users.json; the running bot asks
Slack about the author of a flagged message and the people it mentions (``<@U…>``), once
per person per ``ttl`` (the same answer tells Deps.is_manager who is an admin). Only
flagged messages ask, after detection, so a clean message still costs no API call. A
failed lookup is not cached (the next flag asks again) and never stops the flag: the
excerpt is redacted with the names known so far.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable
from typing import cast

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

TTL_SECONDS = 600.0  # also how long an admin stays one for COACH_MANAGERS left empty
MAX_LOOKUPS = 10  # per message: a message that mentions fifty people costs ten calls at most
MENTION = re.compile(r"<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>")


def mentioned(text: str) -> list[str]:
    """The user ids a message mentions, in order, once each."""
    return list(dict.fromkeys(MENTION.findall(text or "")))


def names_of(user: dict[str, object]) -> list[str]:
    """Every name a person goes by in Slack: display name, real name, and the profile's copies."""
    profile = cast(dict[str, object], user.get("profile") if isinstance(user.get("profile"), dict) else {})
    found = [
        user.get("real_name"),
        profile.get("display_name"),
        profile.get("real_name"),
        profile.get("display_name_normalized"),
        profile.get("real_name_normalized"),
    ]
    return list(dict.fromkeys(str(name).strip() for name in found if isinstance(name, str) and name.strip()))


class People:
    """users.info behind a cache: user id -> the names they go by."""

    def __init__(self, client: WebClient, ttl: float = TTL_SECONDS) -> None:
        self.client = client
        self.ttl = ttl
        self._cache: dict[str, tuple[dict[str, object], float]] = {}
        self._lock = threading.Lock()
        self.lookups = 0  # calls made (tests, and a cache that works)

    def names(self, users: Iterable[str]) -> list[str]:
        """The names of these people, asking Slack about those not seen within ``ttl``."""
        out: list[str] = []
        for index, user in enumerate(dict.fromkeys(u for u in users if u)):
            if index >= MAX_LOOKUPS:
                break
            out += self._names(user)
        return out

    def display_name(self, user: str) -> str:
        """The name reports show for an agent ("" when Slack does not tell)."""
        names = self._names(user)
        return names[0] if names else ""

    def info(self, user: str) -> dict[str, object] | None:
        """users.info's ``user`` object, cached; None when Slack could not be asked (not cached)."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(user)
        if cached and now - cached[1] < self.ttl:
            return cached[0]
        try:
            self.lookups += 1
            info = self.client.users_info(user=user).get("user") or {}
        except (SlackApiError, OSError) as exc:
            error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
            log.warning("users.info failed (%s)", error)
            return None
        info = info if isinstance(info, dict) else {}
        with self._lock:
            self._cache[user] = (info, now)
        return info

    def _names(self, user: str) -> list[str]:
        info = self.info(user)
        return names_of(info) if info else []
