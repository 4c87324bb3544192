"""Deterministic generator of synthetic workspaces: the example province and benchmarks.

    python examples/generate.py examples/tinh-mau            # the committed example
    python examples/generate.py /tmp/tinh-300 --profile province
    python examples/generate.py /tmp/ca-nuoc --profile national

Every name and number is made up (DỮ LIỆU TỔNG HỢP): districts and communes are called
"Mẫu …", scores come from a seeded random generator driven by a hidden "quality" of each
unit that drifts from one year to the next, so rankings look plausible and move. The
same arguments always give the same files (string seeds are hashed with SHA-512 by
``random.Random``; xlsxwriter writes fixed timestamps).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cchc_cli.criteria import BONUS, PENALTY, SURVEY, CriteriaSet, Leaf, load_criteria
from cchc_cli.formspec import Entered
from cchc_cli.init import adapt_criteria_text, settings_template
from cchc_cli.numbers import Exact
from cchc_cli.readers.register import Unit
from cchc_cli.resources import bundled
from cchc_cli.settings import Settings
from cchc_cli.writers.forms import (
    AppraisalLine,
    FormContext,
    entered_points,
    write_appraisal_form,
    write_self_form,
    write_survey_form,
)
from cchc_cli.writers.register import write_register

SEED = "tinh-mau"
CRITERIA_SOURCE = "mau-2023"
TWO = Decimal("0.01")
ONE = Decimal("0.1")

# --------------------------------------------------------------------------------------
# Who is in the province
# --------------------------------------------------------------------------------------

SO_NGANH = [
    ("STP", "Sở Tư pháp"), ("SNV", "Sở Nội vụ"), ("STC", "Sở Tài chính"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư"), ("SCT", "Sở Công Thương"),
    ("SNN", "Sở Nông nghiệp và Phát triển nông thôn"), ("SGTVT", "Sở Giao thông vận tải"),
    ("SXD", "Sở Xây dựng"), ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("STTTT", "Sở Thông tin và Truyền thông"),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"), ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"), ("SYT", "Sở Y tế"), ("TTT", "Thanh tra tỉnh"),
    ("VPUB", "Văn phòng UBND tỉnh"), ("BDT", "Ban Dân tộc"),
    ("BQLKKT", "Ban Quản lý Khu kinh tế"), ("SNGV", "Sở Ngoại vụ"),
]
HUYEN = [
    ("H01", "Thành phố Mẫu Sơn"), ("H02", "Thị xã Mẫu Giang"), ("H03", "Huyện Mẫu Đông"),
    ("H04", "Huyện Mẫu Tây"), ("H05", "Huyện Mẫu Bắc"), ("H06", "Huyện Mẫu Nam"),
    ("H07", "Huyện Mẫu Lâm"), ("H08", "Huyện Mẫu Hà"), ("H09", "Huyện Mẫu Phong"),
    ("H10", "Huyện Mẫu Thủy"),
]
COMMUNE_NAMES = [
    "An Phú", "Bình Minh", "Cẩm Thạch", "Đồng Tâm", "Hòa Lạc", "Hưng Đạo", "Kim Liên",
    "Lam Sơn", "Minh Khai", "Nghĩa Hưng", "Phú Mỹ", "Quang Trung", "Sơn Thủy", "Tân Lập",
    "Thanh Bình", "Thạch Lâm", "Trung Sơn", "Vĩnh Phúc", "Xuân Hòa", "Yên Thái",
    "Đông Hải", "Tây Sơn", "Bắc Hà", "Nam Tiến", "Hồng Phong", "Thượng Lâm", "Hạ Long Mẫu",
    "Cát Tiên Mẫu", "Phước Mẫu", "Long Mẫu", "Tam Mẫu",
]
TW = [
    ("CTH", "Cục Thuế tỉnh"), ("KBNN", "Kho bạc Nhà nước tỉnh"),
    ("BHXH", "Bảo hiểm xã hội tỉnh"), ("CHQ", "Cục Hải quan tỉnh"),
    ("CTK", "Cục Thống kê tỉnh"), ("NHNN", "Ngân hàng Nhà nước chi nhánh tỉnh"),
]
HEADS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em",
         "Vũ Thị Giang", "Đặng Văn Hải", "Bùi Thị Hoa", "Đỗ Văn Khánh", "Ngô Thị Lan",
         "Dương Văn Minh", "Lý Thị Nga", "Phan Văn Phúc", "Trịnh Thị Quyên", "Mai Văn Sơn"]


@dataclass(frozen=True)
class Profile:
    """What to generate: units per block, years, appraisal rounds."""

    name: str
    years: tuple[int, ...]
    so_nganh: int = 20
    huyen: int = 10
    xa: int = 30
    tw: int = 6
    appraisal: bool = True
    quirks: bool = False  # the example's touches: renamed, merged and new units
    previous_file: bool = False  # last year's ranks as data/Y/nam-truoc.xlsx


PROFILES = {
    # The committed example: two complete years, so 2023 is compared by recomputing 2022.
    "example": Profile("example", (2022, 2023), quirks=True),
    # A province of 300 units; last year's published ranks in nam-truoc.xlsx.
    "province": Profile("province", (2023,), so_nganh=20, huyen=12, xa=260, tw=8,
                        previous_file=True),
    # The same province with both years' inputs (last year recomputed).
    "province-2y": Profile("province-2y", (2022, 2023), so_nganh=20, huyen=12, xa=260, tw=8),
    # Every commune of the country before 2025, one block: self-assessments and survey
    # (appraisal happens province by province).
    "national": Profile("national", (2023,), so_nganh=0, huyen=0, xa=10_600, tw=0,
                        appraisal=False, previous_file=True),
    "tiny": Profile("tiny", (2023,), so_nganh=3, huyen=2, xa=4, tw=1, previous_file=True),
}


def scaled(units: int) -> Profile:
    """A province-shaped workspace of about ``units`` units (for measuring growth)."""
    so, huyen, tw = min(20, units // 10), min(12, units // 25), min(8, units // 40)
    return Profile(f"units-{units}", (2023,), so_nganh=so, huyen=huyen,
                   xa=max(1, units - so - huyen - tw), tw=tw, previous_file=True)


def _commune_name(i: int) -> str:
    base = COMMUNE_NAMES[i % len(COMMUNE_NAMES)]
    return f"Xã {base}" if i < len(COMMUNE_NAMES) else f"Xã {base} {i // len(COMMUNE_NAMES) + 1}"


def units_for(profile: Profile, year: int) -> list[Unit]:
    """The register of one year."""
    def head(i: int) -> str:
        return HEADS[i % len(HEADS)]

    units: list[Unit] = []
    so = SO_NGANH[: profile.so_nganh] if profile.so_nganh <= len(SO_NGANH) else SO_NGANH + [
        (f"S{i:02d}", f"Ban quản lý dự án số {i}") for i in range(len(SO_NGANH),
                                                              profile.so_nganh)]
    for i, (code, name) in enumerate(so):
        previous: tuple[str, ...] = ()
        if profile.quirks and year >= 2023:
            if code == "STTTT":
                continue  # merged into SKHCN
            if code == "SKHCN":
                previous = ("SKHCN", "STTTT")
            if code == "BDT":
                code, name, previous = "BDTTG", "Ban Dân tộc và Tôn giáo", ("BDT",)
        na = ("2.3",) if profile.quirks and code in ("BQLKKT", "SNGV") else ()
        units.append(Unit(code, name, "so-nganh", head(i), previous, na))
    if profile.quirks and year >= 2023:
        units.append(Unit("BQLDA", "Ban Quản lý dự án đầu tư xây dựng các công trình",
                          "so-nganh", head(3)))
    huyen = HUYEN[: profile.huyen] if profile.huyen <= len(HUYEN) else HUYEN + [
        (f"H{i + 1:02d}", f"Huyện Mẫu {i + 1}") for i in range(len(HUYEN), profile.huyen)]
    for i, (code, name) in enumerate(huyen):
        units.append(Unit(code, name, "huyen", head(i + 5)))
    n_xa = profile.xa + (1 if profile.quirks and year < 2023 else 0)
    width = max(2, len(str(n_xa)))
    for i in range(n_xa):
        code = f"X{i + 1:0{width}d}"
        previous = ()
        if profile.quirks and year >= 2023 and i == profile.xa - 1:
            previous = (code, f"X{i + 2:0{width}d}")  # absorbed its neighbour
        units.append(Unit(code, _commune_name(i), "xa", head(i + 7), previous))
    for i, (code, name) in enumerate(TW[: profile.tw]):
        na = ("1.3",) if profile.quirks and code == "CHQ" else ()
        units.append(Unit(code, name, "tw", head(i + 2), (), na))
    return units


# --------------------------------------------------------------------------------------
# What units enter
# --------------------------------------------------------------------------------------


def quality(seed: str, code: str, year: int) -> float:
    """A unit's hidden quality in [0.45, 0.99], drifting a little every year."""
    base = random.Random(f"{seed}:{code}").uniform(0.55, 0.97)
    drift = random.Random(f"{seed}:{code}:{year}").gauss(0, 0.05)
    return min(0.99, max(0.45, base + drift))


