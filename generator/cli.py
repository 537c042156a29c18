"""The `rapport` command line: a thin layer over the library's stages."""

from __future__ import annotations

import os

# Before numpy is first imported: its OpenBLAS would start a pool of threads that spin while
# they wait for work. Rapport does no linear algebra, and it makes pages on every core itself.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Before pydantic makes its first model: Rapport uses no pydantic plugin, and looking for one reads the
# metadata of every installed package (0.04 s of every build). A value the user set is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import contextlib
import datetime as dt
import functools
import gc
import importlib
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

import click

from generator.errors import DataError, RapportError

if TYPE_CHECKING:  # imported by import_stages, after the command line is read
    from generator.load.ahead import ReadAhead
    from generator.speed.cache import Kept


class IsoDate(click.ParamType):  # type: ignore[type-arg]  # generic only in the stubs of newer click
    """A `YYYY-MM-DD` option value."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        from generator.bounds import EARLIEST_DATE, LATEST_DATE

        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"'{value}' is not a date (expected YYYY-MM-DD)", param, ctx)
        if not EARLIEST_DATE <= date <= LATEST_DATE:
            self.fail(f"'{value}' is out of range (expected a date from {EARLIEST_DATE} to {LATEST_DATE})", param, ctx)
        return date


ISO_DATE = IsoDate()
# set by a command that finished its work (a build): the console script then exits at once (see exit_now)
_DONE_CLEANLY = [False]
# the console script's (main): what a finished build made, left for exit_now to drop with the process
_LEFT_FOR_EXIT: list[list[object] | None] = [None]
# the build server's memo entries in memory for a data folder, given to each build it makes (generator/build_server/server.py)
_SERVER_KEPT: list[Callable[[Path], Kept] | None] = [None]
_AFTER_ANSWER: list[Callable[[], None]] = []  # what the build server does once a build's command has its answer

data_option = click.option("--data", "data_dir", type=click.Path(path_type=Path), default=Path("data"),
                           show_default=True, help="Folder with site.yaml, clients.yaml, contacts.csv, surveys/, responses/.")
out_option = click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"),
                          show_default=True, help="Folder to build into.")
templates_option = click.option(
    "--templates", "templates_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="Folder of templates searched before the built-in ones (default: ./site_templates if present).")
as_of_option = click.option("--as-of", "as_of", type=ISO_DATE, default=None,
                            help="Report date (default: as_of in site.yaml, else today).")


def reports_errors(command: Callable[..., Any] | None = None, *, data_exit: int = 1, error_exit: int | None = None,
                   not_done: str | None = None) -> Any:
    """Print RapportError as `error: …` and exit 1 (or its `exit_code`); tracebacks only with --debug.

    Used bare, or with the exit status of a data problem and of any other error, and the words for
    what was not done (`rapport invite` exits 2 for both: its 1 means "nothing to invite").
    """

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return command(*args, **kwargs)
            except DataError as exc:
                if _debug():
                    raise
                for problem in exc.problems:
                    click.echo(str(problem), err=True)
                count = len(exc.problems)
                suffix = _what_was_not_done() if not_done is None else not_done
                click.echo(f"error: {count} problem{'s' if count != 1 else ''} in the data{suffix}", err=True)
                sys.exit(data_exit)
            except RapportError as exc:
                if _debug():
                    raise
                click.echo(f"error: {exc}", err=True)
                sys.exit(error_exit if error_exit is not None else getattr(exc, "exit_code", 1))

        return wrapper

    return decorate(command) if command is not None else decorate


# commands that write a site: their data problems mean no file was written
_BUILDING_COMMANDS = ("build", "serve", "publish")


def _what_was_not_done() -> str:
    """`; nothing was built` for a command that builds; other commands (validate, report, …) never do."""
    context = click.get_current_context(silent=True)
    return "; nothing was built" if context is not None and context.info_name in _BUILDING_COMMANDS else ""


def _debug() -> bool:
    context = click.get_current_context(silent=True)
    root = context.find_root() if context else None
    return bool(root and root.obj and root.obj.get("debug"))


class LazyCommands(click.Group):
    """A group whose commands from other modules are imported only when run or listed.

    `rapport build` then never imports the collector's web server, the importers or the
    publisher: a tenth of a second of every build's start.
    """

    # command name: (module, attribute)
    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "demo": ("generator.demo_command", "demo"),
        "report": ("generator.report_command", "report"),
        "collect": ("generator.ingest.commands", "collect"),
        "import": ("generator.ingest.commands", "import_command"),
        "log": ("generator.ingest.commands", "log"),
        "import-contacts": ("generator.ingest.contacts_import.command", "import_contacts_command"),
        "serve": ("generator.ingest.commands", "serve"),
        "publish": ("generator.publish.commands", "publish"),
        "init": ("generator.init_command", "init"),
        "secret": ("generator.secret_command", "secret"),
        "quarantine": ("generator.quarantine_command", "quarantine"),
        "link": ("generator.link_command", "link"),
        "passphrase": ("generator.publish.passphrase_command", "passphrase"),
        "invite": ("generator.invite.command", "invite"),
        "followup": ("generator.followups.command", "followup"),
        "digest": ("generator.digest.command", "digest"),
        "build-server": ("generator.build_server.command", "build_server"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            module_name, attribute = self.LAZY[cmd_name]
            self.add_command(getattr(importlib.import_module(module_name), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyCommands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="rapport")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Rapport: know your service-agreement clients, from plain files in data/."""
    ctx.obj = {"debug": debug}


