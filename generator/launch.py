"""The `rapport` console script: `rapport build` goes to the build server when it can (generator/build_server/),
everything else to the command line (generator/cli.py).

The standard library only until the command is known: a build handed to a warm server costs
this process no more than the interpreter's start.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Entry point of the `rapport` console script and of `python -m generator`."""
    if sys.argv[1:2] == ["build"]:
        from generator.build_server.client import build_with_server

        try:
            status = build_with_server(sys.argv[1:])
        except KeyboardInterrupt:  # before the server had the build (a Ctrl-C after is sent on to it): as click says it
            print("\nAborted!", file=sys.stderr)
            sys.exit(1)
        if status is not None:
            sys.exit(status)
    from generator.cli import main as command_line

    command_line()
