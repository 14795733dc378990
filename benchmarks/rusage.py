"""Run a command and print its wall time, CPU time and peak RSS as JSON on stderr.

A child forked from the benchmark process would start with the emulator's memory
in its peak RSS; forked from this small process, it starts with almost nothing.

    python benchmarks/rusage.py COMMAND [ARGS...] > command-stdout
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
json.dump(
    {
        "exit": os.waitstatus_to_exitcode(status),
        "wall": time.perf_counter() - started,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
    },
    sys.stderr,
)
