"""One build in this fresh process, the way `rapport build` makes it; prints its figures as one JSON line.

`python benchmarks/build_once.py DATA OUT` — benchmarks/run.py times the whole process from
outside (interpreter start to exit); this reports what only the process knows: the time of
each stage, how many files it wrote, and its peak memory (and that of the processes it forked
and waited for: the render worker, the one working beside the metrics), largest and summed.

The summed peaks (`peak_sum_mb`) count a page a fork shares with this process once in each:
an upper bound. The true total, the peak of every process's PSS added up, is sampled from
outside by benchmarks/run.py (benchmarks/tree_memory.py): a thread here would stop the build
from forking (generator/speed/workers.py forks only a process with one thread).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

started = time.perf_counter()
# the checkout this file is in, before the package installed in the environment (an editable install of another
# checkout, a git worktree's main one): run as a script, only this folder is on the path
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pathlib import Path  # noqa: E402

from generator.cli import exit_now, import_stages  # noqa: E402 - what `rapport build` imports before it looks at the data
from generator.keys import site_secret  # noqa: E402
from generator.unchanged import build_key_meanwhile, forget, last_build, remember  # noqa: E402


def main() -> None:
    """Build argv[1] into argv[2], or find (as `rapport build` does) that the last build there is current."""
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    key = build_key_meanwhile(data, out, None, None, site_secret(data))
    if (last := last_build(out, key)) is not None:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"imports": 0.0, "build": time.perf_counter() - started, "stages": {}, "files": last.files,
                          "written": 0, "peak_mb": own, "children_peak_mb": 0.0, "peak_sum_mb": own}))
        exit_now()
    ahead = import_stages(data, key)  # as `rapport build` imports them, reading the largest files meanwhile
    from generator.build import build_site
    from generator.forks import reap_all, reaped_peaks

    imported = time.perf_counter()
    forget(out)
    left: list[object] = []  # dropped with the process, as `rapport build` leaves them (exit_now)
    result = build_site(data, out, ahead=ahead, keep=left)
    remember(out, key(), result.files, result.notices)
    reap_all()  # the workers' exits, so that their peak memory counts (they are gone by now, as a rule)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    forked = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({
        "imports": imported - started, "build": result.seconds, "stages": result.stages,
        "files": result.files, "written": result.written, "peak_mb": own, "children_peak_mb": forked,
        # every process's peak added up: pages shared with a fork count in each, so an upper bound
        "peak_sum_mb": own + sum(reaped_peaks()) / 1024,
    }))
    exit_now()  # as `rapport build` leaves


if __name__ == "__main__":
    main()
