"""How cchc starts the processes that read files: fork where it can, spawn elsewhere.

``fork`` (Linux) starts a worker at once, with everything already imported; ``spawn``
(Windows — the only method there — and macOS if asked) starts a fresh interpreter that
imports the reader and receives its work by pickling. Both give the same results. The
environment variable ``CCHC_START_METHOD`` (``fork``, ``spawn`` or ``forkserver``)
forces one, to test the Windows way on Linux (README, "Windows").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from cchc_cli.errors import UsageError

T = TypeVar("T")

START_METHOD_ENV = "CCHC_START_METHOD"


def start_method() -> str:
    """The start method for worker and sandbox processes."""
    import multiprocessing

    available = multiprocessing.get_all_start_methods()
    wanted = os.environ.get(START_METHOD_ENV, "").strip().lower()
    if not wanted:
        return "fork" if "fork" in available else "spawn"
    if wanted not in available:
        raise UsageError(
            f"Biến môi trường {START_METHOD_ENV}='{wanted[:20]}' không dùng được trên máy"
            f" này; chọn một trong: {', '.join(available)}."
        )
    return wanted


class Helper:
    """A reading worker kept after the reading, for one job that can run beside this
    process at the end of a run.

    A run's last steps use one core: ``rank`` writes ``van-de-Y.xlsx`` and then
    ``xep-hang-Y.xlsx``, one after the other, while the worker that helped read the
    files has already gone. :func:`cchc_cli.inputs.read_files` hands its pool over to a
    Helper instead of closing it; :meth:`start` gives the pool a job (its arguments are
    pickled) and returns the function that waits for its result — raising the job's
    exception, an :class:`~cchc_cli.errors.OutputError` for instance, in this process.
    With no pool (few files, one CPU) the job runs here, at once, and an exception comes
    from :meth:`start` itself: the order of writing is then the one-core order. A worker
    that died (killed for memory, say) is not an error of the run: its job is done here.

    The worker was started before the run's records were built, so keeping it costs
    its own memory (what it needed to read its share), not a copy of this process's.
    """

    def __init__(self) -> None:
        self._pool: Any = None

    def __enter__(self) -> Helper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def adopt(self, pool: Any) -> None:
        """Keep ``pool`` (a ``ProcessPoolExecutor``) for :meth:`start`; a second pool
        is closed at once."""
        if self._pool is None:
            self._pool = pool
        else:
            pool.shutdown(wait=True)

    def start(self, job: Callable[..., T], /, *args: Any, **kwargs: Any) -> Callable[[], T]:
        from concurrent.futures.process import BrokenProcessPool

        if self._pool is not None:
            try:
                future = self._pool.submit(job, *args, **kwargs)
            except BrokenProcessPool:
                self.close()
            else:
                def wait() -> T:
                    try:
                        return future.result()
                    except BrokenProcessPool:
                        return job(*args, **kwargs)

                return wait
        result = job(*args, **kwargs)
        return lambda: result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
