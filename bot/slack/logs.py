"""Keep message text and tokens out of logs.

Bolt logs the whole request body when a signature check fails, and slack_sdk logs request
bodies at DEBUG. Every Bolt and WebClient logger we create descends from one base logger
with this filter and an INFO floor.
"""

from __future__ import annotations

import logging

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
