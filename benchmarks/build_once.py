"""One build in this fresh process, the way `rapport build` makes it; prints its figures as one JSON line.

`python benchmarks/build_once.py DATA OUT` — benchmarks/run.py times the whole process from
outside (interpreter start to exit); this reports what only the process knows: the time of
each stage, how many files it wrote, and its peak memory (and that of the processes it forked
and waited for: the render worker, the one working beside the metrics), largest and summed.
"""

from __future__ import annotations

import json
import resource
import sys
import time

started = time.perf_counter()
from generator.build import build_site  # noqa: E402
from generator.cli import exit_now  # noqa: E402 - everything `rapport build` imports, so the start-up costs the same
from generator.speed.workers import reap_all, reaped_peaks  # noqa: E402


def main() -> None:
    """Build argv[1] into argv[2]."""
    imported = time.perf_counter()
    result = build_site(sys.argv[1], sys.argv[2])
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
