"""Time spent per stage of a run (read, score, rank, write), for the benchmark.

Set ``CCHC_TIMINGS=1`` and the CLI prints the stages as one JSON line on stderr.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

STAGES: dict[str, float] = {}


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        STAGES[name] = STAGES.get(name, 0.0) + time.perf_counter() - start
