"""The settings screen stays inside Slack's limits whatever the store holds (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.coaching.coach import Coach
from bot.config import Settings
from bot.review.fixes import Fix
from bot.slack.fix_views import fix_blocks
from bot.slack.settings_views import GROUPS, SettingsPage, settings_modal, settings_section
from bot.slack.views import MAX_SECTION, MAX_VIEW_BLOCKS
from bot.store import Store
from bot.workspace import CustomTerm
from bot.workspace_options import resolve


def _full_store(path: Path) -> Store:
    store = Store(path)
    long = "x" * 190
    for n in range(300):
        store.mute_rule(f"rule-{n}", f"C0{n:06d}", team="T1", actor="cli:<!here>")
        store.allow_phrase(f"{long} {n}", team="T1", actor="UMANAGER")
        store.set_channel_mode(f"C1{n:06d}", "ignore" if n % 2 else "watch", team="T1", actor="UMANAGER")
        store.set_threshold("high", f"C2{n:06d}", team="T1", actor="UMANAGER")
    for n in range(150):
        store.put_term(
            CustomTerm(f"custom-{n}", f"{long} {n}", "disparaging", "low", "t" * 400), team="T1", actor="UMANAGER"
        )
    store.set_option("managers", [f"U{n:08d}" for n in range(50)], team="T1", actor="UMANAGER")
    return store


def test_home_section_and_every_modal_fit(tmp_path: Path) -> None:
    store = _full_store(tmp_path / "full.db")
    workspace = store.workspace_settings("T1")
    page = SettingsPage(
        workspace, resolve(workspace, Settings()), store.setting_origins("T1"), Settings(), Coach().rules
    )
    blocks = settings_section(page) + fix_blocks(
        [Fix(f"rule-{n}", 9, 10, "C0SUPPORT", "s" * 200, "p" * 200) for n in range(5)]
    )
    assert len(blocks) <= MAX_VIEW_BLOCKS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION
        for element in block.get("elements", []):
            text = element.get("text", "")
            assert len(text if isinstance(text, str) else text["text"]) <= 2000
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75 and len(element["value"]) <= 2000
    assert "&lt;!here&gt;" in json.dumps(blocks) and "<!here>" not in json.dumps(blocks)
    for group in GROUPS:
        view = settings_modal(group, page)
        assert len(view["blocks"]) <= MAX_VIEW_BLOCKS and len(view["title"]["text"]) <= 24
        for block in view["blocks"]:
            element = block.get("element", {})
            options = element.get("options") or [o for g in element.get("option_groups", []) for o in g["options"]]
            assert len(element.get("options", [])) <= 100
            assert all(len(g["options"]) <= 100 for g in element.get("option_groups", []))
            assert all(len(o["text"]["text"]) <= 75 and len(o["value"]) <= 150 for o in options)
            assert len(element.get("initial_users", [])) <= 100
    store.close()
