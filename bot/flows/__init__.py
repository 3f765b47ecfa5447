"""Coaching flows: the use cases every surface shares, so a listener or a CLI command only
translates its input and its output.

Below the Slack layer and the CLI, above the core: a flow may use any core module and never
imports ``bot.slack``, ``bot.cli``, ``slack_bolt`` or ``slack_sdk`` (import-linter holds both).

- ``draft.coach_draft``: coach a draft (/coach, a DM, an @mention, the shortcut, ``check``);
- ``live.coach_live_message``: a message in a channel, from "is it watched?" to "what to send";
- ``report.audited_report``: a review with its audit record, for the CLI, /coach report and App Home;
- ``scan.open_scan``: a Slack export coached into the store.
"""
