"""Keep message text and tokens out of logs; text lines or one JSON object per line.

Bolt logs the whole request body when a signature check fails, and slack_sdk logs request
bodies at DEBUG. Every Bolt and WebClient logger we create descends from one base logger
with this filter and an INFO floor. The filters sit on the loggers, so they run before any
handler: the JSON format (COACH_LOG_FORMAT=json) sees the same redacted records as the text
one, and its handler scrubs anything shaped like a Slack token once more, in extra fields too.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import sys
from typing import TextIO

BASE_LOGGER = "support_coach.slack"


class RedactingFilter(logging.Filter):
    """Drop debug chatter; replace the signature-failure line (it carries the body) by a safe one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO:
            return False
        message = record.getMessage()
        if message.startswith("Invalid request signature"):
            record.msg, record.args = "Rejected a request with an invalid or expired signature", ()
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        elif "body_params" in message or "xox" in message:
            record.msg, record.args = "(Slack client log line withheld: it contained request data)", ()
        return True


def slack_logger() -> logging.Logger:
    logger = logging.getLogger(BASE_LOGGER)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    if logger.level == logging.NOTSET or logger.level < logging.INFO:
        logger.setLevel(logging.INFO)
    # Loggers that Bolt and slack_sdk create on their own (not from our base logger).
    for name in ("slack_bolt", "slack_sdk", "slack_bolt.RequestVerification", "slack_sdk.web.base_client"):
        other = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in other.filters):
            other.addFilter(RedactingFilter())
        if other.level == logging.NOTSET or other.level < logging.INFO:
            other.setLevel(logging.INFO)
    return logger


LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_TOKEN = re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+")
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def scrub(text: str) -> str:
    """Anything shaped like a Slack token (xoxb-, xoxp-, xapp- ...) replaced by a marker."""
    return _TOKEN.sub("[token withheld]", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, extra fields,
    and the traceback as ``exc`` when there is one. Machine-readable for a log pipeline."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value if isinstance(value, int | float | bool) or value is None else scrub(str(value))
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class _ScrubbingTextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def configure_logging(
    log_format: str = "text", stream: TextIO | None = None, level: int = logging.INFO
) -> logging.Handler:
    """The process's one log handler (on the root logger), in the chosen format; text by default.

    Replaces handlers an earlier call installed, so calling it twice never doubles lines.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"unknown log format {log_format!r}: expected one of {', '.join(LOG_FORMATS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else _ScrubbingTextFormatter(TEXT_FORMAT))
    handler._support_coach = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_support_coach", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    slack_logger()  # the redacting filters, whichever format
    return handler
