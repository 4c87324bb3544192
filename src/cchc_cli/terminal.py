"""Text from the inputs made safe to print on a terminal (SPEC §13.2).

A cell or a file name can hold control characters: ``_x001B_`` in a workbook is the
escape character, which a terminal obeys (clearing the screen, moving the cursor,
colouring or hiding what follows), a carriage return or a line feed forges a line of
output, and the bidirectional overrides reorder what is shown. Everything of that kind
is replaced by a visible stand-in, and long text is cut, so that what the analyst reads
is what the file holds — and a 1 MB cell does not flood the screen. JSON output is not
touched: it stays exact.
"""

from __future__ import annotations

LIMIT = 200
ELLIPSIS = "…"


def _stand_in(code: int) -> str:
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures: ␛ for ESC, ␊ for a line feed
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


_UNSAFE = (
    list(range(0x00, 0x20)) + [0x7F] + list(range(0x80, 0xA0))  # C0, DEL, C1
    + list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))  # bidi embeddings, isolates
    + [0x200E, 0x200F, 0x061C, 0x2028, 0x2029]  # bidi marks, line and paragraph separators
)
_TABLE = {code: _stand_in(code) for code in _UNSAFE}


def safe(value: object, limit: int = LIMIT) -> str:
    """``value`` as text without control characters, at most ``limit`` characters."""
    text = str(value)
    if len(text) > 4 * limit:
        text = text[:4 * limit]  # nothing past the cut is ever shown: translate less
    text = text.translate(_TABLE)
    if len(text) > limit:
        text = text[:limit - 1] + ELLIPSIS
    return text
