"""Paths built from codes found in the inputs, kept inside the folder they belong to.

A unit code comes from the register, and a file name built from it (``cchc template``'s
``tu-danh-gia-<CODE>.xlsx``; later ``results/Y/gui-don-vi/<CODE>-…``) must never leave
``forms/`` or ``results/``: a code ``../../data/2023/tu-danh-gia/X`` would otherwise
overwrite a unit's returned form. The register refuses such codes (SPEC §13.2); this
check is the second lock, on every path built from a code.
"""

from __future__ import annotations

import os
from pathlib import Path

from cchc_cli.errors import UnsafePathError


def inside(folder: Path, *names: str) -> Path:
    """``folder / names…``, refused unless every name is one plain path component and
    the result stays inside ``folder`` (symbolic links resolved)."""
    path = folder
    for name in names:
        if (not name or name in (".", "..") or "/" in name or "\\" in name
                or os.path.isabs(name) or Path(name).drive or "\x00" in name):
            raise _unsafe(folder, name)
        path = path / name
    root = folder.resolve()
    if not path.resolve().is_relative_to(root):
        raise _unsafe(folder, "/".join(names))
    return path


def _unsafe(folder: Path, name: str) -> UnsafePathError:
    return UnsafePathError(
        f"Từ chối ghi tệp '{name[:80]}' vào {folder}: tên tệp lấy từ mã trong dữ liệu đầu"
        " vào nhưng sẽ nằm ngoài thư mục này. Hãy sửa mã trong danh sách đơn vị."
    )
