"""Benchmark of cchc against the budgets of SPEC §12, on generated workspaces.

    python tests/perf/bench.py                    # everything (national: ~5 min to generate)
    python tests/perf/bench.py --no-national      # province, report, growth only
    python tests/perf/bench.py --smoke            # tiny sizes: what the test suite runs

Workspaces are generated once with examples/generate.py into --work (default
/tmp/cchc-bench) and reused. Every command runs as a separate process, like a user's;
the figure reported is the median of --runs runs, with the peak memory of the whole
process tree (main process and reading workers, sampled every 10 ms from /proc).
The naive baseline reads the same input forms with ``pandas.read_excel`` per file
(openpyxl engine, every sheet, codes as text) — the way analysts' scripts do it.

This machine's speed drifts: the first line of the output times a fixed Python loop
(10 million additions), so figures from different moments can be compared.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2023


def load_generator():
    name = "cchc_example_generator"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def cchc_command() -> list[str]:
    exe = Path(sys.executable).parent / "cchc"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cchc_cli"]


# --------------------------------------------------------------------------------------
# Running and measuring a process tree
# --------------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    queue.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Measure:
    wall: float
    peak_mb: float
    code: int
    stages: dict[str, float] = field(default_factory=dict)


def run(args: list[str], *, env: dict | None = None) -> Measure:
    """Run a command; wall time, peak RSS of its whole process tree, stage timings."""
    environment = dict(os.environ, CCHC_TIMINGS="1", **(env or {}))
    # As on a user's machine, Python keeps its compiled modules (some sandboxes turn
    # that off, and then every run would compile all of cchc again: +0.1 s).
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=environment, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_rss_kb(pid) for pid in _tree(process.pid)))
        time.sleep(0.01)
    wall = time.perf_counter() - start
    stderr = process.stderr.read() if process.stderr else ""
    stages = {}
    for line in stderr.splitlines():
        if line.startswith("CCHC_TIMINGS "):
            stages = json.loads(line.split(" ", 1)[1])
    return Measure(wall=wall, peak_mb=peak / 1024, code=process.returncode, stages=stages)


def median_run(args: list[str], runs: int) -> tuple[Measure, list[float]]:
    run(args)  # untimed: compiled modules and the files' pages are in place, as on a 2nd run
    return median_of([run(args) for _ in range(runs)])


def median_of(measures: list[Measure]) -> tuple[Measure, list[float]]:
    """The run with the median wall time (its stages are shown), the peak memory of all
    runs, and every wall time."""
    walls = sorted(m.wall for m in measures)
    middle = statistics.median(walls)
    chosen = min(measures, key=lambda m: abs(m.wall - middle))
    chosen.peak_mb = max(m.peak_mb for m in measures)
    return chosen, walls


def calibration() -> float:
    """Seconds for 10 million additions in a fresh interpreter (machine speed now)."""
    code = "import time\nt=time.perf_counter()\ns=0\nfor i in range(10_000_000): s+=i\n" \
           "print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return float(out.stdout)


def naive_read(root: Path, year: int = YEAR) -> tuple[float, int]:
    """Read every input form with pandas.read_excel: openpyxl engine, the data sheet
    (the first), every cell as text. Timed inside this process, with pandas already
    imported — a baseline that favours pandas (cchc is timed as a whole process)."""
    import pandas as pd

    files = [p for p in sorted((root / "data" / str(year)).rglob("*.xlsx"))
             if p.name not in ("don-vi.xlsx", "nam-truoc.xlsx")]
    start = time.perf_counter()
    for path in files:
        pd.read_excel(path, sheet_name=0, header=None, dtype=str, engine="openpyxl")
    return time.perf_counter() - start, len(files)


# --------------------------------------------------------------------------------------
# Workspaces
# --------------------------------------------------------------------------------------


def workspace(work: Path, name: str, profile, workers: int) -> Path:
    target = work / name
    marker = target / ".bench-profile"
    wanted = repr(profile)
    if marker.exists() and marker.read_text() == wanted:
        return target
    print(f"… sinh không gian làm việc {name}", file=sys.stderr, flush=True)
    load_generator().generate(target, profile, workers=workers)
    marker.write_text(wanted)
    return target


def count_units(root: Path) -> int:
    from cchc_cli.readers.register import read_register
    from cchc_cli.settings import Settings

    register, _ = read_register(root / "data" / str(YEAR) / "don-vi.xlsx", file="don-vi.xlsx",
                                blocks=Settings().blocks)
    return len(register.units) if register else 0


# --------------------------------------------------------------------------------------


def num(value: float, places: int) -> str:
    """Vietnamese notation: decimal comma (1,01)."""
    return f"{value:.{places}f}".replace(".", ",")


def count(value: int) -> str:
    """10 600, with a space between thousands."""
    return f"{value:,}".replace(",", " ")


def fmt(seconds: float) -> str:
    return f"{num(seconds, 2)} s"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/cchc-bench"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--national", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--growth", nargs="*", type=int, default=[100, 300, 1000])
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, one run each (the test suite's check)")
    parser.add_argument("--render", type=Path, metavar="RESULTS_JSON",
                        help="print the tables of an earlier run's results.json again")
    args = parser.parse_args(argv)
    if args.render:
        results = json.loads(args.render.read_text())
        print(render(results))
        return results
    generator = load_generator()
    cchc = cchc_command()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    runs = 1 if args.smoke else args.runs
    results: dict = {"calibration_s": [calibration()]}

    # cchc --help
    help_measure, help_walls = median_run([*cchc, "--help"], max(runs, 5))
    results["help"] = {"wall": help_measure.wall, "runs": help_walls}

    # A province (300 units; 20 in the smoke run).
    profile = generator.scaled(20) if args.smoke else generator.PROFILES["province"]
    province = workspace(work, "smoke" if args.smoke else "province", profile, workers=2)
    units = count_units(province)
    # The machine's speed drifts: rank is run before and after the naive read, and the
    # ratio uses the median of all those runs.
    rank_args = [*cchc, "rank", "-w", str(province), "--year", str(YEAR), "-q"]
    measures = [run(rank_args) for _ in range(runs)]
    naive, files = naive_read(province)
    if not args.smoke:
        measures += [run(rank_args) for _ in range(runs)]
    rank, rank_walls = median_of(measures)
    report, report_walls = median_run([*cchc, "report", "-w", str(province), "--year",
                                       str(YEAR), "-q"], runs)
    disputes, disputes_walls = median_run([*cchc, "whatif", "-w", str(province), "--year",
                                           str(YEAR), "--disputes", "-q"], runs)
    results["province"] = {
        "units": units, "files": files,
        "rank": {"wall": rank.wall, "runs": rank_walls, "peak_mb": rank.peak_mb,
                 "stages": rank.stages, "exit": rank.code},
        "naive_read": naive, "ratio": naive / rank.wall,
        "report": {"wall": report.wall, "runs": report_walls, "peak_mb": report.peak_mb,
                   "stages": report.stages, "exit": report.code},
        "disputes": {"wall": disputes.wall, "runs": disputes_walls,
                     "peak_mb": disputes.peak_mb, "stages": disputes.stages,
                     "exit": disputes.code},
    }

    results["collection"] = collection_loop(cchc, work, province, runs, smoke=args.smoke)
    results["history"] = measure_history(cchc, province, runs)

    results["calibration_s"].append(calibration())

    # Growth with the number of units.
    sizes = [5, 10, 20] if args.smoke else args.growth
    growth = []
    for size in sizes:
        root = workspace(work, f"units-{size}", generator.scaled(size), workers=2)
        measure, _ = median_run([*cchc, "rank", "-w", str(root), "--year", str(YEAR), "-q"],
                                runs)
        growth.append({"units": count_units(root), "wall": measure.wall,
                       "peak_mb": measure.peak_mb, "stages": measure.stages})
    results["growth"] = growth

    # The whole country's communes.
    if args.national and not args.smoke:
        national = workspace(work, "national", generator.PROFILES["national"], workers=2)
        measure, walls = median_run([*cchc, "rank", "-w", str(national), "--year", str(YEAR),
                                     "-q", "--format", "json"], min(runs, 3))
        results["national"] = {"units": count_units(national), "wall": measure.wall,
                               "runs": walls, "peak_mb": measure.peak_mb,
                               "stages": measure.stages, "exit": measure.code}

    results["calibration_s"].append(calibration())
    print(render(results))
    (work / "results.json").write_text(json.dumps(results, indent=2))
    return results


def collection_loop(cchc: list[str], work: Path, province: Path, runs: int, *,
                    smoke: bool) -> dict:
    """``status`` and ``feedback`` for every unit of the province (whose generated forms
    are clean: every unit gets its appraisal results), then ``feedback`` where every
    unit's form has a problem — a copy of the province whose criteria titles changed, so
    that each form was made from another version (a warning per form): every unit's own
    workbook is then loaded, marked and saved with openpyxl."""
    import shutil

    def measured(root: Path, command: str, *extra: str) -> dict:
        args = [*cchc, command, "-w", str(root), "--year", str(YEAR), "-q", *extra]
        measure, walls = median_run(args, runs)
        return {"wall": measure.wall, "runs": walls, "peak_mb": measure.peak_mb,
                "stages": measure.stages, "exit": measure.code}

    flawed = work / ("smoke-flawed" if smoke else "province-flawed")
    if not (flawed / ".bench-profile").exists() or \
            (flawed / ".bench-profile").read_text() != (province / ".bench-profile").read_text():
        shutil.rmtree(flawed, ignore_errors=True)
        shutil.copytree(province, flawed, ignore=shutil.ignore_patterns("results"))
        for path in (flawed / "criteria" / str(YEAR)).glob("*.yaml"):
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("\ntitle: ", "\ntitle: (bản sửa đổi) ", 1),
                            encoding="utf-8")
    return {"status": measured(province, "status", "--as-of", f"{YEAR}-12-31"),
            "feedback": measured(province, "feedback"),
            "feedback_flawed": measured(flawed, "feedback")}


def published_table(province: Path, target: Path) -> Path:
    """Last year's published ranks (nam-truoc.xlsx) as a table for `publish --from`,
    with the unit's code for its name (the generated file has no names)."""
    import openpyxl

    from cchc_cli.ranking import read_previous_file

    last = YEAR - 1
    previous, _ = read_previous_file(province / "data" / str(YEAR) / "nam-truoc.xlsx",
                                     file="nam-truoc.xlsx", year=last)
    assert previous is not None
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Xếp hạng năm trước"
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Khối", "Xếp hạng", "Chỉ số"])
    for entry in previous.entries.values():
        sheet.append([entry.code, entry.code, entry.block, entry.rank, float(entry.index)])
    workbook.save(target)
    return target