@cli.command()
@data_option
@as_of_option
@reports_errors
def validate(data_dir: Path, as_of: dt.date | None) -> None:
    """Check every file in the data folder and list all problems with file and line."""
    from generator.load import load_portfolio

    portfolio = load_portfolio(data_dir, as_of)
    from generator.errors import DataError
    from generator.safety.leak_check import leak_problems  # what the leak gate would refuse, located

    if problems := leak_problems(portfolio):
        raise DataError(problems)
    responses = sum(len(frame) for frame in portfolio.responses.values())
    counts = ((len(portfolio.clients), "client"), (len(portfolio.contacts), "contact"), (len(portfolio.surveys), "survey"),
              (responses, "response"), (len(portfolio.pages), "page"))
    click.echo(f"OK: {data_dir}: " + ", ".join(f"{count:,} {noun}{'' if count == 1 else 's'}" for count, noun in counts))
    from generator.notices import validate_notices

    for line in (*portfolio.notices, *validate_notices(data_dir)):
        click.echo(f"warning: {line}", err=True)


@cli.command()
@data_option
@out_option
@as_of_option
@templates_option
@reports_errors
def build(data_dir: Path, out_dir: Path, as_of: dt.date | None, templates_dir: Path | None) -> None:
    """Build the site into OUT/public (publishable) and OUT/dashboard (private)."""
    import time

    from generator.keys import site_secret
    from generator.notices import secret_notices
    from generator.unchanged import build_key_meanwhile, forget, last_build, remember

    started = time.perf_counter()
    for line in secret_notices(data_dir):  # a missing or different secret stops here (exit 2)
        click.echo(f"warning: {line}", err=True)
    key = build_key_meanwhile(data_dir, out_dir, as_of, templates_dir, site_secret(data_dir))
    if (last := last_build(out_dir, key)) is not None:  # the same inputs as the last build, its output untouched
        for line in last.notices:
            click.echo(f"warning: {line}", err=True)
        click.echo(f"nothing changed since the last build: its {last.files:,} files in {out_dir} are current "
                   f"({time.perf_counter() - started:.2f} s; {out_dir}/dashboard/index.html is your overview)")
        _DONE_CLEANLY[0] = True
        return
    ahead = import_stages(data_dir, key)  # the key's largest files digested meanwhile, on a thread
    from generator.build import build_site
    from generator.speed import Speed

    forget(out_dir)
    speed = Speed.on(kept=_SERVER_KEPT[0](data_dir)) if _SERVER_KEPT[0] is not None else None
    result = build_site(data_dir, out_dir, as_of=as_of, templates_dir=templates_dir, ahead=ahead, keep=_LEFT_FOR_EXIT[0],
                        speed=speed)
    record = functools.partial(remember, out_dir.absolute(), key(), result.files, result.notices)
    if _SERVER_KEPT[0] is not None:  # the build server records the output once the command has its answer
        _AFTER_ANSWER.append(record)
    else:
        record()
    for line in result.notices:
        click.echo(f"warning: {line}", err=True)
    click.echo(f"built {result.files:,} files into {out_dir} in {result.seconds:.2f} s "
               f"({out_dir}/dashboard/index.html is your overview)")
    _DONE_CLEANLY[0] = True


def main() -> None:
    """Entry point of the `rapport` console script."""
    # What is alive now (the modules, mostly) lives as long as the process: frozen, Python's
    # cycle collector never walks it again, and forked workers share its memory pages.
    gc.freeze()
    _LEFT_FOR_EXIT[0] = []  # not under a test's runner: its process goes on after each command
    try:
        cli(prog_name="rapport")
    except SystemExit as leaving:
        if _DONE_CLEANLY[0] and leaving.code in (0, None):
            exit_now()
        raise


def serve_builds(kept_for: Callable[[Path], Kept]) -> None:
    """Make the coming build with the memo entries `kept_for` its data folder (the build server's), its values and
    the record of its output left for `answered`."""
    _SERVER_KEPT[0] = kept_for
    _LEFT_FOR_EXIT[0] = []


def answered() -> None:
    """Once the build server has answered the build's command: record its output, drop its values."""
    # the output's record for the no-change check (7 ms at 1,000 clients): a build that looks for it before it is
    # written builds again, which is never wrong
    while _AFTER_ANSWER:
        with contextlib.suppress(OSError):  # an output folder gone meanwhile: there is nothing to record
            _AFTER_ANSWER.pop(0)()
    if _LEFT_FOR_EXIT[0] is not None:
        _LEFT_FOR_EXIT[0].clear()
        _LEFT_FOR_EXIT[0] = None


def import_stages(data_dir: Path | None = None, before_fork: Callable[[], object] | None = None) -> ReadAhead | None:
    """Import the build's stages with the cycle collector paused, then freeze what the imports made.

    pandas, numpy and the stages make some 150,000 objects that live as long as the process:
    collections while they are made cost a tenth of a second and find almost nothing to free.
    Given the data folder of a first build, a fork reads its largest files on the idle core
    while this process imports the later stages (generator/load/ahead.py): for `build_site`.
    `before_fork` is called once the load stage's modules are imported, before the data is read
    and anything forks: what waits for work on a thread (the no-change check's key).
    """
    enabled = gc.isenabled()
    gc.disable()
    ahead = None
    try:
        # the load stage's own modules first (pandas, the records): all a fork reading ahead needs
        load_ahead = importlib.import_module("generator.load.ahead")
        if before_fork is not None:
            before_fork()
        if data_dir is not None:
            ahead = load_ahead.read_ahead(data_dir)
        importlib.import_module("generator.build")
    except BaseException:
        if ahead is not None:
            ahead.cancel()
        raise
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    return ahead


def exit_now() -> NoReturn:
    """Exit with status 0 at once, once every file is written and closed: the interpreter would
    otherwise take apart, one by one, the million objects a large build leaves (a tenth of a second)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away, a stream closed
            stream.flush()
    os._exit(0)
