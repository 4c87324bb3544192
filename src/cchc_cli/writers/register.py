"""The unit register workbook written by ``cchc init`` (SPEC §6)."""

from __future__ import annotations

from pathlib import Path

from cchc_cli.readers.register import REGISTER_HEADERS, REGISTER_SHEET, Unit
from cchc_cli.writers.atomic import atomic_path
from cchc_cli.writers.xlsx import Styles, a4_landscape, new_workbook, write_value

_WIDTHS = {"code": 14, "name": 42, "block": 12, "head": 28, "previous": 18, "na": 22}
_NOTES = {
    "code": "Mã duy nhất, dùng trong tên tệp tự đánh giá (ví dụ STP)",
    "block": "Mã khối trong cchc.yaml",
    "previous": "Mã năm trước nếu đơn vị đổi tên (một mã) hoặc hợp nhất (nhiều mã, cách nhau"
    " bằng dấu phẩy)",
    "na": "Mã tiêu chí không áp dụng cho đơn vị, cách nhau bằng dấu phẩy; mã lĩnh vực/tiêu"
    " chí bao gồm mọi tiêu chí con",
}


def write_register(
    path: Path, *, year: int, blocks: dict[str, str], units: list[Unit] | tuple = ()
) -> None:
    """Write a register with its headers (and ``units``, if any) atomically."""
    with atomic_path(path) as temp:
        workbook = new_workbook(temp)
        styles = Styles(workbook)
        sheet = workbook.add_worksheet(REGISTER_SHEET)
        fields = list(REGISTER_HEADERS)
        last = len(fields) - 1
        sheet.merge_range(0, 0, 0, last, f"DANH SÁCH ĐƠN VỊ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM {year}",
                          styles.title())
        sheet.merge_range(
            1, 0, 1, last,
            "Các khối: " + "; ".join(f"{code} = {name}" for code, name in blocks.items()),
            styles.get(italic=True, text_wrap=True),
        )
        sheet.set_row(1, 32)
        header_row = 3
        for c, name in enumerate(fields):
            sheet.write_string(header_row, c, REGISTER_HEADERS[name], styles.header())
            sheet.set_column(c, c, _WIDTHS[name])
            if name in _NOTES:
                sheet.write_comment(header_row, c, _NOTES[name], {"x_scale": 2})
        cell = styles.text()
        for r, unit in enumerate(units, start=header_row + 1):
            values = [unit.code, unit.name, unit.block, unit.head, ", ".join(unit.previous),
                      ", ".join(unit.not_applicable)]
            for c, value in enumerate(values):
                write_value(sheet, r, c, value, cell)
        block_col = fields.index("block")
        sheet.data_validation(
            header_row + 1, block_col, header_row + 2000, block_col,
            {"validate": "list", "source": list(blocks),
             "error_message": "Chọn mã khối có trong cchc.yaml"},
        )
        sheet.freeze_panes(header_row + 1, 0)
        sheet.autofilter(header_row, 0, header_row + max(len(units), 1), last)
        a4_landscape(sheet, repeat_rows=(header_row, header_row))
        workbook.close()
