"""`rapport build-server`: list or stop this user's build servers (generator/build_server/server.py)."""

from __future__ import annotations

import contextlib
import os
import signal

import click

from generator.build_server.place import listening_servers, private_folder


def _servers() -> list[tuple[str, int]]:
    """(socket file's name, process id) of each server listening in this user's folder."""
    folder = private_folder()
    return [(os.path.basename(path), pid) for path, pid in listening_servers(folder)] if folder is not None else []


@click.group("build-server")
def build_server() -> None:
    """The processes that keep `rapport build` warm between builds (RAPPORT_BUILD_SERVER=off: none)."""


@build_server.command("status")
def status() -> None:
    """List this user's build servers."""
    servers = _servers()
    for name, pid in servers:
        click.echo(f"{name}: process {pid}")
    if not servers:
        click.echo("no build server is running")


@build_server.command("stop")
def stop() -> None:
    """Stop this user's build servers (a build under way is stopped, and writes nothing)."""
    servers = _servers()
    for _, pid in servers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    click.echo(f"stopped {len(servers)} build server{'s' if len(servers) != 1 else ''}")