def _step_round(value: float, step: Decimal, top: Decimal) -> Decimal:
    steps = round(value / float(step))
    return min(top, max(Decimal(0), step * steps))


def _evidence(rng: random.Random, leaf: Leaf, unit: Unit, year: int) -> str:
    kinds = (("Kế hoạch", "KH"), ("Báo cáo", "BC"), ("Quyết định", "QĐ"),
             ("Thông báo", "TB"), ("Công văn", "CV"))
    text = (leaf.evidence or "").lower()
    kind = next((k for k in kinds if k[0].lower() in text), kinds[rng.randrange(len(kinds))])
    number = rng.randint(5, 480)
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    return (f"{kind[0]} số {number}/{kind[1]}-{unit.code} ngày {day:02d}/{month:02d}/{year}")


def self_values(leaf: Leaf, unit: Unit, year: int, q: float, rng: random.Random) -> Entered:
    """A plausible self-assessment of one leaf by a unit of quality ``q``."""
    rule = leaf.rule
    kind = rule.type
    if kind == SURVEY:
        return Entered()
    if leaf.na_allowed and rng.random() < 0.18:
        return Entered(na=True, explanation="Trong năm không phát sinh nội dung này")
    if rule.inputs:
        entered = Entered(inputs=inputs_for(leaf, q, rng))
    elif kind == "choice":
        ordered = sorted(rule.options, key=lambda o: o.points, reverse=True)
        r = rng.random()
        index = 0 if r < q else (1 if r < q + (1 - q) * 0.7 else len(ordered) - 1)
        choice = ordered[min(index, len(ordered) - 1)].label
        entered = Entered(choice=choice)
    elif kind in ("tiers", "ratio", "relative"):
        lower_is_better = kind == "tiers" and rule.tiers[0].points < rule.tiers[-1].points
        mean = 35 * (1 - q) if lower_is_better else 55 + 45 * q
        value = min(100.0, max(0.0, rng.gauss(mean, 7)))
        entered = Entered(data=Decimal(str(round(value, 1))))
    elif kind in (BONUS, PENALTY) and rule.options:
        share = 0.2 if kind == BONUS else 0.08
        choice = rng.choice(rule.options).label if rng.random() < share else None
        entered = Entered(choice=choice)
    elif kind == "manual":
        step = rule.step or Decimal("0.25")
        entered = Entered(score=_step_round(float(leaf.max) * min(1, rng.gauss(q, 0.12)),
                                            step, leaf.max))
    elif kind == BONUS:
        score = Decimal(rng.choice(["0.5", "1", "1.5"])) if rng.random() < 0.2 else None
        entered = Entered(score=min(score, leaf.max) if score is not None else None)
    elif kind == PENALTY:
        score = Decimal(rng.choice(["0.5", "1"])) if rng.random() < 0.08 else None
        entered = Entered(score=min(score, leaf.max) if score is not None else None)
    else:  # pragma: no cover - every rule type is handled above
        raise ValueError(kind)
    earned = _earned(leaf, entered)
    evidence = _evidence(rng, leaf, unit, year) if earned and earned > 0 else ""
    explanation = ""
    if earned is not None and earned < leaf.max / 2 and kind not in (BONUS, PENALTY):
        explanation = rng.choice([
            "Đơn vị chưa bố trí được kinh phí thực hiện",
            "Do thay đổi nhân sự phụ trách nên triển khai chậm",
            "Đã thực hiện nhưng chưa đầy đủ hồ sơ lưu",
        ])
    return Entered(data=entered.data, choice=entered.choice, score=entered.score,
                   evidence=evidence, explanation=explanation, inputs=entered.inputs)


