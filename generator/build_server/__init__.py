"""The build server: `rapport build` hands its work to a process that stays warm between builds.

A fresh process pays for the interpreter, pandas and the memo read from disk before it builds:
0.3 s of a 0.25 s rebuild after one new response at 1,000 clients. The first `rapport build`
starts a server in the background (generator/build_server/server.py) that makes the build, and
then waits, its memo entries in memory (generator/speed/cache.py `Kept`), for the next
`rapport build` from the same place: the same user, code, interpreter, environment and working
folder (generator/build_server/place.py). The command itself stays a small process
(generator/build_server/client.py) that hands over its standard streams, so the build writes
to them directly, and exits with the build's status. docs/architecture.md, "The build server",
says when a server stops and how to turn it off.
"""
