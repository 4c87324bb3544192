"""Time (and memory) spent per stage of a run, for the benchmark.

Set ``CCHC_TIMINGS=1`` and the CLI prints the stages as one JSON line on stderr, with
the process's resident memory after each stage (``rss_<stage>``, MB, Linux only).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator

STAGES: dict[str, float] = {}


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        STAGES[name] = STAGES.get(name, 0.0) + time.perf_counter() - start
        if os.environ.get("CCHC_TIMINGS"):
            STAGES[f"rss_{name}"] = _rss_mb()
