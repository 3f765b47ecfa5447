"""Read a standard Slack workspace export: a .zip, or the folder it unpacks to.

Layout: channels.json (and groups.json for private channels), users.json, and one folder
per channel holding a JSON file per day (a list of messages). Only people's messages are
yielded: bots, joins, topic changes and other system subtypes are skipped; thread replies
are kept. A file that cannot be read is reported with its path and skipped; nothing else
is lost.

An export is untrusted input, so reading it is bounded:
- Day files are streamed, one message at a time (``iter_json_list``), never read whole: a
  200 MB day file costs about as much memory as its largest message.
- ``Limits`` caps what a member may expand to, what the whole export may expand to, and the
  compression ratio (a zip bomb is refused, not unpacked). Declared sizes are checked before
  anything is decompressed and the bytes really read are counted as they arrive, since a
  zip's headers (or a growing file) can lie.
- A day file that cannot be parsed (broken, or nested deeper than Python's recursion limit)
  is reported with its path and the scan goes on with the next one.
- In a folder export, a file or folder that is a symlink to outside the export is refused.
"""

from __future__ import annotations

import codecs
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, cast

SAMPLE_EXPORT = Path(__file__).resolve().parent.parent / "sample_export"

# Subtypes that are still a person's own words; everything else is system noise.
HUMAN_SUBTYPES = frozenset({"", "thread_broadcast", "file_share", "me_message"})


MB = 1 << 20
READ_CHUNK = 256 * 1024
MAX_MESSAGE_BYTES = 16 * MB  # one message's JSON; Slack's own are a few KB
RATIO_FLOOR_BYTES = 1 * MB  # below this a member may compress however well it likes


# What reading one broken member can raise: bad JSON or UTF-8 (ValueError), a truncated or
# corrupt deflate stream (EOFError, zlib.error, BadZipFile), an encrypted member or an
# unsupported compression method (RuntimeError, NotImplementedError), a vanished file (OSError).
READ_ERRORS = (ValueError, OSError, EOFError, zlib.error, zipfile.BadZipFile, RuntimeError, NotImplementedError)


class ExportError(ValueError):
    """The path is not a Slack export at all, or the whole export is over a limit."""


class Refused(ValueError):
    """One file of the export is over a limit or outside the export; the message says which."""


@dataclass(frozen=True)
class Limits:
    """What an export may expand to. Settable: COACH_SCAN_MAX_* or scan's --max-* options.

    The defaults let a large real workspace through (a busy channel's day file is tens of
    MB, JSON compresses 5-20x) and stop a zip bomb (deflate reaches about 1000x) after the
    first few MB.
    """

    max_member_mb: int = 512
    max_total_mb: int = 20 * 1024
    max_ratio: float = 200.0

    def member_over(self, size: int) -> str:
        return (
            (
                f"it expands to more than {self.max_member_mb} MB "
                "(raise COACH_SCAN_MAX_MEMBER_MB or --max-member-mb to allow it)"
            )
            if size > self.max_member_mb * MB
            else ""
        )

    def ratio_over(self, size: int, compressed: int | None) -> str:
        if compressed is None or size <= RATIO_FLOOR_BYTES or size <= self.max_ratio * max(compressed, 1):
            return ""
        return (
            f"its compression ratio is above {self.max_ratio:g}:1, which looks like a zip bomb "
            "(raise COACH_SCAN_MAX_RATIO or --max-ratio to allow it)"
        )

    def total_over(self, size: int) -> str:
        return (
            (
                f"the export expands to more than {self.max_total_mb} MB in total "
                "(raise COACH_SCAN_MAX_TOTAL_MB or --max-total-mb to allow it)"
            )
            if size > self.max_total_mb * MB
            else ""
        )


class _Budget:
    """Bytes read so far across the whole export."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.used = 0


class _CappedReader:
    """A member's bytes, counted as they are read: over a limit, reading stops with Refused."""

    def __init__(self, raw: IO[bytes], limits: Limits, budget: _Budget, compressed: int | None) -> None:
        self.raw = raw
        self.limits = limits
        self.budget = budget
        self.compressed = compressed
        self.count = 0

    def read(self, size: int = READ_CHUNK) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        self.budget.used += len(data)
        why = self.limits.member_over(self.count) or self.limits.ratio_over(self.count, self.compressed)
        if why:
            raise Refused(why)
        total = self.limits.total_over(self.budget.used)
        if total:
            raise ExportError(total)
        return data

    def close(self) -> None:
        self.raw.close()


_WHITESPACE = re.compile(r"[ \t\n\r]*")


