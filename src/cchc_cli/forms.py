"""``cchc template``: the blank (or prefilled) forms to send out for a year."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cchc_cli.criteria import SURVEY, CriteriaSet, Leaf
from cchc_cli.errors import InputError, UsageError
from cchc_cli.formspec import Entered
from cchc_cli.inputs import Progress, YearInputs, read_year
from cchc_cli.issues import Issue, has_errors
from cchc_cli.outputs import FORM_FILES, form_path
from cchc_cli.readers.forms import LeafEntry
from cchc_cli.rules import INPUT_CHOICE, INPUT_DATA, INPUT_SCORE
from cchc_cli.workspace import Workspace

KINDS = ("self", "appraisal", "survey", "all")


@dataclass
class TemplateResult:
    written: list[Path] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def entered(leaf: Leaf, entry: LeafEntry | None, *, comment: bool = False) -> Entered | None:
    """What a form row said, in the shape the form writers prefill."""
    if entry is None:
        return None
    kind = leaf.reads
    value = entry.value
    number = value if isinstance(value, Decimal) else None
    label = value if isinstance(value, str) else None
    return Entered(
        data=number if kind == INPUT_DATA and not leaf.rule.inputs else None,
        choice=label if kind == INPUT_CHOICE else None,
        score=number if kind == INPUT_SCORE else None,
        na=entry.na,
        evidence=entry.evidence,
        explanation="" if comment else entry.note,
        comment=entry.note if comment else "",
        inputs=None if entry.inputs is None else {
            item.key: item.value for item in entry.inputs},
    )


def _name(kind: str, **fields: object) -> str:
    return FORM_FILES[kind].format(**fields).rsplit("/", 1)[-1]


def self_form_name(unit_code: str) -> str:
    return _name("self", unit=unit_code)


def appraisal_form_name(appraiser: str, round_no: int) -> str:
    return _name("appraisal", appraiser=appraiser, round=round_no)


def survey_form_name(block: str, year: int) -> str:
    return _name("survey", block=block, year=year)


def write_forms(
    ws: Workspace,
    year: int,
    *,
    kind: str = "all",
    out: Path | None = None,
    round_no: int = 1,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> TemplateResult:
    """Write the forms of ``kind`` under ``out`` (default ``forms/<year>``);
    ``progress(done, total)`` follows the writing."""
    from cchc_cli.writers.forms import (
        FormContext,
        write_appraisal_form,
        write_self_form,
        write_survey_form,
    )

    if kind not in KINDS:
        raise UsageError(f"Loại biểu mẫu '{kind}' không có; chọn một trong: {', '.join(KINDS)}.")
    if round_no < 1:
        raise UsageError("Vòng thẩm định phải từ 1 trở lên.")
    need_inputs = kind in ("appraisal", "all")
    inputs = read_year(ws, year, jobs=jobs) if need_inputs else _criteria_only(ws, year)
    # Errors in cchc.yaml, the criteria or the register stop form writing; errors in
    # returned forms do not (they are why a second appraisal round is prepared).
    form_files = {f.file for f in inputs.files}
    blocking = [i for i in inputs.issues if i.is_error and i.file not in form_files
                and i.code != "thieu-tu-danh-gia"]
    if inputs.register is None or has_errors(blocking) or not inputs.sets:
        raise InputError(
            "Chưa lập được biểu mẫu vì bộ tiêu chí hoặc danh sách đơn vị có lỗi.",
            blocking or inputs.issues,
        )
    result = TemplateResult(issues=[i for i in inputs.issues if i not in blocking])
    out = out or ws.forms_dir(year)
    context = FormContext(settings=ws.settings, year=year)
    units = [u for u in inputs.register.units.values() if u.block in inputs.sets]
    surveyed = (_surveyed_blocks(inputs.sets, units, order=list(ws.settings.blocks))
                if kind in ("survey", "all") else [])
    total = ((len(units) if kind in ("self", "all") else 0)
             + (len(ws.settings.appraisers) if kind in ("appraisal", "all") else 0)
             + len(surveyed))
    done = 0

    def advance(path: Path | None = None) -> None:
        nonlocal done
        if path is not None:
            result.written.append(path)
        done += 1
        if progress is not None:
            progress(done, total)

    if kind in ("self", "all"):
        for unit in units:
            path = form_path(out, "self", unit=unit.code)
            write_self_form(path, unit=unit, criteria=inputs.sets[unit.block], context=context)
            advance(path)
    if kind in ("appraisal", "all"):
        for appraiser in ws.settings.appraisers:
            lines = _appraisal_lines(inputs, units, appraiser, round_no)
            if lines:
                path = form_path(out, "appraisal", appraiser=appraiser, round=round_no)
                write_appraisal_form(path, appraiser=appraiser, round_no=round_no,
                                     lines=lines, sets=[inputs.sets[b] for b in inputs.sets],
                                     context=context)
                advance(path)
            else:
                advance()  # nothing for this appraiser to appraise
    # One survey workbook per block: one code may mean different things in two blocks.
    for block, members in surveyed:
        path = form_path(out, "survey", block=block, year=year)
        write_survey_form(path, units=members, sets={block: inputs.sets[block]},
                          context=context)
        advance(path)
    return result


def _surveyed_blocks(sets: dict[str, CriteriaSet], units: list, *, order: list[str]
                     ) -> list[tuple[str, list]]:
    """Blocks whose criteria have survey leaves (in the order of cchc.yaml), with their
    units (in register order)."""
    found = []
    for block in sorted(sets, key=lambda b: (order.index(b) if b in order else len(order), b)):
        criteria = sets[block]
        members = [u for u in units if u.block == block]
        if members and any(leaf.kind == SURVEY for leaf in criteria.leaves):
            found.append((block, members))
    return found


def _criteria_only(ws: Workspace, year: int) -> YearInputs:
    from cchc_cli.readers.register import check_not_applicable, read_register
    from cchc_cli.workspace import load_year_criteria

    loaded = load_year_criteria(ws, year)
    path = ws.register_path(year)
    register, found = read_register(path, file=ws.rel(path), blocks=ws.settings.blocks)
    inputs = YearInputs(year=year, sets=loaded.sets, register=register)
    inputs.issues.extend(loaded.issues + found)
    if register is not None:
        inputs.issues.extend(check_not_applicable(register, loaded.sets, sheet=register.sheet))
    return inputs


def _appraisal_lines(inputs: YearInputs, units: list, appraiser: str, round_no: int
                     ) -> list:
    """Rows of an appraiser's form: every unit × every leaf it appraises (survey leaves
    excluded), prefilled with the unit's own values, or with the latest earlier round's
    appraisal when preparing round 2 and later."""
    from cchc_cli.writers.forms import AppraisalLine

    lines = []
    for unit in units:
        criteria = inputs.sets[unit.block]
        own_form = inputs.self_forms.get(unit.code)
        excluded: set[str] = set()
        for code in unit.not_applicable:
            excluded.update(criteria.subtree(code))
        for leaf in criteria.leaves:
            if leaf.appraiser != appraiser or leaf.kind == SURVEY or leaf.code in excluded:
                continue
            own = entered(leaf, own_form.entries.get(leaf.code)) if own_form else None
            earlier = [a for a in inputs.appraisals.get((unit.code, leaf.code), [])
                       if a.round < round_no]
            appraised = entered(leaf, earlier[-1].entry, comment=True) if earlier else None
            lines.append(AppraisalLine(unit=unit, leaf=leaf, own=own, appraised=appraised))
    return lines
