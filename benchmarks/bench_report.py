"""Report benchmark: the full quarterly report, cold and warm, against the naive papermill + nbconvert CLI loop.

    .venv/bin/python benchmarks/bench_report.py                    # the demo province (13 units), 3 runs, naive once
    .venv/bin/python benchmarks/bench_report.py --units 30 100 --repeat 1 --naive-repeat 0

Each size is a province made by the demo generator (`analysis.demo.generator`, 7 quarters of messy submissions)
with that many reporting units (the demo's own registry for 13; for other sizes a synthetic registry of N - 3
districts and the demo's 3 agencies), ingested before the clock starts. Every build is `python -m analysis report`
in a fresh process (imports inside the clock, as a user runs it), wall time:

- cold: a new reports folder, no figure cache (the first build of a quarter, or after the chart code changed);
- unchanged: the same build again (the figure cache holds every chart);
- one file fixed: one unit's clean 2021Q3 file gets two corrected figures (TCD01, TCD04 + 5), then the build again
  (incremental ingest of that file; only the charts whose data changed are drawn);
- naive: `papermill` CLI then `jupyter nbconvert --to html --no-input` CLI per notebook run, one after another.

Medians of --repeat runs (the naive loop: --naive-repeat runs, interleaved with ours in the same invocation).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
QUARTER = "2021Q3"
DEMO_UNITS = 13
FIXED = {"TCD01": 5, "TCD04": 5}  # a total and one of its parts, corrected together


def make_province(n_units: int, root: Path) -> dict[str, str]:
    """Config + raw submissions for a province of `n_units`; returns the environment that selects its config."""
    config, raw = root / "config", root / "raw"
    shutil.copytree(REPO / "config", config)
    if n_units != DEMO_UNITS:
        registry = yaml.safe_load((config / "units.yaml").read_text(encoding="utf-8"))
        agencies = [u for u in registry["units"] if u["type"] != "district"]
        districts = [
            {"code": f"huyen_{i:04d}", "name": f"Huyện Thử {i:04d}", "type": "district", "aliases": []}
            for i in range(n_units - len(agencies))
        ]
        registry["units"] = districts + agencies
        (config / "units.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    env = {"ANALYSIS_CONFIG": str(config)}
    run([PYTHON, "-m", "analysis", "demo", "--out", str(raw)], env)
    run([PYTHON, "-m", "analysis", "ingest", "--raw", str(raw), "--out", str(root / "processed")], env)
    return env


def run(argv: list[str], env: dict[str, str], cwd: Path = REPO) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env={**os.environ, **env}, check=True, capture_output=True)
    return time.perf_counter() - start


def build(root: Path, out: Path, env: dict[str, str]) -> float:
    argv = ["--raw", str(root / "raw"), "--processed", str(root / "processed"), "--out", str(out), "--quiet"]
    return run([PYTHON, "-m", "analysis", "report", "--quarter", QUARTER, *argv], env)


def fix_one_file(raw: Path, bump: int) -> Path:
    """Add `bump` to FIXED's figures in the first clean 2021Q3 file (edited inside the zip, nothing else
    touched). Returns the file."""
    from analysis.catalogue.load import load_catalogue
    from analysis.catalogue.template import template_layout

    layout = template_layout(load_catalogue()).set_index("indicator")
    manifest = (raw / "MANIFEST.csv").read_text(encoding="utf-8").splitlines()
    clean = (line.split(",")[0] for line in manifest if f"{QUARTER}/{QUARTER}_" in line and "theo mẫu" in line)
    target = raw / next(clean)
    with zipfile.ZipFile(target) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    sheet_xml = _sheet_member(members, layout.loc[next(iter(FIXED)), "sheet"])
    text = members[sheet_xml].decode("utf-8")
    for code, delta in FIXED.items():
        cell = layout.loc[code, "cell"]
        pattern = re.compile(rf'(<c r="{cell}"[^>]*>(?:<f>[^<]*</f>)?<v>)([0-9.]+)(</v>)')
        text, n = pattern.subn(lambda m, d=delta * bump: f"{m[1]}{float(m[2]) + d:g}{m[3]}", text)
        assert n == 1, f"{target.name}: ô {cell} ({code}) không tìm thấy"
    members[sheet_xml] = text.encode("utf-8")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return target


def _sheet_member(members: dict[str, bytes], sheet_name: str) -> str:
    workbook = members["xl/workbook.xml"].decode("utf-8")
    rels = members["xl/_rels/workbook.xml.rels"].decode("utf-8")
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet_name)}"[^>]*r:id="([^"]+)"', workbook)[1]
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels
    )
    return "xl/" + target[1].removeprefix("/xl/")


def naive(root: Path, env: dict[str, str]) -> float:
    """papermill CLI then nbconvert CLI for every notebook run, one after another."""
    from analysis.compare.report_data import ReportData
    from analysis.report.jobs import notebook_registry

    os.environ.update(env)
    units = ReportData.load(QUARTER, root / "processed").units_reporting()
    bindir = Path(PYTHON).parent
    seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for spec in notebook_registry():
            for unit in units if spec.per_unit else [None]:
                out = Path(tmp) / f"{spec.name}-{unit or 'tinh'}.ipynb"
                params = ["-p", "quarter", QUARTER, "-p", "processed_dir", str(root / "processed")]
                params += ["-p", "unit", unit] if unit else []
                seconds += run([str(bindir / "papermill"), str(REPO / "notebooks" / spec.file), str(out), *params], env)
                seconds += run([str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)], env)
    return seconds


def bench(n_units: int, repeat: int, naive_repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = make_province(n_units, root)
        cold, unchanged, fixed, slow = [], [], [], []
        for i in range(repeat):
            out = root / f"reports-{i}"
            cold.append(build(root, out, env))
            unchanged.append(build(root, out, env))
            fix_one_file(root / "raw", bump=1 if i % 2 == 0 else -1)
            fixed.append(build(root, out, env))
            if i < naive_repeat:
                slow.append(naive(root, env))
        row = {
            "units": n_units,
            "notebook_runs": 3 + n_units,
            "cold_s": statistics.median(cold),
            "unchanged_s": statistics.median(unchanged),
            "fixed_s": statistics.median(fixed),
        }
        if slow:
            row |= {"naive_s": statistics.median(slow), "ratio": statistics.median(slow) / row["cold_s"]}
        print(row, file=sys.stderr)
        return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, nargs="+", default=[DEMO_UNITS])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-repeat", type=int, default=1, help="runs of the (slow) naive CLI loop; 0: none")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print("| units | notebook runs | cold | unchanged | one file fixed | naive CLI loop | naive / cold |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.units:
        r = bench(n, args.repeat, args.naive_repeat)
        naive_cells = f"{r['naive_s']:.1f} s | {r['ratio']:.1f}×" if "naive_s" in r else "— | —"
        print(
            f"| {r['units']} | {r['notebook_runs']} | {r['cold_s']:.1f} s | {r['unchanged_s']:.1f} s | "
            f"{r['fixed_s']:.1f} s | {naive_cells} |"
        )


if __name__ == "__main__":
    main()