def _count(value: float) -> Decimal:
    return Decimal(max(0, round(value)))


def inputs_for(leaf: Leaf, q: float, rng: random.Random) -> dict[str, Decimal | None]:
    """Plausible counts and amounts for a leaf's named inputs (SPEC §13.1), after the
    patterns of the bundled sets: a rate of two counts, disbursed over planned capital,
    late and missing reports, procedures online in full or in part."""
    keys = tuple(spec.key for spec in leaf.rule.inputs)
    share = min(1.0, max(0.0, rng.gauss(0.55 + 0.45 * q, 0.06)))
    if keys == ("a", "b"):  # a count out of a total; now and then no case at all
        total = 0 if rng.random() < 0.06 else rng.randint(40, 900)
        return {"a": _count(total * share), "b": Decimal(total)}
    if keys == ("d", "p"):  # capital disbursed over capital planned, millions of đồng
        planned = 0 if rng.random() < 0.08 else rng.randint(1_500, 95_000)
        return {"d": Decimal(str(round(planned * share, 1))), "p": Decimal(planned)}
    if keys == ("late", "missing"):
        return {"late": Decimal(rng.choices([0, 1, 2, 3], [q, 0.5, 0.3, 0.1])[0]),
                "missing": Decimal(1 if rng.random() < 0.15 * (1 - q) else 0)}
    if keys == ("a", "b", "c"):  # procedures online in full (b) or in part (c) of a
        total = rng.randint(30, 250)
        full = _count(total * share * 0.8)
        return {"a": Decimal(total), "b": full,
                "c": _count((total - int(full)) * rng.uniform(0.2, 0.9))}
    return {key: Decimal(rng.randint(0, 100)) for key in keys}


