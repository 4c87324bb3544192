"""Reading input files defensively: regular files only, never more than a limit."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

MAX_YAML_BYTES = 5 * 1024 * 1024  # settings and criteria files


class FileRefused(Exception):
    """A file that cannot be read as an input; ``code`` is an issue code."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def read_limited(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most ``limit`` of them (devices, pipes and endless
    files are refused before anything is read)."""
    try:
        status = path.stat()
    except OSError as exc:
        raise FileRefused("khong-doc-duoc-tep", detail=exc.strerror or str(exc)) from exc
    if not stat.S_ISREG(status.st_mode):
        raise FileRefused("khong-doc-duoc-tep", detail="không phải tệp thông thường")
    if status.st_size > limit:
        raise FileRefused("tep-qua-lon", size=status.st_size, limit=limit)
    try:
        with open(path, "rb") as handle:
            # The size just seen, and one byte more to notice a file that grew since;
            # asking for ``limit`` bytes at once would allocate that much for every file.
            data = handle.read(status.st_size + 1)
            if len(data) > status.st_size:
                data += handle.read(limit + 1 - len(data))
    except OSError as exc:
        raise FileRefused("khong-doc-duoc-tep", detail=exc.strerror or str(exc)) from exc
    if len(data) > limit:
        raise FileRefused("tep-qua-lon", size=len(data), limit=limit)
    return data
