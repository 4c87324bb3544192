from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cchc_cli.cli.common import (
    DebugOpt,
    FormatOpt,
    JobsOpt,
    OutputFormat,
    QuietOpt,
    WorkspaceOpt,
    YearOpt,
    emit_json,
    esc,
    guard,
    print_issues,
    progress_bar,
    resolve_year,
    stdout_console,
)

if TYPE_CHECKING:
    from cchc_cli.numbers import Exact

# The end of the command's help, as sqlite-utils does (\b keeps the lines as written).
EXAMPLES = """Ví dụ:

\b
    cchc explain STP                # năm mới nhất
    cchc explain -y 2023 stp --format json
"""


def explain(
    unit: Annotated[str, typer.Argument(
        help="Mã đơn vị, ví dụ STP (không phân biệt chữ hoa, chữ thường).",
        metavar="MÃ_ĐƠN_VỊ", show_default=False)],
    year: YearOpt = None,
    workspace: WorkspaceOpt = Path("."),
    output: FormatOpt = OutputFormat.text,
    jobs: JobsOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Giải trình cách tính điểm của một đơn vị: từng tiêu chí, lấy từ ô nào, theo cách
    chấm nào, vì sao không áp dụng; rồi tổng điểm, điểm tối đa áp dụng và chỉ số."""
    from cchc_cli import api

    with guard(debug), progress_bar(quiet) as progress:
        year = resolve_year(workspace, year)
        explanation = api.explain(workspace, year=year, unit=unit, jobs=jobs,
                                  progress=progress)
    if output is OutputFormat.json:
        emit_json(explanation.to_dict())
        return
    console = stdout_console()
    console.print(render_tree(explanation))
    for line in total_lines(explanation):
        console.print(line)
    if explanation.issues:
        console.print("\n[bold]Vấn đề của đơn vị:[/]")
        print_issues(console, explanation.issues)


def _vi(value: Exact | None, places: int | None = None) -> str:
    from cchc_cli.numbers import vi

    return "–" if value is None else vi(value, places)


def _input_text(value: Any) -> str:
    if value is None:
        return "(trống)"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "; ".join(f"{key} = {_input_text(v)}" for key, v in value.items())
    return _vi(value)


def _where(result: Any) -> str:
    cell = result.cell or result.na_cell
    if not result.file:
        return ""
    return f"{result.file}, {result.sheet}!{cell}" if cell else result.file


def leaf_line(explanation: Any, leaf: Any) -> str:
    result = explanation.unit.leaves[leaf.code]
    head = f"[bold]{leaf.code}[/] {esc(leaf.name)}"
    if result.na:
        if result.na_reason == "register":
            why = f"danh sách đơn vị ghi không áp dụng ({esc(_where(result))})"
        elif result.na_reason == "khong-phat-sinh":
            why = f"không phát sinh ({esc(_where(result))})"
        elif result.source == "appraisal":
            why = (f"thẩm định vòng {result.round} xác nhận không áp dụng"
                   f" ({esc(_where(result))})")
        elif result.source == "survey":
            why = f"kết quả khảo sát ghi không áp dụng ({esc(_where(result))})"
        else:
            why = f"đơn vị đánh dấu không áp dụng ({esc(_where(result))})"
        return f"{head} — [dim]không áp dụng, trừ {_vi(leaf.max)} điểm khỏi điểm tối đa: {why}[/]"
    if result.missing:
        return f"{head} — [red]thiếu dữ liệu hợp lệ ({esc(_where(result))})[/]"
    source = {
        "self": "tự đánh giá (chưa thẩm định)",
        "appraisal": f"thẩm định vòng {result.round}, "
                     f"{explanation.appraisers.get(result.appraiser, result.appraiser)}",
        "survey": "kết quả khảo sát",
        None: "không khai (0 điểm)",
    }[result.source]
    sign = {"bonus": "+", "penalty": "−"}.get(result.kind, "")
    earned = _vi(result.points)
    line = (f"{head} — [bold]{sign}{earned}[/]/{_vi(leaf.max)} điểm:"
            f" {_input_text(result.input)} từ {esc(source)}")
    where = _where(result)
    if where:
        line += f" [dim]({esc(where)})[/]"
    own = result.own
    if result.source == "appraisal" and result.changed_by_appraisal and own is not None:
        mine = ({i.key: i.value for i in own.inputs} if own.inputs is not None else own.value)
        before = "không áp dụng" if own.na else _input_text(mine)
        line += f"; đơn vị tự đánh giá {esc(before)}"
        if result.comment:
            line += f"; nhận xét: {esc(result.comment)}"
    line += story_lines(explanation, leaf)
    if own is not None and own.evidence:
        line += f"\n   [dim]tài liệu kiểm chứng: {esc(own.evidence)}[/]"
    if own is not None and own.note:
        line += f"\n   [dim]giải trình của đơn vị: {esc(own.note)}[/]"
    line += f"\n   [dim]cách chấm: {esc(explanation.describe(leaf))}[/]"
    if leaf.method:
        line += f"\n   [dim]theo quyết định của tỉnh: {esc(leaf.method)}[/]"
    return line


def story_lines(explanation: Any, leaf: Any) -> str:
    """The steps from a leaf's named inputs to its points, one line each."""
    story = explanation.story(leaf.code)
    result = explanation.unit.leaves[leaf.code]
    lines = []
    for item in story.inputs:
        where = f" ({esc(result.file or '')}, {esc(result.sheet or '')}!{item.cell})" \
            if item.cell else ""
        lines.append(f"{item.key} — {esc(item.label)}: {_input_text(item.value)}{where}")
    for text in (story.value, story.reference, story.points, story.zero):
        if text:
            lines.append(esc(text))
    return "".join(f"\n   {text}" for text in lines)


def render_tree(explanation: Any) -> Any:
    from rich.tree import Tree

    unit = explanation.unit
    criteria = explanation.criteria
    root = Tree(f"[bold]{esc(unit.code)} — {esc(unit.name)}[/] (khối {unit.block},"
                f" năm {explanation.year})")
    if criteria is None:
        root.add("[red]Khối chưa có bộ tiêu chí hợp lệ.[/]")
        return root
    branches: dict[str, Any] = {}
    for _depth, node in criteria.walk():
        parent = branches[node.path[-1]] if node.path else root
        if node.is_leaf:
            parent.add(leaf_line(explanation, node))
            continue
        label = _group_label(explanation, node)
        branches[node.code] = parent.add(label)
    return root


def _group_label(explanation: Any, node: Any) -> str:
    """An area or criterion: points of applicable max, or — for a group of bonus or
    penalty leaves — what it adds or takes away, with its cap."""
    from cchc_cli.scoring import extra_below

    unit, criteria = explanation.unit, explanation.criteria
    head = f"[bold]{node.code} {esc(node.name)}[/]"
    kinds = {criteria.leaf_of(code).kind for code in node.leaves}
    if kinds in ({"bonus"}, {"penalty"}):
        kind = kinds.pop()
        extra = extra_below(criteria, unit.leaves, node.code, kind)
        words = "điểm thưởng cộng thêm" if kind == "bonus" else "điểm trừ"
        sign = "+" if kind == "bonus" else "−"
        cap = f" (trần {_vi(node.cap)})" if node.cap is not None else ""
        return f"{head} — {words}: {sign}{_vi(extra)}{cap}"
    totals = unit.nodes.get(node.code)
    index = totals.index if totals else None
    return (f"{head} — {_vi(totals.points, 2)}/{_vi(totals.max_points, 2)} điểm áp dụng"
            + (f" ({_vi(index, 2)} %)" if index is not None else " (không áp dụng)"))


def total_lines(explanation: Any) -> list[str]:
    unit = explanation.unit
    precision = explanation.precision
    criteria = explanation.criteria
    scale = criteria.scale if criteria is not None else None
    lines = [
        "",
        f"Tổng điểm = {_vi(unit.appraised_points)} (thẩm định, tự đánh giá)"
        f" + {_vi(unit.survey_points)} (khảo sát) + {_vi(unit.bonus)} (thưởng)"
        f" − {_vi(unit.penalty)} (trừ) = [bold]{_vi(unit.points)}[/]",
    ]
    if scale is not None:
        lines.append(
            f"Điểm tối đa áp dụng = {_vi(scale)} − {_vi(scale - unit.max_points)}"
            f" (không áp dụng) = [bold]{_vi(unit.max_points)}[/]"
        )
    if unit.index is not None:
        lines.append(
            f"Chỉ số = {_vi(unit.points)} ÷ {_vi(unit.max_points)} × 100"
            f" = {_vi(unit.index, 6)} → công bố [bold]{_vi(unit.index_published, precision)}[/]"
            f" (làm tròn nửa lên, {precision} chữ số)"
        )
    else:
        lines.append("[red]Chưa tính chỉ số vì đơn vị có lỗi trong dữ liệu (xem bên dưới).[/]")
    return lines