def _earned(leaf: Leaf, entered: Entered) -> Exact | None:
    """The points ``entered`` earns, computed by the leaf's own rule."""
    return entered_points(leaf, entered)


CHANGE_COMMENTS = [
    "Tài liệu kiểm chứng chưa thể hiện đầy đủ nội dung theo yêu cầu",
    "Văn bản ban hành chậm so với thời hạn quy định",
    "Số liệu chưa khớp với báo cáo của Sở chuyên ngành",
    "Không có tài liệu kiểm chứng kèm theo",
]
ROUND2_COMMENTS = [
    "Chấp nhận giải trình và tài liệu bổ sung của đơn vị",
    "Đơn vị đã bổ sung tài liệu kiểm chứng",
]


def appraise(leaf: Leaf, own: Entered, q: float, rng: random.Random) -> Entered | None:
    """The appraiser's round-1 view of a self-assessed leaf (None = agrees)."""
    rule = leaf.rule
    if own.na:
        if rng.random() < 0.3:  # N/A claim rejected
            return _lowered(leaf, Entered(), rng, "Đơn vị có phát sinh nội dung này trong năm,"
                            " không thuộc trường hợp không áp dụng")
        return None
    if rng.random() > 0.10 + 0.15 * (1 - q):
        return None
    if rule.type in (BONUS, PENALTY):
        if rule.type == BONUS and own.score:
            return Entered(score=Decimal(0), comment="Sáng kiến chưa được cấp có thẩm quyền"
                           " công nhận")
        return None
    return _lowered(leaf, own, rng, rng.choice(CHANGE_COMMENTS))


