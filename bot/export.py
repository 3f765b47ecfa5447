"""Read a standard Slack workspace export: a .zip, or the folder it unpacks to.

Layout: channels.json (and groups.json for private channels), users.json, and one folder
per channel holding a JSON file per day (a list of messages). Only people's messages are
yielded: bots, joins, topic changes and other system subtypes are skipped; thread replies
are kept. A file that cannot be read is reported with its path and skipped; nothing else
is lost.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

SAMPLE_EXPORT = Path(__file__).resolve().parent / "sample_export"

# Subtypes that are still a person's own words; everything else is system noise.
HUMAN_SUBTYPES = frozenset({"", "thread_broadcast", "file_share", "me_message"})


class ExportError(ValueError):
    """The path is not a Slack export at all."""


@dataclass(frozen=True)
class ExportMessage:
    team: str
    channel: str
    channel_name: str
    user: str
    user_name: str
    ts: str
    thread_ts: str
    text: str


@dataclass
class SlackExport:
    """Index of an export; messages are read lazily, one day file at a time."""

    source: str
    channels: dict[str, str]  # folder name -> channel id
    users: dict[str, str]  # user id -> display name
    day_files: list[str]
    _read: Callable[[str], bytes]
    problems: list[str] = field(default_factory=list)
    _close: Callable[[], None] | None = None

    def close(self) -> None:
        if self._close:
            self._close()

    def __enter__(self) -> SlackExport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def messages(self, on_file: Callable[[str], None] | None = None) -> Iterator[ExportMessage]:
        for name in self.day_files:
            folder = PurePosixPath(name).parts[-2]
            channel = self.channels.get(folder, folder)
            try:
                day = json.loads(self._read(name))
                if not isinstance(day, list):
                    raise ValueError("expected a list of messages")
            except (ValueError, UnicodeDecodeError, OSError, KeyError, zipfile.BadZipFile) as exc:
                self.problems.append(f"{self.source}/{name}: skipped, {_short(exc)}")
                if on_file:
                    on_file(name)
                continue
            for raw in day:
                message = self._message(raw, channel, folder)
                if message is not None:
                    yield message
            if on_file:
                on_file(name)

    def _message(self, raw: object, channel: str, folder: str) -> ExportMessage | None:
        if not isinstance(raw, dict) or raw.get("type", "message") != "message":
            return None
        subtype = raw.get("subtype") or ""
        if subtype not in HUMAN_SUBTYPES or raw.get("bot_id") or raw.get("bot_profile"):
            return None
        text, user, ts = raw.get("text"), raw.get("user"), raw.get("ts")
        if not isinstance(text, str) or not text.strip() or not isinstance(user, str) or not isinstance(ts, str):
            return None
        profile = raw.get("user_profile") if isinstance(raw.get("user_profile"), dict) else {}
        name = self.users.get(user) or profile.get("real_name") or profile.get("name") or user
        return ExportMessage(
            team=str(raw.get("team") or raw.get("user_team") or "export"),
            channel=channel,
            channel_name=folder,
            user=user,
            user_name=str(name),
            ts=ts,
            thread_ts=str(raw.get("thread_ts") or ""),
            text=text,
        )


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 120 else text[:117] + "…"


def open_export(path: Path | str, only_channels: tuple[str, ...] = ()) -> SlackExport:
    """Index an export (zip or folder); ``only_channels`` limits it to those channel names."""
    path = Path(path)
    if path.is_dir():
        root = path
        names = sorted(str(p.relative_to(root).as_posix()) for p in root.rglob("*.json") if p.is_file())

        def read(name: str) -> bytes:
            return (root / name).read_bytes()

        close = None
    elif path.is_file():
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise ExportError(f"{path}: not a zip file or folder of a Slack export") from None
        names = sorted(n for n in archive.namelist() if n.endswith(".json") and not n.startswith("__MACOSX"))

        def read(name: str) -> bytes:
            return archive.read(name)

        close = archive.close
    else:
        raise ExportError(f"{path}: no such file or folder")
    prefix = _common_prefix(names)
    problems: list[str] = []
    channels = _channel_index(read, prefix, problems, path)
    users = _user_index(read, prefix, problems, path)
    day_files = [n for n in names if len(PurePosixPath(n[len(prefix):]).parts) == 2]
    if not channels and not day_files:
        raise ExportError(f"{path}: no channels.json and no channel folders: not a Slack export")
    wanted = {c.lstrip("#") for c in only_channels}
    if wanted:
        unknown = wanted - {PurePosixPath(n).parts[-2] for n in day_files} - set(channels)
        if unknown:
            raise ExportError(f"{path}: no channel named {', '.join(sorted(unknown))} in this export")
        day_files = [n for n in day_files if PurePosixPath(n).parts[-2] in wanted]
    return SlackExport(str(path), channels, users, day_files, read, problems, close)


def _common_prefix(names: list[str]) -> str:
    """Zips made by hand often wrap everything in one top folder."""
    tops = {n.split("/", 1)[0] for n in names if "/" in n}
    roots = [n for n in names if "/" not in n]
    if not roots and len(tops) == 1 and any("channels.json" in n or "users.json" in n for n in names):
        return next(iter(tops)) + "/"
    return ""


def _load_list(read: Callable[[str], bytes], name: str, problems: list[str], source: Path) -> list[dict]:
    try:
        data = json.loads(read(name))
    except (KeyError, FileNotFoundError):
        return []
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        problems.append(f"{source}/{name}: skipped, {_short(exc)}")
        return []
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _channel_index(read: Callable[[str], bytes], prefix: str, problems: list[str], source: Path) -> dict[str, str]:
    channels: dict[str, str] = {}
    for listing in ("channels.json", "groups.json", "mpims.json"):
        for item in _load_list(read, prefix + listing, problems, source):
            name, cid = item.get("name"), item.get("id")
            if isinstance(name, str) and isinstance(cid, str):
                channels[name] = cid
    return channels


def _user_index(read: Callable[[str], bytes], prefix: str, problems: list[str], source: Path) -> dict[str, str]:
    users: dict[str, str] = {}
    for item in _load_list(read, prefix + "users.json", problems, source):
        uid = item.get("id")
        profile = item.get("profile") if isinstance(item.get("profile"), dict) else {}
        name = item.get("real_name") or profile.get("real_name") or profile.get("display_name") or item.get("name")
        if isinstance(uid, str) and name:
            users[uid] = str(name)
    return users
