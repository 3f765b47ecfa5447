"""The support-coach command line (``support-coach = "bot.cli:cli"``): the group and its options.

Each command lives in a module of its own, gathered by topic (``review``, ``quality``,
``exports``, ``ops``; ``check`` and the ``rules`` group on their own); they share one
``State`` (bot.cli.state) and coach through the flows (bot.flows), like the Slack layer.
"""

from __future__ import annotations

import click
from dotenv import find_dotenv, load_dotenv

from bot.cli import exports, ops, quality, review
from bot.cli.check import check
from bot.cli.rules import rules
from bot.cli.state import State
from bot.console import no_color

_State = State  # the name embedders and older tests know


def load_env_file(env_file: str | None) -> str | None:
    """Load ``--env-file``, else the first ``.env`` in the current folder or its parents.

    ``usecwd=True`` matters: without it python-dotenv searches upwards from the calling
    module, i.e. from site-packages/bot/, and misses the admin's .env (or finds an unrelated
    one above the virtualenv). Variables already in the environment win over the file.
    """
    path = env_file or find_dotenv(usecwd=True)
    if path:
        load_dotenv(path, override=False)
    return path or None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--rules",
    "rules_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of rule files laid over the bundled ones (default COACH_RULES_DIR): "
    "same id = override, enabled = false = off.",
)
@click.option(
    "--rules-only",
    "rules_only_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of rule files used instead of the bundled ones.",
)
@click.option(
    "--env-file",
    "env_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Read settings from this file instead of the first .env in the current folder or its parents.",
)
@click.version_option(None, "-V", "--version", package_name="support-coach")
@click.pass_context
def cli(ctx: click.Context, rules_dir: str | None, rules_only_dir: str | None, env_file: str | None) -> None:
    """Coach customer-support replies: spot blame, arguing, put-downs and brush-offs."""
    load_env_file(env_file)
    if no_color():
        ctx.color = False  # click.echo then strips every style, on a terminal too
    if rules_dir and rules_only_dir:
        raise click.UsageError("--rules and --rules-only are alternatives: give one")
    ctx.obj = State(rules_dir=rules_only_dir or rules_dir, rules_only=bool(rules_only_dir))


for _command in (check, rules, *review.COMMANDS, *quality.COMMANDS, *exports.COMMANDS, *ops.COMMANDS):
    cli.add_command(_command)


def main() -> None:  # pragma: no cover - console entry point
    cli()
