"""``support-coach run``: the bot itself, in Socket Mode or over HTTP, with its clock (digest, purge).

The only command, with ``digest --post``, that imports the Slack layer, and only when it runs.
"""

from __future__ import annotations

import sys

import click

from bot.cli.bot_coach import bot_coach
from bot.cli.state import State


@click.command()
@click.option("--http", "http_mode", is_flag=True, help="Serve HTTP even when SLACK_APP_TOKEN is set.")
@click.option("--port", type=int, default=None, help="HTTP port (default PORT or 3000).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="HTTP address to listen on: loopback for a proxy on this machine; 0.0.0.0 to expose it.",
)
@click.pass_obj
def run(state: State, http_mode: bool, port: int | None, host: str) -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP at POST /slack/events."""
    from bot.slack.logs import configure_logging

    settings = state.settings
    configure_logging(settings.log_format)  # COACH_LOG_FORMAT: text (default) or json
    socket_mode = bool(settings.slack_app_token) and not http_mode
    state.require("SLACK_BOT_TOKEN", *(["SLACK_APP_TOKEN"] if socket_mode else ["SLACK_SIGNING_SECRET"]))
    coach = bot_coach(state)
    store = state.store()
    from bot.review.scheduler import Scheduler
    from bot.slack.app import create_app
    from bot.slack.digest_post import post_digest
    from bot.slack.server import HttpServer, run_socket_mode

    try:
        app, deps = create_app(settings, store, coach)
    except Exception as exc:  # e.g. invalid_auth from auth.test: one line, no traceback
        raise click.ClickException(f"could not start the Slack app: {exc}") from None
    Scheduler(
        settings,
        store,
        lambda channel, digest: post_digest(deps.client, channel, digest, settings.digest_chart),
        team=deps.team_id,
    ).start()
    # A flag still waiting for a locked or full database goes to the spool on the way out, even on
    # SIGTERM (a deploy, a restart), instead of vanishing with the process.
    import atexit
    import signal

    if deps.writer is not None:
        atexit.register(deps.writer.close)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if settings.metrics_port:  # the only way to scrape Socket Mode; HTTP mode also has GET /metrics
        try:
            metrics_port, _stop = deps.metrics.serve(settings.metrics_port, settings.metrics_host)
        except OSError as exc:
            raise click.ClickException(f"COACH_METRICS_PORT {settings.metrics_port}: {exc.strerror}") from None
        click.echo(f"support-coach: metrics on {settings.metrics_host}:{metrics_port} (GET /metrics)")
    if socket_mode:
        click.echo("support-coach: Socket Mode, connecting to Slack…")
        run_socket_mode(app, settings.slack_app_token)
        return
    port = port or settings.port
    server = HttpServer(app, deps, host=host, port=port)
    click.echo(f"support-coach: HTTP on {host}:{server.port} (POST /slack/events, GET /healthz, GET /metrics)")
    server.serve_forever()