def iter_json_list(reader: _CappedReader | BinaryIO, max_item: int = MAX_MESSAGE_BYTES) -> Iterator[object]:
    """The items of a top-level JSON list, parsed one at a time from a stream.

    Memory is bounded by the largest item (at most ``max_item`` characters), not the file.
    Raises ValueError for anything that is not one well-formed list, RecursionError for
    nesting deeper than the interpreter allows (the caller reports both).
    """
    decoder = json.JSONDecoder()
    text = codecs.getincrementaldecoder("utf-8-sig")()
    buf, pos, eof = "", 0, False

    def more(at_least: int = 1) -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        buf = buf[pos:]
        pos = 0
        want = len(buf) + at_least
        while len(buf) < want and not eof:
            chunk = reader.read(max(READ_CHUNK, want - len(buf)))
            if not chunk:
                eof = True
                buf += text.decode(b"", final=True)
            else:
                buf += text.decode(chunk)
        return True

    def next_char() -> str:
        nonlocal pos
        while True:
            pos = _WHITESPACE.match(buf, pos).end()  # type: ignore[union-attr]  # "[...]*" always matches
            if pos < len(buf):
                return buf[pos]
            if not more():
                return ""

    if next_char() != "[":
        raise ValueError("expected a list of messages")
    pos += 1
    first = True
    while True:
        char = next_char()
        if char == "]":
            pos += 1
            if next_char():
                raise ValueError("extra data after the list of messages")
            return
        if not first:
            if char != ",":
                raise ValueError(f"expected ',' or ']' at character {pos}" if char else "the list is cut short")
            pos += 1
            next_char()
        first = False
        while True:
            try:
                item, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                if len(buf) - pos > max_item:
                    raise ValueError(f"a message over {max_item // MB} MB of JSON") from None
                if not more(max(READ_CHUNK, len(buf) - pos)):  # double what is held: linear, not quadratic
                    raise ValueError(exc.msg) from None
                continue
            if end >= len(buf) and not eof and more():  # a number or literal may go on in the next chunk
                continue
            pos = end
            yield item
            break


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
    _open: Callable[[str], _CappedReader]
    problems: list[str] = field(default_factory=list)
    _close: Callable[[], None] | None = None
    stopped: str = ""  # set when the total limit ended the scan early
    people: tuple[str, ...] = ()  # every name in users.json (real and display names): redacted from excerpts

    def close(self) -> None:
        if self._close:
            self._close()

    def __enter__(self) -> SlackExport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def messages(self, on_file: Callable[[str], None] | None = None) -> Iterator[ExportMessage]:
        """Every person's message, file by file; a file that fails is reported and skipped.

        Over the total limit the scan stops (what was read is kept) and the reason is the
        last problem, in ``stopped``.
        """
        for name in self.day_files:
            folder = PurePosixPath(name).parts[-2]
            channel = self.channels.get(folder, folder)
            read = 0
            try:
                reader = self._open(name)
                try:
                    for raw in iter_json_list(reader):
                        read += 1
                        message = self._message(raw, channel, folder)
                        if message is not None:
                            yield message
                finally:
                    reader.close()
            except ExportError as exc:
                self.stopped = f"{self.source}: stopped at {name}: {exc}"
                self.problems.append(self.stopped)
                return
            except Refused as exc:
                self.problems.append(f"{self.source}/{name}: refused, {exc}{_after(read)}")
            except RecursionError:
                self.problems.append(f"{self.source}/{name}: skipped, nested too deeply to read{_after(read)}")
            except (*READ_ERRORS, KeyError) as exc:
                self.problems.append(f"{self.source}/{name}: skipped, {_short(exc)}{_after(read)}")
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
        profile = cast(dict[str, Any], raw.get("user_profile") if isinstance(raw.get("user_profile"), dict) else {})
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


def _after(read: int) -> str:
    return f" (the {read} item(s) before it were read)" if read else ""


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 120 else text[:117] + "…"