def measure_history(cchc: list[str], province: Path, runs: int) -> dict:
    """`publish`: last year imported from its published table (`--from`), then this
    year from its inputs (last year from the database); then `history`, on the
    province. The database is removed before and after, so that the other figures (rank
    reads last year from it when it is there) stay comparable between runs."""
    database = province / "results" / "chi-so-cchc.sqlite"
    database.unlink(missing_ok=True)
    common = ["-w", str(province), "-q"]
    table = published_table(province, province.parent / f"nhap-{YEAR - 1}.xlsx")
    imported, imported_walls = median_run(
        [*cchc, "publish", "--year", str(YEAR - 1), "--from", str(table), "--replace",
         *common], runs)
    publish, publish_walls = median_run([*cchc, "publish", "--year", str(YEAR), "--replace",
                                         *common], runs)
    history, history_walls = median_run([*cchc, "history", "-w", str(province), "--format",
                                         "json"], runs)
    database.unlink(missing_ok=True)
    return {name: {"wall": m.wall, "runs": walls, "peak_mb": m.peak_mb, "stages": m.stages,
                   "exit": m.code}
            for name, (m, walls) in (("import", (imported, imported_walls)),
                                     ("publish", (publish, publish_walls)),
                                     ("history", (history, history_walls)))}


def history_rows(results: dict) -> list[str]:
    """The lines of `publish` and `history` (absent from results of older runs)."""
    found = results.get("history")
    if not found:
        return []
    units = count(results["province"]["units"])
    rows = (("import", f"`cchc publish --from`, tỉnh {units} đơn vị (năm {YEAR - 1})"),
            ("publish", f"`cchc publish`, tỉnh {units} đơn vị (năm {YEAR}; năm {YEAR - 1}"
                        " từ cơ sở dữ liệu)"),
            ("history", f"`cchc history`, tỉnh {units} đơn vị × 2 năm"))
    return [f"| {label} | {fmt(found[key]['wall'])} | {num(found[key]['peak_mb'], 0)} MB |"
            " ≤ 3 s |" for key, label in rows]


