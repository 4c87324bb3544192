"""How cchc starts the processes that read files: fork where it can, spawn elsewhere.

``fork`` (Linux) starts a worker at once, with everything already imported; ``spawn``
(Windows — the only method there — and macOS if asked) starts a fresh interpreter that
imports the reader and receives its work by pickling. Both give the same results. The
environment variable ``CCHC_START_METHOD`` (``fork``, ``spawn`` or ``forkserver``)
forces one, to test the Windows way on Linux (README, "Windows").
"""

from __future__ import annotations

import os

from cchc_cli.errors import UsageError

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
