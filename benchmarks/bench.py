"""Ingest benchmark: our ingest against the naive read, side by side in one run (see BENCHMARKS.md; the report's
benchmark is benchmarks/bench_report.py).

    .venv/bin/python benchmarks/bench.py                     # 10, 100, 1000 units
    .venv/bin/python benchmarks/bench.py --units 10000 --repeat 1

Synthetic submissions are made from the real template: one filled workbook per unit of a synthetic registry of N
units (written to a temporary config folder, ANALYSIS_CONFIG), each a copy of one base file with its unit's name
in the shared strings. Each measurement runs in a fresh subprocess, so peak memory (ru_maxrss of the process and
its children) belongs to that measurement alone. Times are medians of --repeat runs; ratios compare runs made
side by side on the same files. The last column re-runs after a new version of every 100th file (incremental).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


# ------------------------------------------------------------------------------------------------- corpus


def make_corpus(n_units: int, root: Path) -> tuple[Path, Path]:
    """A config folder with n synthetic units and one 2021Q3 submission per unit. Returns (config, raw)."""
    import yaml

    from analysis.catalogue.load import load_catalogue
    from analysis.catalogue.template import TemplateContext, build_template
    from analysis.core.config import load_province_config
    from analysis.core.periods import Quarter
    from analysis.core.units import Unit

    sys.path.insert(0, str(REPO))  # the tests' factory of filled submissions
    from tests.factories import Filing, fill_template

    config, raw = root / "config", root / "raw"
    config.mkdir(parents=True)
    raw.mkdir()
    names = [f"Huyện Mẫu {i:05d}" for i in range(n_units)]
    units = {
        "province": {"code": "tinh_mau", "name": "Tỉnh Mẫu"},
        "units": [
            {"code": f"mau_{i:05d}", "name": name, "type": "district", "aliases": []} for i, name in enumerate(names)
        ],
    }
    (config / "units.yaml").write_text(yaml.safe_dump(units, allow_unicode=True), encoding="utf-8")
    shutil.copy(REPO / "config" / "province.yaml", config / "province.yaml")
    catalogue, quarter = load_catalogue(), Quarter(2021, 3)
    unit = Unit(code="mau_00000", name=names[0], type="district", aliases=(), valid_from=None, valid_to=None)
    wb = build_template(
        catalogue, TemplateContext("Tỉnh Mẫu", unit, quarter, load_province_config(config / "province.yaml").cutoff)
    )
    values = {ind.code: float(10 + i) for i, ind in enumerate(catalogue.input_indicators())}
    fill_template(wb, Filing(unit, quarter, values, "x", date(2021, 9, 18)), catalogue)
    base = root / "base.xlsx"
    wb.save(base)
    with zipfile.ZipFile(base) as zf:
        members = [(i, zf.read(i.filename)) for i in zf.infolist()]
    for i, name in enumerate(names):
        with zipfile.ZipFile(raw / f"2021Q3_mau_{i:05d}.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in members:
                if info.filename.startswith("xl/worksheets/") or info.filename == "xl/sharedStrings.xml":
                    data = data.replace(names[0].encode(), name.encode()).replace(
                        names[0].upper().encode(), name.upper().encode()
                    )
                out.writestr(info, data)
    return config, raw


# ------------------------------------------------------------------------------------------ measurements


def _child(argv: list[str], env: dict | None = None) -> dict:
    """Run `bench.py _measure …` in a fresh process; return its JSON (seconds, peak MiB)."""
    out = subprocess.run(
        [PYTHON, __file__, "_measure", *argv], capture_output=True, text=True, env={**os.environ, **(env or {})},
        cwd=REPO, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(kind: str, *args: str) -> None:
    """One timed run; imports happen before the clock starts (both sides pay Python's start-up outside it)."""
    import openpyxl  # noqa: F401
    import pandas as pd

    from analysis.ingest.run import run_ingest
    from analysis.ingest.submission import IngestContext

    ctx = IngestContext.load() if kind != "naive" else None
    if kind == "changed":  # a new version of every 100th file (a zip comment: same workbook, other bytes)
        for path in sorted(Path(args[0]).glob("*.xlsx"))[::100]:
            with zipfile.ZipFile(path, "a") as zf:
                zf.comment = f"v{time.time_ns()}".encode()
    start = time.perf_counter()
    if kind == "naive":
        for path in sorted(Path(args[0]).glob("*.xlsx"))[: int(args[1])]:
            pd.read_excel(path, sheet_name=None, engine="openpyxl")
    elif kind == "ingest":
        raw, out, limit = Path(args[0]), Path(args[1]), int(args[2])
        if limit:
            subset = Path(args[3])
            subset.mkdir(exist_ok=True)
            for path in sorted(raw.glob("*.xlsx"))[:limit]:
                target = subset / path.name
                if not target.exists():
                    os.link(path, target)
            raw = subset
        run_ingest(raw, out, ctx, force=args[4] == "full" if len(args) > 4 else True)
    elif kind in ("rerun", "changed"):
        run_ingest(Path(args[0]), Path(args[1]), ctx)
    seconds = time.perf_counter() - start
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    print(json.dumps({"seconds": seconds, "peak_mib": peak / 1024}))


def median_of(repeat: int, argv: list[str], env: dict | None = None) -> dict:
    runs = [_child(argv, env) for _ in range(repeat)]
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mib": max(r["peak_mib"] for r in runs),
    }


def bench_ingest(sizes: list[int], repeat: int, naive_sample: int) -> list[dict]:
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            config, raw = make_corpus(n, root)
            env = {"ANALYSIS_CONFIG": str(config)}
            sample = min(n, naive_sample)
            naive = median_of(repeat, ["naive", str(raw), str(sample)], env)
            ours_sample = median_of(
                repeat, ["ingest", str(raw), str(root / "o1"), str(sample), str(root / "s"), "full"], env
            )
            full = median_of(repeat, ["ingest", str(raw), str(root / "out"), "0", "-", "full"], env)
            rerun = median_of(repeat, ["rerun", str(raw), str(root / "out")], env)
            changed = median_of(repeat, ["changed", str(raw), str(root / "out")], env)
            rows.append(
                {
                    "units": n,
                    "naive_sample": sample,
                    "naive_s": naive["seconds"],
                    "ours_sample_s": ours_sample["seconds"],
                    "ratio": naive["seconds"] / ours_sample["seconds"],
                    "full_s": full["seconds"],
                    "per_s": n / full["seconds"],
                    "peak_mib": full["peak_mib"],
                    "rerun_s": rerun["seconds"],
                    "changed_s": changed["seconds"],
                    "changed_peak_mib": changed["peak_mib"],
                }
            )
            print(rows[-1], file=sys.stderr)
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_measure":
        _measure(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=100, help="files the naive reader is timed on")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(
        "| units | naive read (files) | ours, same files | ratio | full ingest | workbooks/s | peak MiB | re-run "
        "| 1% changed re-run (peak MiB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in bench_ingest(args.units, args.repeat, args.naive_sample):
        print(
            f"| {r['units']} | {r['naive_s']:.2f} s ({r['naive_sample']}) | {r['ours_sample_s']:.2f} s | "
            f"{r['ratio']:.1f}× | {r['full_s']:.2f} s | {r['per_s']:.0f} | {r['peak_mib']:.0f} | "
            f"{r['rerun_s']:.2f} s | {r['changed_s']:.2f} s ({r['changed_peak_mib']:.0f}) |"
        )


if __name__ == "__main__":
    main()