STAGE_NAMES = {"read": "đọc", "score": "chấm điểm", "rank": "xếp hạng", "write": "ghi",
               "output": "in kết quả", "bounds": "tính khoảng"}


def _stages(stages: dict) -> str:
    """'read 0.70 s (72 MB), score …': each stage's time, and the main process's memory
    at its end (workers not counted)."""
    return ", ".join(
        f"{STAGE_NAMES.get(name, name)} {num(value, 2)} s"
        + (f" ({num(stages['rss_' + name], 0)} MB)" if "rss_" + name in stages else "")
        for name, value in stages.items() if not name.startswith("rss_"))


def render(results: dict) -> str:
    province = results["province"]
    rank, report = province["rank"], province["report"]
    stages = rank["stages"]
    lines = [
        "Tốc độ máy lúc đo (10 triệu phép cộng Python; đầu, sau phần tỉnh, cuối): "
        + "; ".join(f"{num(c, 2)} s" for c in results["calibration_s"]) + ".",
        "",
        "| việc | đo được (trung vị) | bộ nhớ đỉnh | ngân sách |",
        "| --- | --- | --- | --- |",
        f"| `cchc --help` | {fmt(results['help']['wall'])} | | ≤ 0,15 s |",
        f"| `cchc rank`, tỉnh {count(province['units'])} đơn vị"
        f" ({count(province['files'])} biểu) | "
        f"{fmt(rank['wall'])} | {num(rank['peak_mb'], 0)} MB | ≤ 1,5 s |",
        f"| đọc kiểu pandas.read_excel cùng {count(province['files'])} biểu | "
        f"{fmt(province['naive_read'])} | | |",
        f"| tỷ lệ đọc kiểu pandas ÷ `cchc rank` | {num(province['ratio'], 1)}× | | ≥ 8× |",
        f"| `cchc report`, tỉnh {count(province['units'])} đơn vị | {fmt(report['wall'])} | "
        f"{num(report['peak_mb'], 0)} MB | ≤ 5 s |",
        *history_rows(results),
    ]
    disputes = province.get("disputes")  # absent from results saved before it was measured
    if disputes:
        lines.append(f"| `cchc whatif --disputes`, tỉnh {count(province['units'])} đơn vị | "
                     f"{fmt(disputes['wall'])} | {num(disputes['peak_mb'], 0)} MB | ≤ 3 s |")
    collection = results.get("collection")
    if collection:
        units = count(province["units"])
        for key, what, budget in (
                ("status", f"`cchc status`, tỉnh {units} đơn vị", "≤ 3 s"),
                ("feedback", f"`cchc feedback`, {units} đơn vị (kết quả thẩm định)", "≤ 10 s"),
                ("feedback_flawed", f"`cchc feedback`, {units} đơn vị, biểu nào cũng cần sửa",
                 "≤ 10 s")):
            row = collection[key]
            lines.append(f"| {what} | {fmt(row['wall'])} | {num(row['peak_mb'], 0)} MB |"
                         f" {budget} |")
    national = results.get("national")
    if national:
        lines.append(f"| `cchc rank`, {count(national['units'])} xã cả nước | "
                     f"{fmt(national['wall'])} | "
                     f"{num(national['peak_mb'], 0)} MB | ≤ 20 s, ≤ 1 GB |")
    seconds = {k: v for k, v in stages.items() if not k.startswith("rss_")}
    lines += [
        "",
        "Các giai đoạn của `cchc rank` (tỉnh): " + _stages(stages)
        + f"; khởi động (nạp mô-đun, bộ tiêu chí) và kết thúc"
        f" {num(rank['wall'] - sum(seconds.values()), 2)} s.",
    ]
    if national:
        national_seconds = {k: v for k, v in national["stages"].items()
                            if not k.startswith("rss_")}
        lines.append("Các giai đoạn (cả nước): " + _stages(national["stages"])
                     + f"; khởi động và kết thúc"
                     f" {num(national['wall'] - sum(national_seconds.values()), 2)} s.")
    lines += ["", "| đơn vị | `cchc rank` | ms / đơn vị | bộ nhớ đỉnh |",
              "| --- | --- | --- | --- |"]
    for row in results["growth"]:
        lines.append(f"| {count(row['units'])} | {fmt(row['wall'])} | "
                     f"{num(row['wall'] / row['units'] * 1000, 1)} | {num(row['peak_mb'], 0)} MB |")
    if national:
        lines.append(f"| {count(national['units'])} | {fmt(national['wall'])} | "
                     f"{num(national['wall'] / national['units'] * 1000, 1)} | "
                     f"{num(national['peak_mb'], 0)} MB |")
    lines.append("")
    lines.append("Các lần chạy `cchc rank` (tỉnh): "
                 + "; ".join(f"{num(w, 2)}" for w in rank["runs"]) + " s.")
    if national:
        lines.append("Các lần chạy `cchc rank` (cả nước): "
                     + "; ".join(f"{num(w, 2)}" for w in national["runs"]) + " s.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
