"""The listeners' shape: every listener Bolt runs is a module-level handle_* function of
bot/slack/listeners/, bound to what it needs with functools.partial, and asks Bolt only for
arguments Bolt injects.

Bolt injects by parameter name and passes None, with a warning, for a name it does not
know; binding Deps by keyword instead of by position would hide every parameter from it.
Both would only show up as a listener failing at run time, so they are checked here.
"""

from __future__ import annotations

import inspect
from functools import partial
from pathlib import Path

from slack_bolt.kwargs_injection.args import Args

from bot.coaching.coach import Coach
from bot.config import Settings
from bot.slack.app import create_app
from bot.store import Store

INJECTED = set(inspect.signature(Args.__init__).parameters) - {"self", "kwargs"}


def test_every_listener_is_a_bound_handle_function_asking_for_injected_arguments(tmp_path: Path) -> None:
    settings = Settings(slack_bot_token="xoxb-test", db_path=tmp_path / "coach.db")
    store = Store(settings.db_path)
    try:
        app, deps = create_app(settings, store, Coach(), token_verification=False)
        listeners = app._listeners  # Bolt keeps no public list of them
        assert len(listeners) >= 20
        for listener in listeners:
            function = listener.ack_function  # a CustomListener
            assert isinstance(function, partial), function
            assert function.func.__name__.startswith("handle_"), function.func
            assert function.func.__module__.startswith("bot.slack.listeners."), function.func
            assert function.func.__qualname__ == function.func.__name__, "defined at module level"
            names = listener.arg_names  # what Bolt will pass by name
            assert set(names) <= INJECTED, (function.func.__name__, names)
            unbound = list(inspect.signature(function).parameters)
            assert names == unbound, (function.func.__name__, names, unbound)
        deps.outbox.close()
    finally:
        store.close()
