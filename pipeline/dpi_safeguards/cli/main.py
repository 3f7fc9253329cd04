"""The `safeguards` command line: click only, commands loaded lazily.

Each command lives in ``cli/commands/<name>.py`` and only parses options, calls the
facade (:mod:`dpi_safeguards.api`) and prints. Commands are imported on first use, so
``safeguards validate`` does not pay for the imports of ``release`` or ``diff``.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys

import click

from dpi_safeguards import __version__
from dpi_safeguards.core.errors import SafeguardsError

# command name -> module under dpi_safeguards.cli.commands (each module defines `command`)
COMMANDS: dict[str, str] = {
    "validate": "validate",
    "check-pr": "check_pr",
    "show": "show",
    "stats": "stats",
    "format": "format",
    "schemas": "schemas",
    "rules": "rules",
    "new": "new",
    "diff": "diff",
    "review": "review",
    "merge": "merge",
    "release": "release",
    "verify": "verify",
    "bundle": "bundle",
    "download": "download",
    "intake": "intake",
    "canvas": "canvas",
    "site": "site",
    "country": "country",
    "translations": "translations",
    "tuf": "tuf",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"dpi_safeguards.cli.commands.{module_name}")
        command: click.Command = module.command
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            from dpi_safeguards.core.suggest import did_you_mean

            hint = (
                did_you_mean(name, COMMANDS) or f"; the commands are {', '.join(sorted(COMMANDS))}"
            )
            ctx.fail(f"no command {name!r}{hint}")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="safeguards")
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="Repository root (default: the nearest folder upwards holding framework/).",
)
@click.pass_context
def cli(ctx: click.Context, root: str | None) -> None:
    """Review, merge and release the Universal DPI Safeguards Framework."""
    ctx.obj = {"root": root}


def _without_pydantic_plugins() -> None:
    """The command uses no pydantic plugin, and looking for them scans the metadata of
    every installed package (about 50 ms). PYDANTIC_DISABLE_PLUGINS, pydantic's own
    setting, defaults to ``__all__`` here; an explicit setting (even empty) is kept."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def _collect_garbage_less_often() -> None:
    """Loading a large framework allocates millions of objects that live until the command
    ends and form no cycles; at CPython's default thresholds (700, 10, 10) the collector
    walks them again and again: 55% of validating one proposal against 100,000 practices
    (docs/performance.md). Here the youngest generation is collected every 10,000 net
    allocations (a small collection stays in the CPU's caches: half the time of one every
    100,000) and the older ones almost never: one pass over the middle generation cost
    0.6 s of a release. The program, not the library, sets its interpreter's thresholds:
    here, in the entry point, never in code that others import."""
    gc.set_threshold(10_000, 1_000, 1_000)


def main() -> None:
    """Entry point: one place turns expected failures into a message and an exit code."""
    _without_pydantic_plugins()
    _collect_garbage_less_often()
    try:
        # Commands return their exit code (0 clean, 1 findings); click returns it here.
        result = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SafeguardsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:
        # The last resort for a file the commands did not expect to fail on: its name and
        # the reason, never a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"error: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)
