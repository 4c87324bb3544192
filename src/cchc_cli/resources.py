"""Where the bundled content is: criteria sets, document templates, the example.

In a wheel they are packaged under ``cchc_cli/_bundled``; in a source checkout (editable
install, tests) they are the repository's top-level folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """``criteria``, ``templates`` or ``examples/tinh-mau``."""
    packaged = _PACKAGE / "_bundled" / name
    if packaged.exists():
        return packaged
    return _PACKAGE.parent.parent / name


def bundled_criteria_names() -> list[str]:
    root = bundled("criteria")
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.yaml")))
