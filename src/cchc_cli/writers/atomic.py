"""Atomic output: write to a temporary file beside the target, then rename.

An interrupted run (Ctrl-C, a killed process, a full disk) leaves the previous result
in place, never a half-written file. An output that cannot be written or replaced — the
workbook is open in Excel (Windows refuses to replace an open file), the folder is
read-only — stops the command with an :class:`~cchc_cli.errors.OutputError` (exit 3)
that names the file and what to do; the previous output is left as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cchc_cli.errors import OutputError

# What the system said, in the analyst's words.
_REASONS = {
    errno.EACCES: "không có quyền ghi",
    errno.EPERM: "không có quyền ghi",
    errno.EROFS: "ổ đĩa hoặc thư mục chỉ cho phép đọc",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EBUSY: "tệp đang bị chương trình khác dùng",
    errno.ETXTBSY: "tệp đang bị chương trình khác dùng",
    errno.EISDIR: "đã có một thư mục trùng tên",
}


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno or 0, f"lỗi hệ thống: {exc.strerror or exc}")


def _default_mode() -> int:
    """The mode a newly created file gets under the current umask (mkstemp uses 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _unwritable_folder(folder: Path, exc: OSError) -> OutputError:
    return OutputError(
        f"Không ghi được kết quả vào thư mục {folder} ({_reason(exc)}). Hãy cấp quyền ghi"
        " cho thư mục (hoặc chạy lệnh ở một thư mục ghi được), rồi chạy lại."
    )


def _unreplaceable(target: Path, exc: OSError) -> OutputError:
    return OutputError(
        f"Không thay được tệp {target} ({_reason(exc)}): tệp có thể đang mở trong Excel"
        " hoặc chương trình khác, hoặc chỉ cho phép đọc. Hãy đóng tệp rồi chạy lại lệnh;"
        " tệp cũ vẫn được giữ nguyên."
    )


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target`` atomically."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix + ".tmp",
                                    dir=target.parent)
    except OSError as exc:
        raise _unwritable_folder(target.parent, exc) from exc
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        try:
            with open(temp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.chmod(temp, _default_mode())
        except OSError as exc:
            raise _unwritable_folder(target.parent, exc) from exc
        try:
            os.replace(temp, target)
        except OSError as exc:
            raise _unreplaceable(target, exc) from exc
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def write_text_atomic(target: Path, text: str) -> None:
    with atomic_path(target) as temp:
        temp.write_text(text, encoding="utf-8")


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as temp:
        temp.write_bytes(data)