def open_export(path: Path | str, only_channels: tuple[str, ...] = (), limits: Limits | None = None) -> SlackExport:
    """Index an export (zip or folder); ``only_channels`` limits it to those channel names."""
    path = Path(path)
    limits = limits or Limits()
    budget = _Budget(limits)
    problems: list[str] = []
    if path.is_dir():
        root = path.resolve()
        names = []
        for file in sorted(path.rglob("*.json")):
            name = file.relative_to(path).as_posix()
            if not file.resolve().is_relative_to(root):
                problems.append(f"{path}/{name}: refused, a symlink to outside the export")
            elif file.is_file():
                names.append(name)
        sizes = {name: (path / name).stat().st_size for name in names}

        def open_member(name: str) -> _CappedReader:
            file = path / name
            if not file.resolve().is_relative_to(root):  # swapped for a symlink since the listing
                raise Refused("a symlink to outside the export")
            why = limits.member_over(file.stat().st_size)
            if why:
                raise Refused(why)
            return _CappedReader(file.open("rb"), limits, budget, None)

        close = None
    elif path.is_file():
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ExportError(f"{path}: not a zip file or folder of a Slack export ({_short(exc)})") from None
        infos = {
            i.filename: i
            for i in archive.infolist()
            if i.filename.endswith(".json") and not i.filename.startswith("__MACOSX") and not i.is_dir()
        }
        names = sorted(infos)
        sizes = {name: info.file_size for name, info in infos.items()}

        def open_member(name: str) -> _CappedReader:
            info = infos[name]
            why = limits.member_over(info.file_size) or limits.ratio_over(info.file_size, info.compress_size)
            if why:
                raise Refused(why)
            return _CappedReader(archive.open(info), limits, budget, info.compress_size)

        close = archive.close
    else:
        raise ExportError(f"{path}: no such file or folder")
    prefix = _common_prefix(names)
    channels = _channel_index(open_member, prefix, problems, path)
    users, people = _user_index(open_member, prefix, problems, path)
    day_files = [n for n in names if len(PurePosixPath(n[len(prefix) :]).parts) == 2]
    if not channels and not day_files:
        if close:
            close()
        raise ExportError(f"{path}: no channels.json and no channel folders: not a Slack export")
    wanted = {c.lstrip("#") for c in only_channels}
    if wanted:
        known = {PurePosixPath(n).parts[-2] for n in day_files} | set(channels)
        unknown = wanted - known
        if unknown:
            if close:
                close()
            raise ExportError(
                f"{path}: no channel named {', '.join(sorted(unknown))} in this export; "
                f"it has {', '.join(sorted(known)) or 'none'}"
            )
        day_files = [n for n in day_files if PurePosixPath(n).parts[-2] in wanted]
    total = limits.total_over(sum(sizes[n] for n in day_files))
    if total:
        if close:
            close()
        raise ExportError(f"{path}: {total}")
    return SlackExport(str(path), channels, users, day_files, open_member, problems, close, people=people)


def _common_prefix(names: list[str]) -> str:
    """Zips made by hand often wrap everything in one top folder."""
    tops = {n.split("/", 1)[0] for n in names if "/" in n}
    roots = [n for n in names if "/" not in n]
    if not roots and len(tops) == 1 and any("channels.json" in n or "users.json" in n for n in names):
        return next(iter(tops)) + "/"
    return ""


def _load_list(open_member: Callable[[str], _CappedReader], name: str, problems: list[str], source: Path) -> list[dict]:
    """channels.json, users.json: streamed and capped like day files; a missing one is empty."""
    try:
        reader = open_member(name)
    except (KeyError, FileNotFoundError):
        return []
    except (Refused, OSError) as exc:
        problems.append(f"{source}/{name}: refused, {_short(exc)}")
        return []
    try:
        return [item for item in iter_json_list(reader) if isinstance(item, dict)]
    except RecursionError:
        problems.append(f"{source}/{name}: skipped, nested too deeply to read")
    except Refused as exc:
        problems.append(f"{source}/{name}: refused, {exc}")
    except READ_ERRORS as exc:
        problems.append(f"{source}/{name}: skipped, {_short(exc)}")
    finally:
        reader.close()
    return []


def _channel_index(
    read: Callable[[str], _CappedReader], prefix: str, problems: list[str], source: Path
) -> dict[str, str]:
    channels: dict[str, str] = {}
    for listing in ("channels.json", "groups.json", "mpims.json"):
        for item in _load_list(read, prefix + listing, problems, source):
            name, cid = item.get("name"), item.get("id")
            if isinstance(name, str) and isinstance(cid, str):
                channels[name] = cid
    return channels


def _user_index(
    read: Callable[[str], _CappedReader], prefix: str, problems: list[str], source: Path
) -> tuple[dict[str, str], tuple[str, ...]]:
    """user id -> the name reports show, and every name anyone goes by (display names included)."""
    users: dict[str, str] = {}
    people: dict[str, None] = {}
    for item in _load_list(read, prefix + "users.json", problems, source):
        uid = item.get("id")
        profile = cast(dict[str, Any], item.get("profile") if isinstance(item.get("profile"), dict) else {})
        name = item.get("real_name") or profile.get("real_name") or profile.get("display_name") or item.get("name")
        if isinstance(uid, str) and name:
            users[uid] = str(name)
        for known in (
            item.get("real_name"),
            profile.get("real_name"),
            profile.get("display_name"),
            profile.get("display_name_normalized"),
            profile.get("real_name_normalized"),
        ):
            if isinstance(known, str) and known.strip():
                people.setdefault(known.strip(), None)
    return users, tuple(people)