def _lowered(leaf: Leaf, own: Entered, rng: random.Random, comment: str) -> Entered | None:
    rule = leaf.rule
    kind = rule.type
    if rule.inputs:
        values = dict(own.inputs or inputs_for(leaf, 0.6, rng))
        key = rule.inputs[0].key  # the numerator: fewer on-time dossiers, less disbursed
        first = values.get(key) or Decimal(0)
        cut = Decimal(max(1, int(first) // rng.randint(8, 20)))
        if key in ("late", "missing"):
            values[key] = first + 1  # one more late report found by the appraiser
        else:
            values[key] = max(Decimal(0), first - cut)
        return Entered(inputs=values, comment=comment)
    if kind == "choice":
        ordered = sorted(rule.options, key=lambda o: o.points, reverse=True)
        labels = [o.label for o in ordered]
        index = labels.index(own.choice) + 1 if own.choice in labels else 1
        return Entered(choice=labels[min(index, len(labels) - 1)], comment=comment)
    if kind in ("tiers", "ratio"):
        base = own.data if own.data is not None else Decimal(60)
        lower_is_better = kind == "tiers" and rule.tiers[0].points < rule.tiers[-1].points
        delta = Decimal(rng.randint(30, 120)) * ONE
        value = base + delta if lower_is_better else base - delta
        return Entered(data=min(Decimal(100), max(Decimal(0), value)), comment=comment)
    if kind == "manual":
        step = rule.step or Decimal("0.25")
        base = own.score if own.score is not None else leaf.max
        return Entered(score=max(Decimal(0), base - step * rng.randint(1, 2)), comment=comment)
    return None


# --------------------------------------------------------------------------------------
# Writing a workspace
# --------------------------------------------------------------------------------------


@dataclass
class YearPlan:
    year: int
    units: list[Unit]
    sets: dict[str, CriteriaSet]
    self_values: dict[str, dict[str, Entered]] = field(default_factory=dict)


def write_criteria(root: Path, year: int, blocks: Iterable[str]) -> dict[str, CriteriaSet]:
    sets = {}
    folder = root / "criteria" / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    for block in blocks:
        source = bundled("criteria") / CRITERIA_SOURCE / f"{block}.yaml"
        text = adapt_criteria_text(source.read_text(encoding="utf-8"), year)
        path = folder / f"{block}.yaml"
        path.write_text(text, encoding="utf-8")
        criteria, issues = load_criteria(path, settings=Settings(), file=str(path),
                                         folder_year=year)
        assert criteria is not None, issues
        sets[block] = criteria
    return sets


def _self_job(args: tuple) -> None:
    path, unit, criteria, year, values, with_meta = args
    write_self_form(path, unit=unit, criteria=criteria,
                    context=FormContext(settings=Settings(), year=year), values=values,
                    with_meta=with_meta)


def _run(jobs: list[tuple], workers: int) -> None:
    if workers <= 1 or len(jobs) < 200:
        for job in jobs:
            _self_job(job)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for _ in pool.imap_unordered(_self_job, jobs, chunksize=32):
            pass


def generate(root: Path, profile: Profile, *, seed: str = SEED, workers: int = 1) -> None:
    """Write a complete workspace for ``profile`` under ``root`` (replaced if present)."""
    if root.exists():
        for child in ("cchc.yaml", "criteria", "data", "results", "forms"):
            target = root / child
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    root.mkdir(parents=True, exist_ok=True)
    blocks = [b for b, n in (("so-nganh", profile.so_nganh), ("huyen", profile.huyen),
                             ("xa", profile.xa), ("tw", profile.tw)) if n]
    settings_text = settings_template(blocks).replace(
        "# Cấu hình của tỉnh cho cchc",
        "# DỮ LIỆU TỔNG HỢP, KHÔNG CÓ THẬT — sinh bởi examples/generate.py.\n"
        "# Cấu hình của tỉnh cho cchc",
    )
    (root / "cchc.yaml").write_text(settings_text, encoding="utf-8")
    settings = Settings()
    names = {b: settings.block_name(b) for b in blocks}
    for year in profile.years:
        sets = write_criteria(root, year, blocks)
        plan = YearPlan(year, units_for(profile, year), sets)
        data = root / "data" / str(year)
        write_register(data / "don-vi.xlsx", year=year, blocks=names, units=plan.units)
        _write_self_forms(plan, data, seed, workers, quirks=profile.quirks)
        if profile.appraisal:
            _write_appraisals(plan, data, seed, settings)
        _write_survey(plan, data, seed, settings, quirks=profile.quirks)
        if profile.previous_file:
            _write_previous_ranks(plan, data, seed)


def _write_previous_ranks(plan: YearPlan, data: Path, seed: str) -> None:
    """data/Y/nam-truoc.xlsx: last year's published ranks, from last year's qualities."""
    from cchc_cli.ranking import PREVIOUS_HEADERS, PREVIOUS_SHEET, assign_ranks
    from cchc_cli.writers.xlsx import new_workbook

    last = plan.year - 1
    rows = []
    for block in sorted({u.block for u in plan.units}):
        members = [u for u in plan.units if u.block == block]
        indices = {u.code: Decimal(str(round(quality(seed, u.code, last) * 100, 2)))
                   for u in members}
        ranks = assign_ranks(indices)
        rows += [(code, block, ranks[code], indices[code]) for code in indices]
    path = data / "nam-truoc.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = new_workbook(path)
    sheet = workbook.add_worksheet(PREVIOUS_SHEET)
    headers = [PREVIOUS_HEADERS[k] for k in ("code", "block", "rank", "index")]
    sheet.write_row(0, 0, [f"Kết quả Chỉ số CCHC năm {last} đã công bố (dữ liệu tổng hợp)"])
    sheet.write_row(2, 0, headers)
    for r, (code, block, rank, index) in enumerate(rows, start=3):
        sheet.write_string(r, 0, code)
        sheet.write_string(r, 1, block)
        sheet.write_number(r, 2, rank)
        sheet.write_number(r, 3, float(index))
    workbook.close()


def _write_self_forms(plan: YearPlan, data: Path, seed: str, workers: int, *,
                      quirks: bool) -> None:
    jobs = []
    for unit in plan.units:
        criteria = plan.sets[unit.block]
        q = quality(seed, unit.code, plan.year)
        rng = random.Random(f"{seed}:self:{unit.code}:{plan.year}")
        excluded = {c for code in unit.not_applicable for c in criteria.subtree(code)}
        values = {leaf.code: self_values(leaf, unit, plan.year, q, rng)
                  for leaf in criteria.leaves if leaf.code not in excluded}
        plan.self_values[unit.code] = values
        # One unit copied its answers into a workbook of its own: no _cchc sheet, the
        # unit is known from the file name.
        plain_copy = quirks and unit.code == "SNGV"
        name = (f"{unit.code} - Bieu tu danh gia CCHC nam {plan.year}.xlsx" if plain_copy
                else f"tu-danh-gia-{unit.code}.xlsx")
        jobs.append((data / "tu-danh-gia" / name, unit, criteria, plan.year, values,
                     not plain_copy))
    _run(jobs, workers)


def _write_appraisals(plan: YearPlan, data: Path, seed: str, settings: Settings) -> None:
    context = FormContext(settings=settings, year=plan.year)
    sets = list(plan.sets.values())
    for appraiser in settings.appraisers:
        rng = random.Random(f"{seed}:appraisal:{appraiser}:{plan.year}")
        round1: list[AppraisalLine] = []
        round2: list[AppraisalLine] = []
        for unit in plan.units:
            criteria = plan.sets[unit.block]
            q = quality(seed, unit.code, plan.year)
            own_values = plan.self_values[unit.code]
            for leaf in criteria.leaves:
                if leaf.appraiser != appraiser or leaf.kind == SURVEY:
                    continue
                own = own_values.get(leaf.code)
                if own is None:
                    continue  # not applicable by the register
                changed = appraise(leaf, own, q, rng)
                round1.append(AppraisalLine(unit, leaf, own, changed or own))
                if changed is not None and rng.random() < 0.35:
                    revised = Entered(data=own.data, choice=own.choice, score=own.score,
                                      na=own.na, inputs=own.inputs,
                                      comment=rng.choice(ROUND2_COMMENTS))
                    round2.append(AppraisalLine(unit, leaf, own, revised))
        if round1:
            write_appraisal_form(data / "tham-dinh" / f"tham-dinh-{appraiser}-vong-1.xlsx",
                                 appraiser=appraiser, round_no=1, lines=round1, sets=sets,
                                 context=context)
        if round2:
            write_appraisal_form(data / "tham-dinh" / f"tham-dinh-{appraiser}-vong-2.xlsx",
                                 appraiser=appraiser, round_no=2, lines=round2, sets=sets,
                                 context=context)


def _write_survey(plan: YearPlan, data: Path, seed: str, settings: Settings, *,
                  quirks: bool) -> None:
    values: dict[tuple[str, str], Decimal | str] = {}
    for unit in plan.units:
        criteria = plan.sets[unit.block]
        q = quality(seed, unit.code, plan.year)
        rng = random.Random(f"{seed}:survey:{unit.code}:{plan.year}")
        for leaf in criteria.leaves:
            if leaf.kind != SURVEY:
                continue
            mean = 78 + 18 * q if "SIPAS" in leaf.name else 70 + 25 * q
            value = Decimal(str(round(min(99.5, max(40.0, rng.gauss(mean, 3))), 2)))
            # A few results arrive as text with a decimal comma, as typed in Vietnamese.
            values[(unit.code, leaf.code)] = (
                str(value).replace(".", ",") if quirks and rng.random() < 0.05 else value
            )
    write_survey_form(data / "khao-sat" / f"khao-sat-{plan.year}.xlsx", units=plan.units,
                      sets=plan.sets, context=FormContext(settings=settings, year=plan.year),
                      values=values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="thư mục không gian làm việc sẽ ghi")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="example")
    parser.add_argument("--units", type=int, help="a province of about this many units"
                        " (overrides --profile)")
    parser.add_argument("--seed", default=SEED)
    parser.add_argument("--workers", type=int, default=1, help="tiến trình ghi song song")
    args = parser.parse_args(argv)
    profile = scaled(args.units) if args.units else PROFILES[args.profile]
    generate(args.out, profile, seed=args.seed, workers=args.workers)
    print(f"Đã sinh không gian làm việc '{profile.name}' tại {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
