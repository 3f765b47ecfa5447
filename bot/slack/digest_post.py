"""Posting the digest: the Block Kit message, then (COACH_DIGEST_CHART) the period's chart.

The message carries the one-click fixes App Home offers, their channels named for the buttons
(bot.slack.channels); pressing one is handled, and authorised, by bot/slack/listeners/settings/fixes.py.

The chart goes up with files.uploadV2 (files.getUploadURLExternal, the upload itself,
files.completeUploadExternal), which needs the files:write scope; the digest is posted
first, so a missing scope, a missing [charts] extra or an upload error costs the chart
and is logged, never the digest.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.review.digest import Digest
from bot.slack.channels import named
from bot.slack.report_views import digest_message

log = logging.getLogger(__name__)


def post_digest(client: WebClient, channel: str, digest: Digest, chart: bool = False) -> str:
    """Post the digest to ``channel``; with ``chart``, upload its PNG after it. Returns the chart's
    file id ("" when none went up)."""
    digest = replace(digest, fixes=tuple(named(client, digest.fixes)))
    png = _chart(digest) if chart else b""
    message = digest_message(digest, chart=bool(png))
    client.chat_postMessage(
        channel=channel, text=message["text"], blocks=message["blocks"], unfurl_links=False, unfurl_media=False
    )
    if not png:
        return ""
    report = digest.report
    try:
        response = client.files_upload_v2(
            channel=channel,
            content=png,
            filename=f"coaching-{report.daily[-1][0]}.png",
            title=f"{digest.title}: flags per day by category, {report.period.label}",
            alt_txt=f"Flagged messages per day by category over {report.period.label}, {report.total} in all, "
            f"against {report.previous_total} in the period before",
        )
    except (SlackApiError, SlackRequestError, OSError) as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        hint = " (the app needs the files:write scope for COACH_DIGEST_CHART)" if error == "missing_scope" else ""
        log.warning("digest chart not uploaded: %s%s", error, hint)
        return ""
    return str((response.get("file") or {}).get("id") or "")


def _chart(digest: Digest) -> bytes:
    from bot.review.charts import ChartsUnavailable, render_png

    try:
        return render_png(digest.report)
    except ChartsUnavailable as exc:
        log.warning("digest posted without its chart: %s", exc)
        return b""
