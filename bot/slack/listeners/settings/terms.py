"""A team's custom terms from the Settings modal: quick checks answered in the modal at once,
then the full check (the term compiles with the rules, flags its examples, its rewrite is
clean), which takes longer than Slack's 3 seconds, so the modal says "checking" and is updated
with the outcome.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack

from bot.coaching.team import validate_term
from bot.models import CATEGORIES, SEVERITIES
from bot.mrkdwn import escape
from bot.slack.deps import Deps
from bot.slack.listeners.settings.form import (
    either_team,
    field_raw,
    field_strings,
    field_text,
    make_live,
    refresh,
    update_view,
)
from bot.slack.settings_views import SettingsPage, checking_view, saved_view, settings_modal
from bot.workspace import MAX_PHRASE, CustomTerm, SettingsError, default_term_id

TERM_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,59}")
MAX_TIP = 500


def save_terms(
    ack: Ack, deps: Deps, body: dict[str, Any], team: str, user: str, state: dict[str, Any], page: SettingsPage
) -> None:
    """Custom terms: quick checks answer in the modal; the full check (it compiles with the
    rules, flags its examples, its rewrite is clean) takes longer than Slack's 3 s, so the
    modal says "checking" and is updated with the outcome."""
    draft = _term_draft(state)
    term, errors = _term_from(draft, deps)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    if term is None:
        changes = _remove_terms(deps, team, user, state, page)
        if changes:
            make_live(deps, team)
        ack(response_action="update", view=saved_view(changes))
        if changes:
            refresh(deps, user, team)
        return
    ack(response_action="update", view=checking_view())
    view_id = str((body.get("view") or {}).get("id") or "")
    try:
        validate_term(term, deps.coach.rules)
    except SettingsError as exc:
        update_view(deps, view_id, settings_modal("terms", page, draft, error=f"Not saved: {exc}"))
        return
    deps.store.put_term(term, team=team, actor=user)
    make_live(deps, team)
    changes = [
        f"Added the custom term `{escape(term.rule_id)}`: “{escape(term.phrase)}” ({term.category}, {term.severity})",
        *_remove_terms(deps, team, user, state, page),
    ]
    update_view(deps, view_id, saved_view(changes))
    refresh(deps, user, team)
    deps.coach.prepare(deps.settings_for(team))  # built now, not on the next message's time


def _term_draft(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "term_phrase": field_raw(state, "term_phrase"),
        "term_category": field_text(state, "term_category"),
        "term_severity": field_text(state, "term_severity"),
        "term_tip": field_raw(state, "term_tip"),
        "term_rewrite": field_raw(state, "term_rewrite"),
        "term_id": field_text(state, "term_id"),
        "term_regex": "regex" in field_strings(state, "term_regex"),
        "term_anchors": field_raw(state, "term_anchors"),
        "term_examples": field_raw(state, "term_examples"),
    }


def _term_from(draft: dict[str, Any], deps: Deps) -> tuple[CustomTerm | None, dict[str, str]]:
    """The quick checks, answered in the modal at once; validate_term does the slow ones."""
    phrase = str(draft["term_phrase"])
    if not phrase:
        return None, {}
    errors: dict[str, str] = {}
    if len(phrase) > MAX_PHRASE:
        errors["term_phrase"] = f"At most {MAX_PHRASE} characters."
    if draft["term_category"] not in CATEGORIES:
        errors["term_category"] = "Pick a category."
    if draft["term_severity"] not in SEVERITIES:
        errors["term_severity"] = "Pick a severity."
    tip = str(draft["term_tip"])
    if not tip or len(tip) > MAX_TIP:
        errors["term_tip"] = f"Say what to do instead, in at most {MAX_TIP} characters."
    rule_id = str(draft["term_id"] or default_term_id(phrase))
    if not TERM_ID.fullmatch(rule_id):
        errors["term_id"] = "Lower-case letters, digits and dashes, 2 to 60 of them."
    elif deps.coach.rules.get(rule_id) is not None:
        errors["term_id"] = f"{rule_id} is a rule of the rule files already: pick another id."
    anchors = tuple(a.strip().lower() for a in str(draft["term_anchors"]).split(",") if a.strip())
    examples = tuple(line.strip() for line in str(draft["term_examples"]).splitlines() if line.strip())[:20]
    if draft["term_regex"]:
        try:
            re.compile(phrase)
        except re.error as exc:
            errors["term_phrase"] = f"Not a valid regular expression: {exc}"
        if not anchors:
            errors["term_anchors"] = "A pattern needs at least one anchor word."
        if not examples:
            errors["term_examples"] = "A pattern needs at least one example it must flag."
    if errors:
        return None, errors
    return CustomTerm(
        rule_id,
        phrase,
        str(draft["term_category"]),
        str(draft["term_severity"]),
        tip,
        str(draft["term_rewrite"]) or None,
        bool(draft["term_regex"]),
        anchors,
        examples,
    ), {}


def _remove_terms(deps: Deps, team: str, user: str, state: dict[str, Any], page: SettingsPage) -> list[str]:
    ours = {t.rule_id for t in page.workspace.terms}
    changes = []
    for rule_id in field_strings(state, "term_remove"):
        if rule_id in ours and either_team(lambda t, r=rule_id: deps.store.remove_term(r, team=t, actor=user), team):
            changes.append(f"Removed the custom term `{escape(rule_id)}`")
    return changes
